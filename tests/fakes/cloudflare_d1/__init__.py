"""A local stand-in for the D1 part of Cloudflare's API, backed by SQLite, for wrangler's remote D1 commands."""

from .server import StandInCloudflare
from .store import Account, Call, Database

__all__ = ["Account", "Call", "Database", "StandInCloudflare"]
