"""Project permissions of the caller, evaluated the way Infisical's permission service does.

Infisical turns a membership's roles into CASL rules and asks the ability, e.g. "can readValue on
secrets with {environment, secretPath, secretName}" (``backend/src/ee/services/permission/
permission-service.ts``, ``getProjectPermission``; the matcher with the extra ``$glob`` operator, a
picomatch match with ``strictSlashes: false``, is ``conditionsMatcher`` in ``backend/src/lib/casl/
index.ts``). What is modelled here:

* Rules come from every role of the caller's membership: built-in ones (``admin`` everything,
  ``member`` all secret actions, ``viewer`` the read actions, ``no-access`` nothing) and custom ones
  (their stored permissions). Built-ins apply to every environment: no conditions.
* CASL semantics: among the rules for the action and subject, the last one whose conditions match
  decides, and an inverted rule denies.
* Conditions: a plain value means ``$eq``; ``$eq``, ``$ne``, ``$in`` and ``$glob`` operators; an empty
  operator map (what Infisical's schema leaves of an unknown operator) matches everything.
* A secret-value read passes with ``readValue`` or the legacy ``read`` action
  (``throwIfMissingSecretReadValueOrDescribePermission`` in ``permission-fns.ts``).
* Refusals are 403 ``PermissionDenied`` "You are not allowed to <action> on <subject>" with the rules for
  that action and subject in ``details``, highest priority first, as CASL's ``rulesFor`` lists them
  (``details`` in backend/src/server/plugins/error-handler.ts; CASL gives each rule's subject as a list).
  A secret read is checked for ``describeSecret`` before ``readValue``. The admin token (a test's own
  credential) is never checked.

The caller is the identity of the request's login token (`routing.Call.actor`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tests.fakes.infisical.errors import ApiError
from tests.fakes.infisical.globs import glob_matches
from tests.fakes.infisical.store import Store, normal_path

SECRET_READ_ACTIONS = ("describeSecret", "readValue", "read")
SECRET_ACTIONS = (*SECRET_READ_ACTIONS, "create", "edit", "delete")
BUILT_IN_RULES: dict[str, list[dict[str, Any]]] = {
    "admin": [{"subject": "*", "action": ["*"]}],
    "member": [
        {"subject": "secrets", "action": list(SECRET_ACTIONS)},
        {"subject": "secret-folders", "action": ["read", "create", "edit", "delete"]},
    ],
    "viewer": [
        {"subject": "secrets", "action": list(SECRET_READ_ACTIONS)},
        {"subject": "secret-folders", "action": ["read"]},
    ],
    "no-access": [],
}
LEGACY_ALTERNATIVES = {"readValue": ("readValue", "read"), "describeSecret": ("describeSecret", "read")}


def _condition_holds(actual: Any, condition: Any) -> bool:
    if not isinstance(condition, Mapping):
        condition = {"$eq": condition}
    values = actual if isinstance(actual, list) else [actual]
    for operator, operand in condition.items():
        if operator == "$eq" and operand not in values:
            return False
        if operator == "$ne" and operand in values:
            return False
        if operator == "$in" and not any(v in operand for v in values):
            return False
        if operator == "$glob" and not (isinstance(actual, str) and actual and glob_matches(actual, operand)):
            return False
    return True


def _matches(rule: Mapping[str, Any], action: str, subject: str, fields: Mapping[str, Any]) -> bool:
    if rule.get("subject") not in (subject, "*"):
        return False
    actions = rule.get("action") or []
    if isinstance(actions, str):
        actions = [actions]
    if action not in actions and "*" not in actions:
        return False
    return all(_condition_holds(fields.get(name), cond) for name, cond in (rule.get("conditions") or {}).items())


def can(rules: Sequence[Mapping[str, Any]], action: str, subject: str, fields: Mapping[str, Any]) -> bool:
    for rule in reversed(rules):
        if _matches(rule, action, subject, fields):
            return not rule.get("inverted", False)
    return False


def rules_of(store: Store, project_id: str, identity_id: str) -> list[dict[str, Any]] | None:
    """The CASL rules of an identity in a project, or None when it is not a member."""
    membership = store.memberships.get((project_id, identity_id))
    if membership is None:
        return None
    rules: list[dict[str, Any]] = []
    for role in membership["roles"]:
        if role.get("customRoleId"):
            custom = store.roles.get(role["customRoleId"])
            rules += list(custom["permissions"]) if custom else []
        else:
            rules += BUILT_IN_RULES.get(role["role"], [])
    return rules


def rules_for(rules: Sequence[Mapping[str, Any]], action: str, subject: str) -> list[dict[str, Any]]:
    """The rules that speak about ``action`` on ``subject``, last defined first, as CASL lists them."""
    listed = []
    for rule in reversed(rules):
        actions = rule.get("action") or []
        actions = [actions] if isinstance(actions, str) else list(actions)
        if rule.get("subject") in (subject, "*") and (action in actions or "*" in actions):
            detail = {"action": actions, "inverted": bool(rule.get("inverted")), "subject": [rule["subject"]]}
            if rule.get("conditions"):
                detail["conditions"] = rule["conditions"]
            listed.append(detail)
    return listed


def require(
    store: Store, identity_id: str | None, project_id: str, action: str, subject: str, *, fields: Mapping[str, Any]
) -> None:
    """403 unless the caller may do ``action`` on ``subject`` with these fields (the admin token may)."""
    if identity_id is None:
        return
    rules = rules_of(store, project_id, identity_id)
    if rules is None:
        raise ApiError(403, "You are not a member of this project", "PermissionDenied")
    if any(can(rules, alternative, subject, fields) for alternative in LEGACY_ALTERNATIVES.get(action, (action,))):
        return
    message = f"You are not allowed to {action} on {subject}"
    raise ApiError(403, message, "PermissionDenied", details=rules_for(rules, action, subject))


def require_secret(
    store: Store, identity_id: str | None, action: str, address: Mapping[str, Any], secret_name: str
) -> None:
    """`require` for a secret addressed by project, environment slug and folder path; a value read is
    checked for ``describeSecret`` first (``throwIfMissingSecretReadValueOrDescribePermission``)."""
    fields = {
        "environment": address["environment"],
        "secretPath": normal_path(address.get("secretPath") or "/"),
        "secretName": secret_name,
    }
    for needed in ("describeSecret", action) if action == "readValue" else (action,):
        require(store, identity_id, address["projectId"], needed, "secrets", fields=fields)
