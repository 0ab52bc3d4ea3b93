"""Infisical resources for Pulumi (Python), as dynamic providers over Infisical's REST API.

There is no Pulumi package for Infisical in Python, so this package implements the resources a Cloudflare
Workers deployment needs: projects, environments, folders, secrets, a Cloudflare app connection, Workers
secret syncs, and machine identities with OIDC auth and project memberships. It depends only on pulumi,
httpx and tenacity and imports nothing else from the program around it.

Credentials come from the environment at run time (see `auth`), never from the program and never from
state. See docs/infisical-provider.md.
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
    InfisicalCreateUncertainError,
    InfisicalError,
    InfisicalNotFoundError,
    InfisicalPermissionError,
    InfisicalRateLimitError,
    InfisicalRequestError,
    InfisicalServerError,
    InfisicalTokenError,
    InfisicalTransportError,
    InfisicalValidationError,
)
from .folder import SecretFolder, SecretFolderArgs, SecretFolderProvider
from .identity import (
    Identity,
    IdentityArgs,
    IdentityOidcAuth,
    IdentityOidcAuthArgs,
    IdentityOidcAuthProvider,
    IdentityProvider,
)
from .membership import (
    ProjectIdentityMembership,
    ProjectIdentityMembershipArgs,
    ProjectIdentityMembershipProvider,
)
from .project import Project, ProjectArgs, ProjectProvider
from .secret import Secret, SecretArgs, SecretProvider
from .secret_sync import (
    CloudflareWorkersSecretSync,
    CloudflareWorkersSecretSyncArgs,
    CloudflareWorkersSecretSyncProvider,
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
    "InfisicalCreateUncertainError",
    "InfisicalError",
    "InfisicalNotFoundError",
    "InfisicalPermissionError",
    "InfisicalRateLimitError",
    "InfisicalRequestError",
    "InfisicalServerError",
    "InfisicalTokenError",
    "InfisicalTransportError",
    "InfisicalValidationError",
    "Project",
    "ProjectArgs",
    "ProjectEnvironment",
    "ProjectEnvironmentArgs",
    "ProjectEnvironmentProvider",
    "ProjectIdentityMembership",
    "ProjectIdentityMembershipArgs",
    "ProjectIdentityMembershipProvider",
    "ProjectProvider",
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
