"""The policy pack: one set of rules (:mod:`policy.checks`) for ``pulumi preview --policy-pack policy``
(``policy/__main__.py``) and for the credential-free plan (``plan/policy.py``).

Kept import-light on purpose: no pulumi_cloudflare, no pydantic. :mod:`policy.names` reads types and
URNs, :mod:`policy.resources` is the rules' view of a resource, :mod:`policy.settings` what the program
registered on its components, and the rules themselves sit in :mod:`policy.secret_checks`,
:mod:`policy.resource_checks`, :mod:`policy.isolation` (Infisical) and :mod:`policy.account_checks` (Cloudflare).
"""
