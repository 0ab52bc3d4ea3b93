"""The quiet-suite guard: an error asyncio reports because nobody retrieved it fails the run.

A future or task whose exception is never read is reported by asyncio when it is garbage collected
("Future exception was never retrieved", with a traceback), on the ``asyncio`` logger. Outside a test
that report goes straight to stderr, so a passing suite printed tracebacks. The fix belongs where the
future is left behind; this guard makes such a leak fail the test it happened in (or, for one found only
by the last collection, the session) instead of scrolling past. ``tests/conftest.py`` installs it.
"""

from __future__ import annotations

import gc
import logging

ASYNCIO = logging.getLogger("asyncio")


class StrayAsyncioErrors(logging.Handler):
    """Keeps every error asyncio logs: unretrieved exceptions, failed callbacks, tasks destroyed pending."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.reports: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.reports.append(self.format(record))

    def take(self) -> list[str]:
        taken, self.reports = self.reports, []
        return taken

    def collected(self) -> list[str]:
        """What a full garbage collection still turns up (futures only freed by it)."""
        gc.collect()
        return self.take()


def describe(reports: list[str]) -> str:
    first = reports[0]
    return (
        f"asyncio reported {len(reports)} error(s) nobody retrieved (a future or task left behind with an exception); "
        "retrieve them where they are made. A report comes when the future is freed, which can be during a later "
        f"test: the traceback names the code that raised. The first:\n{first}"
    )
