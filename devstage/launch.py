"""The last step of bin/dev: become the local runtime, handing it the secret values over a pipe.

This process writes one JSON document (the configs, each worker's values, the dev server's options) into a
pipe, closes its end, and execs ``node launcher.cjs <fd>`` with the allowlisted environment: the launcher reads
the pipe once, closes it, and starts wrangler's programmatic API with the values as ``secret_text`` bindings.
So the values pass from this process's memory to node's and on to workerd (over its own stdin pipe) without
touching a file, an argument list or an environment; and after the exec no Python process holds them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from devstage.wrangler import WRANGLER_PACKAGE

LAUNCHER = Path(__file__).with_name("launcher.cjs")


class PipeTooSmallError(RuntimeError):
    """The values do not fit into one pipe buffer (the exec must follow the write, with no reader yet)."""


@dataclass(frozen=True)
class DevServer:
    ip: str
    port: int
    inspector_port: int | None
    state_dir: Path


def payload(
    root: Path, configs: Mapping[str, Path], values: Mapping[str, Mapping[str, str]], server: DevServer
) -> bytes:
    """What the launcher reads: per worker (in ``configs`` order, the first one serves) its config and values."""
    document: dict[str, Any] = {
        "wrangler": str(root / WRANGLER_PACKAGE),
        "workers": [{"config": str(path), "secrets": dict(values.get(worker, {}))} for worker, path in configs.items()],
        "dev": {
            "ip": server.ip,
            "port": server.port,
            "inspectorPort": server.inspector_port,
            "persistTo": str(server.state_dir),
        },
    }
    return json.dumps(document).encode()


def filled_pipe(data: bytes) -> int:
    """A pipe holding ``data`` with its write end closed; returns the read end (inheritable)."""
    read_end, write_end = os.pipe()
    try:
        if len(data) > 65536 and hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux: grow the buffer (default 64 KiB)
            with contextlib.suppress(OSError):  # the buffer stays as it is: the size check below says so
                fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, len(data))
        capacity = fcntl.fcntl(write_end, fcntl.F_GETPIPE_SZ) if hasattr(fcntl, "F_GETPIPE_SZ") else 65536
        if len(data) > capacity:
            raise PipeTooSmallError(f"{len(data)} bytes of secrets do not fit the pipe's {capacity}-byte buffer")
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view) :]
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    os.set_inheritable(read_end, True)
    return read_end


def exec_runtime(data: bytes, env: Mapping[str, str], cwd: Path) -> NoReturn:
    """Replace this process by ``node launcher.cjs <fd>`` reading ``data`` from the pipe ``fd``."""
    node = shutil.which("node", path=env.get("PATH"))
    if node is None:
        raise FileNotFoundError("node is not on PATH")
    fd = filled_pipe(data)
    os.chdir(cwd)
    os.execve(node, [node, str(LAUNCHER), str(fd)], dict(env))  # noqa: S606 (the project's launcher)
