"""The config's side of stage isolation: who may log in to Infisical, whether prod is reachable, and
how long the Cloudflare sync token lives.

* Only the PR preview identity trusts pull requests: a deploy identity whose ``subjects`` admit
  ``pull_request`` runs (or any run, by glob) would hand every branch of the repository that stage's
  secrets, its deploy token included.
* The preview folder is for non-prod stages; prod never gets a preview identity.
* A managed sync token rotates on a period (an event cadence could never expire it).
* Prod in the same Infisical project as a non-prod identity with a project-wide role is refused, with
  the two fixes, unless Pulumi.prod.yaml acknowledges it by name (see `components.rules.stage_layout`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from components.config.fields import Loc
from components.rules.access import ACK_PROD_READABLE, trusts_pull_requests
from components.rules.rotation import Period
from components.rules.stage_layout import PROD, exposures, layouts_with

if TYPE_CHECKING:
    from components.config.stage_config import StageConfig

Problem = tuple[Loc, str]
ACKNOWLEDGEMENTS = (ACK_PROD_READABLE,)


def problems(config: StageConfig, project_root: Path | None) -> Iterator[Problem]:
    infisical = config.infisical
    if infisical is None:
        return
    identity = infisical.ci_identity
    subjects = identity.subjects if identity is not None else None
    if identity is not None and subjects is not None and trusts_pull_requests(subjects, identity.repository):
        yield (
            ("infisical", "ciIdentity", "subjects"),
            "a deploy identity must not trust pull requests (a pull_request subject or a glob): any branch could "
            "log in and read this stage's secrets. Set infisical.ciIdentity.previewFolder instead; previews then "
            "log in with the PR preview identity, which reads only that folder",
        )
    if identity is not None and identity.preview_folder is not None and config.is_prod:
        yield (
            ("infisical", "ciIdentity", "previewFolder"),
            "prod gets no PR preview identity: pull requests preview a non-prod stage (staging)",
        )
    if Period.parse(infisical.sync_token.rotate_every) is None:
        yield (
            ("infisical", "syncToken", "rotateEvery"),
            "the sync token rotates on a period such as 30d, 2w or 3mo: it carries an expiry, which an event "
            "cadence cannot give",
        )
    for index, name in enumerate(infisical.acknowledge):
        if name not in ACKNOWLEDGEMENTS:
            yield ("infisical", "acknowledge", index), f"unknown acknowledgement; the only one is {ACK_PROD_READABLE!r}"
        elif not config.is_prod:
            yield (
                ("infisical", "acknowledge", index),
                "an acknowledgement of a risk to prod belongs in Pulumi.prod.yaml (prod's owners accept it)",
            )
    if project_root is None:
        return
    raw = infisical.model_dump(by_alias=True, mode="json", exclude_none=True)
    for exposure in exposures(layouts_with(config.stage, raw, project_root)):
        if config.stage == exposure.stage:
            yield ("infisical", "ciIdentity", "role"), exposure.message()
        elif config.stage == PROD:
            yield ("infisical", "projectId"), exposure.message()
