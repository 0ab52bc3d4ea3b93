"""Hostnames and routes: each stage serves only its own, by the config check against the committed stages.

The committed example keeps prod in its own zone (example.com) and the non-prod stages in theirs
(example.net), so most of these move a stage into prod's zone first: the zone check alone must not be what
refuses another stage's hostname.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.config import StageConfigError, parse_stage_config
from components.rules.hostnames import Claim, carries_label, claims_of, globs_meet, overlaps
from tests.conftest import PROJECT, config_problems, raw_config

PROD_ZONE = {"name": "example.com", "id": "023e105f4ecef8ad9ca31a8372d0c353"}


def in_prods_zone(stage: str, **api: Any) -> dict[str, Any]:
    raw = raw_config(stage)
    raw["zone"] = dict(PROD_ZONE)
    raw["workers"]["api"].update(api)
    return raw


@pytest.mark.parametrize(
    ("first", "second", "meet"),
    [
        ("api.example.com", "api.example.com", True),
        ("*.example.com", "api.example.com", True),
        ("*example.com", "example.com", True),
        ("*example.com", "api.staging.example.com", True),
        ("api.*.example.com", "*.prod.example.com", True),
        ("*.dev.example.net", "api.staging.example.net", False),
        ("api.example.com", "api.example.co", False),
        ("v1/*", "v2/x", False),
        ("v1/*", "*", True),
        ("admin*", "*min", True),
    ],
)
def test_two_globs_meet_when_one_string_matches_both(first: str, second: str, meet: bool) -> None:
    assert globs_meet(first, second) is meet
    assert globs_meet(second, first) is meet


def test_a_custom_domain_takes_every_path_and_a_route_only_its_own() -> None:
    domain = Claim("prod", "api", "domains", 0, "api.example.com")
    assert overlaps(Claim("dev", "api", "routes", 0, "api.example.com/v1/*"), domain)
    assert overlaps(Claim("dev", "api", "routes", 0, "API.Example.com/x"), domain)  # hosts are case-insensitive
    v1, v2 = Claim("a", "w", "routes", 0, "x.example.com/v1/*"), Claim("b", "w", "routes", 0, "x.example.com/v2/*")
    assert not overlaps(v1, v2)


@pytest.mark.parametrize(
    ("host", "carries"),
    [
        ("api.staging.example.com", True),
        ("staging.example.com", True),
        ("*.staging.example.com", True),
        ("*staging.example.com", False),  # matches notstaging.example.com too
        ("*.example.com", False),
        ("api.staging-x.example.com", False),
        ("staging.*.example.com", False),  # the wildcard could stand for anything after the label
    ],
)
def test_a_non_prod_host_carries_its_stage_as_a_whole_label(host: str, carries: bool) -> None:
    assert carries_label(host, "staging") is carries


def test_claims_are_read_with_their_config_path() -> None:
    claims = claims_of("dev", {"api": {"domains": ["a.dev.example.net"], "routes": ["b.dev.example.net/*"]}})
    assert [claim.where for claim in claims] == ["workers.api.domains[0]", "workers.api.routes[0]"]


# --- the config check, against the committed stages ----------------------------------------------------------


def test_dev_may_not_route_a_path_of_prods_hostname() -> None:
    found = config_problems(in_prods_zone("dev", routes=["api.example.com/v1/*"]), "dev")
    message = found[f"{PROJECT}:workers.api.routes[0]"]
    assert "hostname 'api.example.com' (workers.api.domains[0] in Pulumi.prod.yaml)" in message


def test_staging_wildcard_routes_are_refused() -> None:
    found = config_problems(in_prods_zone("staging", domains=[], routes=["example.com/*", "*.example.com/admin*"]))
    assert "does not carry the stage label 'staging'" in found[f"{PROJECT}:workers.api.routes[0]"]
    assert "Pulumi.prod.yaml" in found[f"{PROJECT}:workers.api.routes[1]"]  # it would catch api.example.com


def test_staging_may_not_take_prods_domain() -> None:
    found = config_problems(in_prods_zone("staging", domains=["api.example.com"]))
    assert "Pulumi.prod.yaml" in found[f"{PROJECT}:workers.api.domains[0]"]


def test_prod_may_not_catch_a_non_prod_hostname_with_a_wildcard() -> None:
    raw = raw_config("prod")
    raw["zone"] = {"name": "example.net", "id": PROD_ZONE["id"]}
    raw["workers"]["api"].update(domains=[], routes=["*.example.net/*"])
    message = config_problems(raw, "prod")[f"{PROJECT}:workers.api.routes[0]"]
    assert "Pulumi.dev.yaml" in message and "Pulumi.staging.yaml" in message


def test_a_stage_label_of_its_own_is_accepted() -> None:
    raw = raw_config("staging")
    raw["workers"]["api"]["routes"] = ["*.staging.example.net/hooks/*"]
    assert parse_stage_config(raw, stage="staging", namespace=PROJECT).workers["api"].routes


def test_a_pr_stage_copied_with_stagings_hostnames_is_refused() -> None:
    with pytest.raises(StageConfigError) as caught:
        parse_stage_config(raw_config("staging"), stage="pr-12", namespace=PROJECT)
    said = [message for path, message in caught.value.problems if path == f"{PROJECT}:workers.api.domains[0]"]
    assert any("names stage 'staging'" in message for message in said)
    assert any("(workers.api.domains[0] in Pulumi.staging.yaml)" in message for message in said)
