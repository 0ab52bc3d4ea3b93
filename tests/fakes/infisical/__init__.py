"""A local, stateful, Infisical-compatible API for tests (starlette app served by uvicorn)."""

from .faults import DropConnection, EchoError, ErrorResponse, RateLimited, SlowResponse
from .oidc import GITHUB_ISSUER, OidcIssuer
from .server import FakeInfisical

__all__ = [
    "GITHUB_ISSUER",
    "DropConnection",
    "EchoError",
    "ErrorResponse",
    "FakeInfisical",
    "OidcIssuer",
    "RateLimited",
    "SlowResponse",
]
