"""The policy pack: one set of rules (:mod:`policy.rules`) for ``pulumi preview --policy-pack policy``
(``policy/__main__.py``) and for the credential-free plan (``plan/policy.py``).

Kept import-light on purpose: no pulumi_cloudflare, no pydantic.
"""
