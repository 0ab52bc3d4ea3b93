"""Which inputs replace an Infisical object: each provider's own declaration (``prop(replace=True)``).

The Infisical resources are this repository's dynamic providers (``components/infisical``): their schema is the
source, as terraform-provider-cloudflare's is for the Cloudflare table. Read once, by type token.
"""

from __future__ import annotations

import inspect
from functools import cache

from components import infisical
from policy.names import short_type


@cache
def _replacing() -> dict[str, tuple[str, frozenset[str]]]:
    """``infisical:<Class>`` → (the module declaring it, the inputs whose change needs a new object)."""
    found = {}
    for cls in vars(infisical).values():
        provider = getattr(cls, "provider_class", None)
        if inspect.isclass(cls) and provider is not None:
            module = cls.__module__.replace(".", "/") + ".py"
            found[f"infisical:{cls.__name__}"] = (module, frozenset(provider.schema.replace_names))
    return found


def infisical_replaced_by(type_token: str, changed: set[str]) -> list[tuple[str, str]]:
    """(input, the module that declares it replacing) for each changed input that replaces the object."""
    module, replacing = _replacing().get(short_type(type_token), ("", frozenset()))
    return [(prop, module) for prop in sorted(changed & replacing)]
