"""An OIDC issuer on loopback, so OIDC logins can be tested against any Infisical without the internet.

Infisical fetches ``<discovery url>/.well-known/openid-configuration`` when OIDC auth is attached and, at
each login, the ``jwks_uri`` it names, then checks the token's RS256 signature, issuer, subject, audience
and claims. `LoopbackIssuer` serves both documents on ``http://127.0.0.1:<port>`` (an address, not the host
name ``localhost``, which Infisical refuses outright) and mints the tokens, playing GitHub Actions. A real
Infisical reaches it only when it runs on the same machine with ``ALLOW_INTERNAL_IP_CONNECTIONS=true``
(docs/infisical-provider.md, "Acceptance tests against a real Infisical").

A server elsewhere (Infisical Cloud) reaches it through a tunnel: ``port`` fixes the local port and
``public_url`` is the address the server uses, which the documents then name as issuer and JWKS URL.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from tests.fakes.infisical.oidc import OidcIssuer

DISCOVERY_PATH = "/.well-known/openid-configuration"
JWKS_PATH = "/jwks"


class LoopbackIssuer:
    """Serves a discovery document and a JWKS on 127.0.0.1 (OS-chosen port) and signs ID tokens."""

    def __init__(self, *, port: int = 0, public_url: str | None = None) -> None:
        documents: dict[str, bytes] = {}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = documents.get(self.path.split("?", 1)[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body or b"{}")

            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: no line per request on stderr

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = (public_url or f"http://127.0.0.1:{self._server.server_address[1]}").rstrip("/")
        self.signer = OidcIssuer(issuer=self.url, kid="loopback-1")
        documents[DISCOVERY_PATH] = json.dumps(
            {
                "issuer": self.url,
                "jwks_uri": f"{self.url}{JWKS_PATH}",
                "id_token_signing_alg_values_supported": ["RS256"],
                "subject_types_supported": ["public"],
                "response_types_supported": ["id_token"],
            }
        ).encode()
        documents[JWKS_PATH] = json.dumps(self.signer.jwks()).encode()
        self._thread = threading.Thread(target=self._server.serve_forever, name="oidc-issuer", daemon=True)

    @property
    def issuer(self) -> str:
        return self.url

    @property
    def discovery_url(self) -> str:
        return self.url

    def token(self, *, subject: str, audience: str, claims: Mapping[str, Any] | None = None) -> str:
        """An RS256 ID token as GitHub Actions issues one (``iss`` is this issuer)."""
        return self.signer.token(subject=subject, audience=audience, claims=claims)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
