"""Policy checks of stage isolation inside Infisical (wired into ``policy.checks.RULES``).

* ``non-prod-identities-cannot-read-prod`` (mandatory): in a project prod also uses, no non-prod identity
  holds a project-wide role (one that is not a custom role of its own stack) or a custom role whose
  secret permissions could apply in prod. The layout of the stages together comes from the committed
  stage files (`components.rules.stage_layout`); the stack's own registrations add the roles it really creates.
* ``acknowledged-prod-exposure`` (shown in red by the plan, a warning under ``pulumi preview``): the same
  exposure, let through by prod's named acknowledgement.
* ``only-pr-preview-identity-trusts-pull-requests`` (mandatory): no OIDC auth admits pull_request runs
  except the PR preview identity's.

Checks see resources through the small protocol below, so this module needs nothing from ``policy.checks``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from components.rules.access import ACK_PROD_READABLE, PR_PREVIEW_IDENTITY, reaches_environment, trusts_pull_requests
from components.rules.stage_layout import PROD, StageLayout, acknowledged_exposures, exposures
from policy.names import INFISICAL_PREFIX

INFISICAL = INFISICAL_PREFIX
ROLE_TYPE = INFISICAL + "ProjectRole"
MEMBERSHIP_TYPE = INFISICAL + "ProjectIdentityMembership"
OIDC_TYPE = INFISICAL + "IdentityOidcAuth"
PROJECT_TYPE = INFISICAL + "Project"
PROD_ENVIRONMENT = "prod"


class Resource(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def props(self) -> Mapping[str, Any]: ...


R = TypeVar("R", bound=Resource)


def _anchor(resources: Sequence[R]) -> R:
    """The resource a stack-wide finding is reported on: the adopted project, else the first resource."""
    return next((r for r in resources if r.type == PROJECT_TYPE), resources[0])


def _shares_prod_project(stage: str, layouts: Mapping[str, StageLayout]) -> bool:
    own, prod = layouts.get(stage), layouts.get(PROD)
    return bool(own and prod and own.project_id and own.project_id == prod.project_id)


def prod_readable(resources: Sequence[R], stage: str, layouts: Mapping[str, StageLayout]) -> Iterator[tuple[R, str]]:
    if not resources:
        return
    for exposure in exposures(layouts):
        if stage in (exposure.stage, PROD):
            yield _anchor(resources), exposure.message()
    if stage == PROD or not _shares_prod_project(stage, layouts):
        return
    if ACK_PROD_READABLE in layouts[PROD].acknowledged:
        return
    roles = {r.props.get("slug"): r for r in resources if r.type == ROLE_TYPE}
    for slug, role in roles.items():
        permissions = role.props.get("permissions")
        if isinstance(permissions, list) and reaches_environment(permissions, PROD_ENVIRONMENT):
            yield (
                role,
                (
                    f"custom role {slug!r} of non-prod stage {stage!r} grants secret access that applies in the "
                    f"{PROD_ENVIRONMENT!r} environment of the project prod uses; scope every permission with "
                    f"environment {{$eq: <this stage's environment>}}"
                ),
            )
    for membership in (r for r in resources if r.type == MEMBERSHIP_TYPE):
        role_name = membership.props.get("role")
        if isinstance(role_name, str) and role_name not in roles and role_name != "no-access":
            yield (
                membership,
                (
                    f"the identity's role {role_name!r} is not a custom role of this stack, so it is project-wide "
                    "and reaches prod's secrets in the project prod uses. Remove infisical.ciIdentity.role (the "
                    "stage then creates a scoped custom role), or give prod its own Infisical project "
                    "(infisical.projectId in Pulumi.prod.yaml)"
                ),
            )


def acknowledged_prod_exposure(
    resources: Sequence[R], stage: str, layouts: Mapping[str, StageLayout]
) -> Iterator[tuple[R, str]]:
    if not resources:
        return
    for exposure in acknowledged_exposures(layouts):
        if stage in (exposure.stage, PROD):
            yield (
                _anchor(resources),
                f"ACKNOWLEDGED RISK (Pulumi.prod.yaml infisical.acknowledge): {exposure.message()}",
            )


def only_pr_preview_trusts_pull_requests(resource: Resource) -> Iterator[str]:
    if resource.type != OIDC_TYPE or resource.name == f"{PR_PREVIEW_IDENTITY}-oidc":
        return
    claims = resource.props.get("bound_claims")
    subjects = [resource.props.get("bound_subject")]
    if isinstance(claims, Mapping):
        subjects.append(claims.get("sub"))
    listed = [part.strip() for value in subjects if isinstance(value, str) for part in value.split(",")]
    repository = claims.get("repository") if isinstance(claims, Mapping) else None
    if trusts_pull_requests(listed, repository if isinstance(repository, str) else None):
        yield (
            "this OIDC auth lets pull_request runs log in (a pull_request subject or a glob); only the PR preview "
            "identity may, and it reads only its preview folder. Remove the subject from infisical.ciIdentity."
            "subjects and set infisical.ciIdentity.previewFolder"
        )
