"""The event loop the mock runs share, and what a failed run leaves in it.

Pulumi's SDK runs a program on this thread's event loop. A run that fails leaves registrations in flight and
futures holding errors nobody read; asyncio reports each such future with a traceback whenever it is freed,
long after the run. :func:`settle` and :func:`retrieve_failures` end the run cleanly instead, and
:func:`close_event_loop` closes the loop before the process exits, not during interpreter shutdown.
"""

from __future__ import annotations

import asyncio
import gc

import pulumi.runtime.settings as runtime_settings
from pulumi.runtime.sync_await import _sync_await

SETTLE_SECONDS = 60
"""How long a failed run's registrations still in flight get to finish (each fails or succeeds on its own)."""


def settle() -> None:
    """Let the registrations and outputs a failed run still has in flight finish, so nothing resolves later."""
    settings = runtime_settings.SETTINGS
    while in_flight := [f for f in (*settings.rpc_manager.rpcs, *settings.outputs) if not f.done()]:
        _, still = _sync_await(asyncio.wait(in_flight, timeout=SETTLE_SECONDS))
        if still:
            return


def retrieve_failures(error: BaseException) -> None:
    """Read every error the failed run left in a future, and hand those that are not ``error`` to the caller with it.

    When a registration fails, the SDK resolves every output of the resource with the exception three times over
    (value, known, secret) and reads only the value (``pulumi/runtime/rpc.py``, ``transfer_properties``;
    ``pulumi/output.py``, ``Output.__init__``); when several registrations fail, only the first error is raised.
    Unread, each of those futures is reported as "Future exception was never retrieved", with a traceback,
    whenever it is freed, long after the run. So the runner reads them all here: copies of ``error`` are done
    with, and every other failure becomes a note on ``error``, as the engine would list each failed resource.
    Only a failed run pays for the walk over the heap (about 0.1 s).
    """
    raised: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in raised):
        raised.append(current)
        current = current.__cause__ or current.__context__
    others: dict[str, None] = {}
    for found in gc.get_objects():
        unread = isinstance(found, asyncio.Future) and getattr(found, "_log_traceback", False)
        if unread and found.done() and not found.cancelled():
            failed = found.exception()  # read: asyncio reports it no more
            if failed is not None and all(failed is not seen for seen in raised):
                others[f"{type(failed).__name__}: {failed}"] = None
    for other in others:
        error.add_note(f"also failed in the same run: {other}")


def open_event_loop() -> None:
    """The SDK runs on this thread's event loop; make one if :func:`close_event_loop` (or nobody) left none."""
    policy = asyncio.get_event_loop_policy()
    try:
        closed = policy.get_event_loop().is_closed()
    except RuntimeError:  # none set on this thread
        closed = True
    if closed:
        policy.set_event_loop(policy.new_event_loop())


def close_event_loop() -> None:
    """Close the event loop this thread's runs used; a later run opens a new one.

    A process that leaves it open has it closed during interpreter shutdown, which can find the loop's
    self-pipe already gone and print a traceback after a perfectly good run.
    """
    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:  # no run opened one since the last close
        return
    if not loop.is_running():
        loop.close()
        asyncio.set_event_loop(None)
