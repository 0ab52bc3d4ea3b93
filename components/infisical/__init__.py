"""Infisical resources for Pulumi (Python), as dynamic providers over Infisical's REST API.

There is no Pulumi package for Infisical in Python, so this package implements the resources a Cloudflare
Workers deployment needs: projects, environments, folders, secrets, a Cloudflare app connection, Workers
secret syncs, machine identities with OIDC auth, custom project roles and project memberships. It depends
only on pulumi, httpx and tenacity and imports nothing else from the program around it.

Credentials come from the environment at run time (see `auth`), never from the program and never from
state. See docs/infisical-provider.md.

Layout: `client` sends requests (retries, one re-login), `auth` finds credentials and caches tokens,
`errors` maps responses to typed errors, `_schema` turns a declaration into check/diff/outputs,
`_provider` is the shared provider, `_resource` the shared resource class, `_validators` the rules and
normal forms taken from Infisical's own request schemas. One module per resource.

What a new resource (say a project role, or a user or group membership) needs, all in its own module:

1. ``XArgs``: a frozen, keyword-only dataclass, the resource's only declaration. Each input is a
   ``prop(...)`` (``required``, ``default`` the provider fills in, ``secret``, ``replace`` when a change
   needs a new object, ``computed`` when Infisical chooses it, ``validate`` and ``compare`` from
   `_validators`); each value only Infisical reports is an ``output()``. The annotation gives the type.
2. ``XProvider(InfisicalProvider)`` with ``kind`` (for messages), ``schema = Schema.of(XArgs)``,
   ``natural_key`` (the inputs that name the object uniquely, used to recover a lost create and to
   delete before replacing), ``stable_outputs``, and the four API calls ``_create``/``_read``/
   ``_update``/``_delete`` on plain dictionaries. A create goes through `_create_or_recover` with a
   ``find`` by natural key (or None when Infisical has no unique key, so an uncertain outcome is
   reported instead of retried); a read returns None on 404.
3. ``class X(InfisicalResource[XArgs], provider=XProvider)``: no body needed. Its type token is
   ``infisical:X``; every declared property becomes an output attribute; secret props become secret
   outputs.
4. Export the three names here, add a scenario to ``tests/infisical/scenarios.py`` (the fault, hygiene and
   round-trip tests then cover it) and a route module to the local fake server.
"""

from .app_connection import (
    CloudflareAppConnection,
    CloudflareAppConnectionArgs,
    CloudflareAppConnectionProvider,
)
from .auth import AuthMethod, Credentials, clear_token_cache, credentials_from_env, host_from_env
from .client import InfisicalClient
from .environment import ProjectEnvironment, ProjectEnvironmentArgs, ProjectEnvironmentProvider
from .errors import (
    InfisicalAlreadyExistsError,
    InfisicalApiError,
    InfisicalApprovalRequiredError,
    InfisicalAuthenticationError,
    InfisicalBadRequestError,
    InfisicalConfigError,
    InfisicalCreateFailedError,
    InfisicalCreateUncertainError,
    InfisicalError,
    InfisicalNotFoundError,
    InfisicalPermissionError,
    InfisicalRateLimitError,
    InfisicalRequestError,
    InfisicalServerError,
    InfisicalSyncFailedError,
    InfisicalTokenError,
    InfisicalTransportError,
    InfisicalValidationError,
)
from .folder import SecretFolder, SecretFolderArgs, SecretFolderProvider
from .group_membership import (
    GroupsUnavailableError,
    ProjectGroupMembership,
    ProjectGroupMembershipArgs,
    ProjectGroupMembershipProvider,
)
from .identity import (
    Identity,
    IdentityArgs,
    IdentityOidcAuth,
    IdentityOidcAuthArgs,
    IdentityOidcAuthProvider,
    IdentityProvider,
    OidcDiscoveryError,
)
from .membership import (
    ProjectIdentityMembership,
    ProjectIdentityMembershipArgs,
    ProjectIdentityMembershipProvider,
)
from .project import Project, ProjectArgs, ProjectProvider
from .project_role import (
    CustomRolesUnavailableError,
    ProjectRole,
    ProjectRoleArgs,
    ProjectRoleProvider,
)
from .secret import Secret, SecretArgs, SecretProvider
from .secret_sync import (
    CloudflareWorkersSecretSync,
    CloudflareWorkersSecretSyncArgs,
    CloudflareWorkersSecretSyncProvider,
)
from .user_membership import (
    ProjectUserMembership,
    ProjectUserMembershipArgs,
    ProjectUserMembershipProvider,
)

__all__ = [
    "AuthMethod",
    "CloudflareAppConnection",
    "CloudflareAppConnectionArgs",
    "CloudflareAppConnectionProvider",
    "CloudflareWorkersSecretSync",
    "CloudflareWorkersSecretSyncArgs",
    "CloudflareWorkersSecretSyncProvider",
    "Credentials",
    "CustomRolesUnavailableError",
    "GroupsUnavailableError",
    "Identity",
    "IdentityArgs",
    "IdentityOidcAuth",
    "IdentityOidcAuthArgs",
    "IdentityOidcAuthProvider",
    "IdentityProvider",
    "InfisicalAlreadyExistsError",
    "InfisicalApiError",
    "InfisicalApprovalRequiredError",
    "InfisicalAuthenticationError",
    "InfisicalBadRequestError",
    "InfisicalClient",
    "InfisicalConfigError",
    "InfisicalCreateFailedError",
    "InfisicalCreateUncertainError",
    "InfisicalError",
    "InfisicalNotFoundError",
    "InfisicalPermissionError",
    "InfisicalRateLimitError",
    "InfisicalRequestError",
    "InfisicalServerError",
    "InfisicalSyncFailedError",
    "InfisicalTokenError",
    "InfisicalTransportError",
    "InfisicalValidationError",
    "OidcDiscoveryError",
    "Project",
    "ProjectArgs",
    "ProjectEnvironment",
    "ProjectEnvironmentArgs",
    "ProjectEnvironmentProvider",
    "ProjectGroupMembership",
    "ProjectGroupMembershipArgs",
    "ProjectGroupMembershipProvider",
    "ProjectIdentityMembership",
    "ProjectIdentityMembershipArgs",
    "ProjectIdentityMembershipProvider",
    "ProjectProvider",
    "ProjectRole",
    "ProjectRoleArgs",
    "ProjectRoleProvider",
    "ProjectUserMembership",
    "ProjectUserMembershipArgs",
    "ProjectUserMembershipProvider",
    "Secret",
    "SecretArgs",
    "SecretFolder",
    "SecretFolderArgs",
    "SecretFolderProvider",
    "SecretProvider",
    "clear_token_cache",
    "credentials_from_env",
    "host_from_env",
]
