"""The fake's routes, one module per Infisical area; each module fills its own `RouteTable` named ``routes``."""

from __future__ import annotations

from tests.fakes.infisical.routing import RouteTable

from . import (
    app_connections,
    environments,
    folders,
    group_memberships,
    identities,
    logins,
    memberships,
    oidc_auth,
    projects,
    roles,
    secret_list,
    secret_syncs,
    secrets,
    status,
    universal_auth,
    user_memberships,
)

ALL: tuple[RouteTable, ...] = (
    status.routes,
    logins.routes,
    projects.routes,
    environments.routes,
    folders.routes,
    secrets.routes,
    secret_list.routes,
    app_connections.routes,
    secret_syncs.routes,
    identities.routes,
    oidc_auth.routes,
    universal_auth.routes,
    memberships.routes,
    roles.routes,
    user_memberships.routes,
    group_memberships.routes,
)
