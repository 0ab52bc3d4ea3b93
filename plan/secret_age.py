"""``bin/plan <stage> --inventory --check-age``: which secrets that Infisical holds are overdue for rotation.

Generated secrets rotate themselves (their keeper follows the period). Injected and synced secrets are
changed by people in Infisical, so their age is read from there: one read-only list call per folder
(``GET /api/v4/secrets`` with ``viewSecretValue=false``, so no value ever leaves Infisical), with the
deploy's own credentials from the environment, through this project's Infisical client. A secret is
overdue when one period has passed since its ``updatedAt``; a secret that is missing is reported too,
since its age cannot be shown, and so is one in a folder the credentials may not list (403).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from components.infisical import InfisicalPermissionError
from components.rules.rotation import Period, parse_utc

LIST_SECRETS = "/api/v4/secrets"

Lister = Callable[[str, str, str], list[dict[str, Any]]]
"""``(project id, environment, folder) -> secrets``: the list call (the Infisical client, or a test's)."""


@dataclass(frozen=True)
class SecretAge:
    name: str
    workers: list[str]
    place: str
    rotate_every: str
    last_changed: str | None
    due: str | None
    status: str
    """``ok``, ``overdue``, ``missing``, or ``unreadable`` (Infisical refused to list the folder: 403)."""


def infisical_lister(client: Any) -> Lister:
    """A `Lister` over an ``InfisicalClient``: names and timestamps only, values hidden by the server."""

    def list_folder(project_id: str, environment: str, folder: str) -> list[dict[str, Any]]:
        params = {"projectId": project_id, "environment": environment, "secretPath": folder}
        data = client.get(LIST_SECRETS, params={**params, "viewSecretValue": "false"})
        return [{"secretKey": s.get("secretKey"), "updatedAt": s.get("updatedAt")} for s in data.get("secrets", [])]

    return list_folder


def check_ages(inventory: dict[str, Any], project_id: str, today: date, list_folder: Lister) -> list[SecretAge]:
    """The age of every injected and synced secret of one stage's inventory that has a rotation period."""
    listed: dict[tuple[str, str], dict[str, str | None] | None] = {}
    ages = []
    for row, key, period in _checked(inventory):
        place = row["infisical"]
        where = (place["environment"], place["folder"])
        if where not in listed:
            try:
                listed[where] = {s["secretKey"]: s.get("updatedAt") for s in list_folder(project_id, *where)}
            except InfisicalPermissionError:  # the identity may not describe this folder's secrets
                listed[where] = None
        found = listed[where]
        changed = parse_utc(str(found[key])) if found and found.get(key) else None
        due = period.after(changed) if changed else None
        if found is None:
            status = "unreadable"
        else:
            status = "missing" if changed is None else "overdue" if due is not None and today >= due else "ok"
        ages.append(
            SecretAge(
                name=key,
                workers=row["workers"],
                place=f"{place['environment']}:{place['folder']}",
                rotate_every=row["rotateEvery"],
                last_changed=changed.isoformat() if changed else None,
                due=due.isoformat() if due else None,
                status=status,
            )
        )
    return ages


def _checked(inventory: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str, Period]]:
    """Rows held in Infisical with a period, with the key they have there (an injected secret's variable)."""
    for row in inventory["secrets"]:
        period = Period.parse(row["rotateEvery"])
        if row["owner"] not in ("inject", "sync") or period is None or row["infisical"] is None:
            continue
        key = row["name"] if row["owner"] == "sync" else row["variable"]
        if key is not None:  # a sandbox bound empty is kept nowhere
            yield row, key, period


def as_json(ages: list[SecretAge]) -> list[dict[str, Any]]:
    return [asdict(age) for age in ages]
