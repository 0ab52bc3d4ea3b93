"""The config's side of stage isolation inside Infisical: who may log in, what the preview may read, whether
prod is reachable, and which risks prod may accept by name.

* Every OIDC value a CI identity is bound to (``subjects``, ``audience``) is literal: Infisical's server
  matches bound values as picomatch globs (`components.rules.oidc_subjects`), so ``repo:acme/*`` would
  admit every branch and pull request. The repository name is literal by its pattern.
* Only the PR preview identity trusts pull requests: a deploy identity whose ``subjects`` admit
  ``pull_request`` runs would hand every branch of the repository that stage's secrets, its deploy token
  included. The preview folder is for non-prod stages; prod never gets a preview identity.
* The preview folder, which any same-repo pull request can read, is a folder of its own: not ``/``, not a
  folder the deploy reads (``/cloudflare``) or writes (``/generated``), not the drift check's (``/drift``),
  not a worker's synced-secrets folder
  or one of the stage's listed folders, and not inside or above any of them.
* A managed sync token rotates on a period (an event cadence could never expire it).
* Prod in the same Infisical project as a non-prod identity with a project-wide role is refused, with
  the two fixes, unless Pulumi.prod.yaml acknowledges it by name (see `components.rules.stage_layout`).
* Acknowledgements are prod's alone, and only the known names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from components.config.fields import Loc
from components.config.models import DRIFT_SECRETS_FOLDER, GENERATED_SECRETS_FOLDER, INJECTED_SECRETS_FOLDER
from components.rules.access import ACK_PROD_READABLE, PR_PREVIEW_SUBJECT
from components.rules.oidc_subjects import not_literal_reason
from components.rules.rotation import Period
from components.rules.shared_account import ACK_SHARED_ACCOUNT
from components.rules.stage_layout import PROD, StageLayout, exposures

if TYPE_CHECKING:
    from components.config.stage_config import StageConfig

Problem = tuple[Loc, str]
ACKNOWLEDGEMENTS = (ACK_SHARED_ACCOUNT, ACK_PROD_READABLE)


def problems(config: StageConfig, layouts: Mapping[str, StageLayout] | None) -> Iterator[Problem]:
    """``layouts``: every stage's layout with this stage's own (None: the files are not at hand, or unreadable)."""
    yield from _acknowledgements(config, ("acknowledge",), config.acknowledge)
    infisical = config.infisical
    if infisical is None:
        return
    yield from _acknowledgements(config, ("infisical", "acknowledge"), infisical.acknowledge)
    yield from _identity(config)
    yield from _preview_folder(config)
    if Period.parse(infisical.sync_token.rotate_every) is None:
        yield (
            ("infisical", "syncToken", "rotateEvery"),
            "the sync token rotates on a period such as 30d, 2w or 3mo: it carries an expiry, which an event "
            "cadence cannot give",
        )
    if layouts is None:
        return
    for exposure in exposures(layouts):
        if config.stage == exposure.stage:
            yield ("infisical", "ciIdentity", "role"), exposure.message()
        elif config.stage == PROD:
            yield ("infisical", "projectId"), exposure.message()


def _acknowledgements(config: StageConfig, at: Loc, names: list[str]) -> Iterator[Problem]:
    known = ", ".join(repr(name) for name in ACKNOWLEDGEMENTS)
    for index, name in enumerate(names):
        if name not in ACKNOWLEDGEMENTS:
            yield (*at, index), f"unknown acknowledgement; the known ones are {known}"
        elif not config.is_prod:
            yield (
                (*at, index),
                "an acknowledgement of a risk to prod belongs in Pulumi.prod.yaml (prod's owners accept it)",
            )


def _identity(config: StageConfig) -> Iterator[Problem]:
    assert config.infisical is not None
    identity = config.infisical.ci_identity
    if identity is None:
        return
    for index, subject in enumerate(identity.subjects or []):
        if reason := not_literal_reason(subject):
            yield (
                ("infisical", "ciIdentity", "subjects", index),
                f"a deploy identity's subject must be literal: {reason}. Write each subject exactly, e.g. "
                f"repo:{identity.repository}:environment:{'production' if config.is_prod else config.stage}",
            )
        elif subject.endswith(":" + PR_PREVIEW_SUBJECT):
            yield (
                ("infisical", "ciIdentity", "subjects", index),
                "a deploy identity must not trust pull requests: any branch could log in and read this stage's "
                "secrets. Set infisical.ciIdentity.previewFolder instead; previews then log in with the PR "
                "preview identity, which reads only that folder",
            )
    if identity.subjects is not None and not identity.subjects:
        yield ("infisical", "ciIdentity", "subjects"), "list at least one subject, or leave the key out"
    if identity.audience is not None and (reason := not_literal_reason(identity.audience)):
        yield ("infisical", "ciIdentity", "audience"), f"the audience must be literal: {reason}"


def _preview_folder(config: StageConfig) -> Iterator[Problem]:
    assert config.infisical is not None
    identity = config.infisical.ci_identity
    folder = identity.preview_folder if identity is not None else None
    if folder is None:
        return
    at: Loc = ("infisical", "ciIdentity", "previewFolder")
    if config.is_prod:
        yield at, "prod gets no PR preview identity: pull requests preview a non-prod stage (staging)"
        return
    guarded = {
        INJECTED_SECRETS_FOLDER: "the folder the deploy reads (its Cloudflare token and injected secrets)",
        GENERATED_SECRETS_FOLDER: "the folder of the generated secrets' copies",
        DRIFT_SECRETS_FOLDER: "the folder of the drift check's Cloudflare token",
        **dict.fromkeys(config.infisical.folders, "one of the stage's folders (infisical.folders)"),
        **{
            worker.synced_secrets_folder(name): f"worker {name!r}'s synced-secrets folder"
            for name, worker in sorted(config.workers.items())
            if worker.synced_secret_names()
        },
    }
    if folder == "/":
        yield at, "the preview folder may not be '/': any same-repo pull request can read it; use e.g. /preview"
        return
    for path, what in sorted(guarded.items()):
        relation = _relation(folder, path)
        if relation:
            yield (
                at,
                f"{folder!r} is {relation} {path!r}, {what}: any same-repo pull request can read the preview "
                "folder, so it must hold nothing else; use a folder of its own, e.g. /preview",
            )
            return


def _relation(folder: str, guarded: str) -> str | None:
    """How ``folder`` relates to ``guarded`` (case-insensitively, by whole path segments), if at all."""
    mine, theirs = folder.casefold().rstrip("/"), guarded.casefold().rstrip("/")
    if mine == theirs:
        return "the same folder as"
    if mine.startswith(theirs + "/"):
        return "inside"
    if theirs.startswith(mine + "/"):
        return "a parent of"
    return None
