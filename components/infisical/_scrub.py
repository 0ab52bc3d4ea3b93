"""Removal of credentials and secret values from any text that may end up in an error or a log.

Infisical's messages can echo what they were sent (a zod issue quoting a value, a service error quoting a
field), and httpx messages can quote URLs. Rather than trusting every message source, the client runs all
text through one `Scrubber` that knows every secret the current process has sent or holds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

REDACTED = "[redacted]"

# Body keys whose values are secret wherever they appear in a request sent to Infisical.
SECRET_BODY_KEYS = frozenset({"secretValue", "apiToken", "clientSecret", "jwt", "accessToken", "token", "password"})

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)\bbearer\s+[^\s\"',;]+")


def _variants(secret: str) -> set[str]:
    """The forms a secret can take inside a message: as sent, trimmed (Infisical trims), JSON-escaped."""
    forms = {secret, secret.strip()}
    forms |= {json.dumps(form)[1:-1] for form in list(forms)}
    return {form for form in forms if form.strip()}


class Scrubber:
    """Replaces known secrets, bearer tokens and JWT-shaped strings with ``[redacted]``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        for secret in secrets:
            if isinstance(secret, str):
                self._secrets |= _variants(secret)

    def add_from_body(self, body: Any) -> None:
        """Remember every value sent under a secret-bearing key, at any depth of a JSON body."""
        if isinstance(body, dict):
            for key, value in body.items():
                if key in SECRET_BODY_KEYS:
                    self._add_leaves(value)
                else:
                    self.add_from_body(value)
        elif isinstance(body, list):
            for item in body:
                self.add_from_body(item)

    def _add_leaves(self, value: Any) -> None:
        if isinstance(value, str):
            self.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                self._add_leaves(item)
        elif isinstance(value, list):
            for item in value:
                self._add_leaves(item)

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        text = _BEARER.sub(f"Bearer {REDACTED}", text)
        return _JWT.sub(REDACTED, text)

    def __repr__(self) -> str:
        return f"Scrubber({len(self._secrets)} secrets)"

    def __reduce__(self) -> Any:
        raise TypeError("a Scrubber holds secrets and must never be pickled")
