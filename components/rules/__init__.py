"""The rules every part shares: names, stages, secret-looking names, rotation periods, CI access, stage layout.

Standard library (and PyYAML) only, so the config checks, the components and the policy pack all import the same
code without loading Pulumi, pydantic or the Cloudflare SDK.
"""
