"""Valid inputs of a few providers, for the check and diff tests (each test edits a copy)."""

SYNC = {
    "name": "api",
    "project_id": "p1",
    "connection_id": "c1",
    "environment": "dev",
    "script_id": "api-worker",
}
ROLE = {"project_id": "p", "slug": "r", "name": "R", "permissions": [{"subject": "secrets", "action": ["readValue"]}]}
OIDC = {"identity_id": "i1", "oidc_discovery_url": "https://issuer", "bound_issuer": "https://issuer"}
