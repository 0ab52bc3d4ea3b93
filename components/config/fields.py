"""The constrained value types of the stage config, and the strict base every config model shares.

Each type carries its pattern and a description; the loader turns a pattern mismatch into "expected
<description>", so a type's description is also its error message.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from components.rules.cron import check_cron
from components.rules.rotation import CADENCE_DESCRIPTION, CADENCE_PATTERN

Loc = tuple[str | int, ...]
"""A location in the config, as pydantic reports it (keys, list indexes and union tags)."""

ResourceKey = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$",
        description="Short resource name: lowercase letters, digits and dashes, 2-32 characters.",
    ),
]
BindingName = Annotated[
    str,
    Field(
        pattern=r"^[A-Z][A-Z0-9_]{0,63}$",
        description="A JavaScript binding name on `env`: UPPER_SNAKE_CASE.",
    ),
]
Hostname = Annotated[
    str,
    Field(
        pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        max_length=253,
        description="A lowercase DNS hostname such as api.example.com.",
    ),
]
HexId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$", description="A 32-character Cloudflare id.")]
IsoDate = Annotated[str, Field(pattern=r"^20[0-9]{2}-[01][0-9]-[0-3][0-9]$", description="A date written YYYY-MM-DD.")]
CronExpression = Annotated[
    str,
    AfterValidator(check_cron),
    Field(
        description="A five-field cron expression in Cloudflare's dialect, e.g. '*/30 * * * *' (UTC; each field "
        "within its range: components/rules/cron.py).",
    ),
]
FolderPath = Annotated[
    str,
    Field(
        pattern=r"^/([A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*)?$",
        description="An Infisical folder path such as /cloudflare/api (letters, digits, '-' and '_').",
    ),
]
Uuid = Annotated[
    str,
    Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", description="A lowercase UUID."),
]
LiveName = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$",
        description="The name a live Cloudflare resource has: lowercase letters, digits, '-' and '_', up to 63.",
    ),
]
ClassName = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z_$][A-Za-z0-9_$]{0,127}$",
        description="A class name the worker's module exports, such as Counter.",
    ),
]
EmailAddress = Annotated[
    str,
    Field(pattern=r"^[^@\s]+@([a-z0-9-]+\.)+[a-z]{2,63}$", description="An email address such as ops@example.com."),
]
ProjectPath = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$",
        description="A folder inside the project, relative to its root, such as workers/web/public.",
    ),
]
AssetRule = Annotated[
    str, Field(pattern=r"^!?/\S*$", description="A path rule such as /api/* (worker first) or !/api/docs/* (assets).")
]
RotateEvery = Annotated[str, Field(pattern=CADENCE_PATTERN, description=CADENCE_DESCRIPTION)]

D1_LOCATIONS = Literal["wnam", "enam", "weur", "eeur", "apac", "oc"]


class Model(BaseModel):
    """Strict base: camelCase keys in YAML, unknown keys refused, values immutable once checked."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
    )
