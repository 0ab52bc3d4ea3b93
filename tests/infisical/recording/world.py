"""The replay's memory: which object of the fake each ``<uuid>`` of a recorded request stands for.

The recording wrote every id as ``<uuid>``, so the replay keeps, per kind of object (project, folder,
identity …), the ids the fake has answered with, most recently used last. A placeholder stands for the
most recently used object of its kind that fits the exchange:

* the object the recorded answer describes, when it names one (a folder called ``preview``, the identity
  whose OIDC auth binds ``…:environment:staging``);
* one the request can apply to (an attach of OIDC auth: an identity without one; a membership read: an
  identity that is a member of the project);
* otherwise simply the last one used, which is how a read after a delete finds the deleted object.

Random name parts (``<rand>``) become one concrete value per placeholder string, except that a create
repeating a name an earlier create already used gets a fresh one (the recorder made eight roles all
written ``r-<rand>``).
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from tests.fakes.infisical import FakeInfisical

from .exchanges import Exchange

Fits = Callable[[str], bool]
RANDOM_PART = re.compile(r"[\w.-]*<rand>[\w.-]*")
"""A name with a random part, as the recorder wrote it: ``cf-<rand>``, ``real-test-<rand>``."""

SEGMENT_KINDS = {
    "projects": "project",
    "workspace": "project",
    "roles": "role",
    "environments": "environment",
    "folders": "folder",
    "id": "secret",
    "identities": "identity",
    "cloudflare": "connection",
    "cloudflare-workers": "sync",
    "identity-memberships": "identity",
    "memberships": "user_membership",
    "groups": "group",
}
BODY_KINDS = {
    "projectId": "project",
    "connectionId": "connection",
    "identityId": "identity",
    "clientId": "ua_client",
    "organizationId": "organization",
}
NAME_FIELDS = {
    "project": "name",
    "environment": "slug",
    "folder": "name",
    "secret": "secretKey",
    "identity": "name",
    "role": "slug",
    "connection": "name",
    "sync": "name",
    "group": "name",
}


def path_kinds(route: str) -> list[str]:
    """The kind of each ``<uuid>`` in a recorded path, from the segment before it."""
    parts = route.strip("/").split("/")
    kinds = []
    for position, part in enumerate(parts):
        if part != "<uuid>":
            continue
        before = parts[position - 1]
        if before == "identity-memberships" and parts[position - 2] == "workspace":
            kinds.append("identity_membership")  # /api/v2/workspace/identity-memberships/<membership id>
        else:
            kinds.append(SEGMENT_KINDS[before])
    return kinds


class World:
    """Ids the fake answered with, per kind (most recently used last), and concrete random names."""

    def __init__(self, fake: FakeInfisical) -> None:
        self.fake = fake
        self.used: dict[str, list[str]] = defaultdict(list)
        self.names: dict[str, str] = {}
        """Concrete value -> the recorded string it stands for (to write answers back as recorded)."""
        self._concrete: dict[str, str] = {}
        self._created: dict[tuple[str, str], int] = {}
        """(route, recorded name) -> the line whose create took it."""

    # -- objects ----

    def remember(self, kind: str, object_id: str | None) -> None:
        if not object_id:
            return
        ids = self.used[kind]
        if object_id in ids:
            ids.remove(object_id)
        ids.append(object_id)

    def pick(self, kind: str, fits: Fits | None = None) -> str:
        """The most recently used id of ``kind`` that ``fits``; a fresh uuid when none does (a 404 probe)."""
        if kind == "organization":
            return self.fake.org_id
        for object_id in reversed(self.used[kind]):
            if fits is None or fits(object_id):
                self.remember(kind, object_id)
                return object_id
        return str(uuid.uuid4())

    def last(self, kind: str) -> str | None:
        return self.used[kind][-1] if self.used[kind] else None

    # -- names ----

    def concrete(self, value: Any, exchange: Exchange | None = None, *, create: bool = False) -> Any:
        """``value`` with every ``<rand>`` replaced; ``create`` marks names a successful create takes."""
        if isinstance(value, str):
            return RANDOM_PART.sub(lambda m: self._name(m.group(0), exchange, create), value)
        if isinstance(value, list):
            return [self.concrete(item, exchange, create=create) for item in value]
        if isinstance(value, Mapping):
            return {key: self.concrete(item, exchange, create=create) for key, item in value.items()}
        return value

    def _name(self, recorded: str, exchange: Exchange | None, create: bool) -> str:
        key = (exchange.route if exchange else "", recorded)
        line = exchange.index if exchange else -1
        if create and self._created.get(key, line) != line:
            self._concrete.pop(recorded, None)
        if recorded not in self._concrete:
            concrete = recorded.replace("<rand>", f"x{secrets.token_hex(3)}")
            self._concrete[recorded] = concrete
            self.names[concrete] = recorded
        if create:
            self._created[key] = line
        return self._concrete[recorded]

    def named(self, kind: str, recorded_name: str) -> Fits:
        """Fits the objects of ``kind`` whose name (slug, key …) is ``recorded_name`` made concrete."""
        name = self.concrete(recorded_name)
        field = {"environment": "slug", "role": "slug", "secret": "key"}.get(kind, "name")

        def fits(object_id: str) -> bool:
            row = self.row(kind, object_id)
            return row is not None and row.get(field) == name

        return fits

    # -- the fake's rows ----

    def row(self, kind: str, object_id: str) -> dict[str, Any] | None:
        store = self.fake.store
        with store.lock:
            if kind == "identity_membership":
                found = next((m for m in store.memberships.values() if m["id"] == object_id), None)
                return dict(found) if found else None
            table = {
                "project": store.projects,
                "environment": store.environments,
                "folder": store.folders,
                "secret": store.secrets,
                "identity": store.identities,
                "role": store.roles,
                "connection": store.connections,
                "sync": store.syncs,
                "user_membership": store.user_memberships,
                "group": store.groups,
            }.get(kind)
            row = table.get(object_id) if table is not None else None
            return dict(row) if row else None

    def has_oidc(self, identity_id: str) -> bool:
        with self.fake.store.lock:
            return identity_id in self.fake.store.oidc_auths

    def has_universal_auth(self, identity_id: str) -> bool:
        with self.fake.store.lock:
            return identity_id in self.fake.store.universal_auth_configs

    def is_member(self, project_id: str, identity_id: str) -> bool:
        with self.fake.store.lock:
            return (project_id, identity_id) in self.fake.store.memberships
