"""What an OIDC binding of an Infisical machine identity admits, read the way Infisical's server reads it.

Infisical compares every bound value with ``doesFieldValueMatchOidcPolicy``
(``backend/src/services/identity-oidc-auth/identity-oidc-auth-fns.ts``)::

    policyValue === fieldValue || picomatch.isMatch(fieldValue, policyValue)

so a bound value is a picomatch glob, not a string. ``login`` in ``identity-oidc-auth-service.ts`` matches
``boundSubject`` as one pattern, and splits each bound claim and the audiences on ``", "`` into several
patterns. A binding is literal only when picomatch reads none of its characters as syntax. picomatch's
parser (``lib/parse.js``; the characters it stops at are ``REGEX_NON_SPECIAL_CHARS`` in ``lib/constants.js``,
``@ ! [ ] . , $ * + ? ^ { } ( ) | \\ /``) reads:

* ``*`` and ``?`` as wildcards (``**`` as a globstar), ``[`` ``]`` as a character class;
* ``{`` ``}`` as braces (``{a,b}``, ranges), ``(`` ``)`` and ``|`` as a group with alternatives;
* ``!`` as negation (a leading ``!pattern`` matches everything else) and, before ``(``, like ``@``
  ``+`` ``*`` ``?``, as an extglob;
* ``\\`` as an escape.

``.``, ``$``, ``^`` and ``/`` stay literal (``$`` and ``^`` are escaped), and ``,`` only means something
inside braces; but ``", "`` splits a bound claim into two patterns, so a comma could hide a second one.
Every character above that is syntax, plus the comma, is refused in a subject, a bound claim or an
audience. Measured on a real server: ``repo:acme/app:pull_*``, ``repo:acme/*``, ``repo:acme/app:**``,
``repo:acme/app:?ull_request`` and ``repo:acme/app:{pull_request,environment:staging}`` all admit a
token whose subject is ``repo:acme/app:pull_request``.

Pure standard library: the config checks and the policy pack share it.
"""

from __future__ import annotations

from typing import Final

GLOB_METACHARACTERS: Final = frozenset("*?[]{}()!@+|\\")
"""What picomatch reads as syntax in a pattern (see the module docstring)."""
SEPARATOR: Final = ","
"""Infisical splits bound claims and audiences on ``", "``: a comma could hide a second pattern."""
REFUSED: Final = GLOB_METACHARACTERS | {SEPARATOR}


def glob_characters(value: str) -> list[str]:
    """The characters of ``value`` that make it more than one literal string on Infisical's server."""
    return sorted({character for character in value if character in REFUSED})


def is_literal(value: str) -> bool:
    """Whether Infisical matches ``value`` only against itself (no glob, no second pattern, no padding)."""
    return bool(value) and not glob_characters(value) and value == value.strip()


def bound_parts(bound: str) -> list[str]:
    """The patterns of a bound claim or audience list, split as Infisical's ``login`` splits them."""
    return bound.split(", ")


def not_literal_reason(value: str) -> str | None:
    """Why ``value`` would match more than itself on Infisical's server, or None. Names characters only."""
    found = glob_characters(value)
    if found:
        listed = " ".join(repr(character) for character in found)
        return (
            f"it contains {listed}, which Infisical's server reads as glob syntax or as a separator "
            "(picomatch, in doesFieldValueMatchOidcPolicy), so it would admit other subjects too"
        )
    if value != value.strip() or not value:
        return "it is empty or has spaces around it; write the exact value"
    return None
