"""picomatch's ``isMatch(value, pattern)`` for the patterns Infisical matches: role paths and OIDC bindings.

Infisical matches a ``$glob`` condition with picomatch (``conditionsMatcher``, backend/src/lib/casl/index.ts,
``strictSlashes: false``) and an OIDC subject, audience or claim binding with ``policy === value ||
picomatch.isMatch(value, policy)`` (``doesFieldValueMatchOidcPolicy``/``doesAudValueMatchOidcPolicy``,
backend/src/services/identity-oidc-auth/identity-oidc-auth-fns.ts). The subset modelled: ``**`` crosses
``/``, ``*`` and ``?`` stay inside one segment, ``{a,b}`` alternates, ``/x/**`` also matches ``/x``.
"""

from __future__ import annotations

import re

__all__ = ["glob_matches", "oidc_policy_matches"]


def glob_matches(value: str, pattern: str) -> bool:
    """picomatch's ``isMatch(value, pattern, {strictSlashes: false})`` for the patterns roles use.

    ``**`` crosses folders, ``*`` and ``?`` stay inside one, ``{a,b}`` alternates; ``/x/**`` also matches
    ``/x`` itself, and a trailing slash on the value is ignored.
    """
    if pattern == "":
        return False
    regex = ""
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("/**", index) and index + 3 == len(pattern):
            regex += "(/.*)?"
            index += 3
            continue
        if pattern.startswith("**", index):
            regex += ".*"
            index += 2
            continue
        if char == "*":
            regex += "[^/]*"
        elif char == "?":
            regex += "[^/]"
        elif char == "{" and "}" in pattern[index:]:
            end = pattern.index("}", index)
            regex += "(" + "|".join(re.escape(part) for part in pattern[index + 1 : end].split(",")) + ")"
            index = end
        else:
            regex += re.escape(char)
        index += 1
    subject = value.rstrip("/") or "/" if len(value) > 1 else value
    return re.fullmatch(regex, subject) is not None


def oidc_policy_matches(value: object, policy: str) -> bool:
    """``doesFieldValueMatchOidcPolicy``: booleans and numbers compare as such, lists match any entry."""
    if isinstance(value, bool):
        return value is (policy == "true")
    if isinstance(value, (int, float)):
        return str(value) == policy.strip()
    if isinstance(value, list):
        return any(oidc_policy_matches(entry, policy) for entry in value)
    text = str(value)
    return text == policy or glob_matches(text, policy)
