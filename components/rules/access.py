"""Who may reach what in Infisical: the rules the config check and the policy pack apply to CI identities.

The roles themselves are built in components/infisical_side/ci_roles.py. Here: whether a role's
permissions could apply in an environment (`reaches_environment`, so no non-prod role reaches prod), and
whether an OIDC subject binding lets pull_request runs log in (`trusts_pull_requests`, so only the PR
preview identity does). Pure data: no Pulumi, no pydantic, no HTTP client (the policy pack imports it).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

PR_PREVIEW_SUBJECT: Final = "pull_request"
"""The GitHub OIDC ``sub`` suffix of a pull_request run (``repo:<owner>/<repo>:pull_request``)."""
PR_PREVIEW_IDENTITY: Final = "pr-preview-identity"
"""Pulumi name of the PR preview identity's resources (``pr-preview-identity``, ``…-oidc``, ``…-role``)."""
DEPLOY_IDENTITY: Final = "ci-identity"
"""Pulumi name of a stage's deploy identity's resources."""

ACK_PROD_READABLE: Final = "prod-readable-by-non-prod-identities"
"""The one acknowledgement (``infisical.acknowledge`` in Pulumi.prod.yaml) that lets prod share its
Infisical project with a non-prod identity whose role is project-wide."""


def _operator_allows(operator: str, operand: Any, value: str) -> bool:
    if operator == "$eq":
        return bool(operand == value)
    if operator == "$ne":
        return bool(operand != value)
    if operator == "$in":
        return value in (operand or [])
    if operator == "$glob" and isinstance(operand, str):
        return fnmatch.fnmatchcase(value, operand)
    return True  # Infisical drops unknown operators, leaving no condition


def _condition_allows(condition: Any, value: str) -> bool:
    """Whether a CASL condition on a string field can hold for ``value``."""
    if isinstance(condition, str):
        return condition == value
    if not isinstance(condition, Mapping):
        return True
    return all(_operator_allows(operator, operand, value) for operator, operand in condition.items())


def reaches_environment(permissions: Sequence[Mapping[str, Any]], environment: str) -> bool:
    """Whether any allowing permission on secrets could apply in ``environment`` (a deny never widens)."""
    for permission in permissions:
        if permission.get("inverted") or permission.get("subject") not in ("secrets", "*"):
            continue
        conditions = permission.get("conditions") or {}
        if _condition_allows(conditions.get("environment"), environment):
            return True
    return False


def _brace_expansions(pattern: str) -> list[str]:
    """``{a,b}`` alternatives spelled out (innermost first), as picomatch reads them."""
    start = pattern.find("{")
    end = pattern.find("}", start)
    if start < 0 or end < 0:
        return [pattern]
    inner_start = pattern.rfind("{", 0, end)
    head, body, tail = pattern[:inner_start], pattern[inner_start + 1 : end], pattern[end + 1 :]
    return [expanded for choice in body.split(",") for expanded in _brace_expansions(head + choice + tail)]


def could_match(pattern: str, value: str) -> bool:
    """Whether Infisical's OIDC binding ``pattern`` could accept ``value``.

    Infisical matches each binding with ``policy === value || picomatch.isMatch(value, policy)``
    (``doesFieldValueMatchOidcPolicy``, backend/src/services/identity-oidc-auth/identity-oidc-auth-fns.ts).
    This answers yes whenever picomatch would: braces are expanded, then ``fnmatch`` matches, whose ``*``
    and ``?`` also cross ``/`` (a wider match than picomatch's, never a narrower one).
    """
    return pattern == value or any(fnmatch.fnmatchcase(value, p) for p in _brace_expansions(pattern))


def trusts_pull_requests(subjects: Iterable[str], repository: str | None = None) -> bool:
    """Whether an OIDC ``sub`` binding lets pull_request runs log in.

    Bindings are patterns (`could_match`): ``repo:acme/*``, ``repo:acme/app:pull_*``, ``…:**``,
    ``…:?ull_request`` and ``…:{pull_request,environment:staging}`` all let ``repo:acme/app:pull_request``
    in. Checked against the pull_request subject of ``repository`` when it is known, and for any repository
    against a binding that names pull_request or is a bare wildcard.
    """
    pull_request = f"repo:{repository}:{PR_PREVIEW_SUBJECT}" if repository else None
    for subject in subjects:
        if subject.endswith(":" + PR_PREVIEW_SUBJECT) or subject.endswith(":*") or subject in ("*", "**"):
            return True
        if pull_request is not None and could_match(subject, pull_request):
            return True
    return False
