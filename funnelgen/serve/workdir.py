"""serve's private temp folders (`funnelgen-serve-*` in the system temp dir), and reclaiming stale ones.

Each folder holds an owner marker with the pid (and host) of the serve process that made it. A folder
survives only a kill -9 (Ctrl-C and SIGTERM remove it); the next start removes such folders when their
owner is gone. Only folders with the marker and a dead owner on this host are ever deleted.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

PREFIX = "funnelgen-serve-"
OWNER = ".funnelgen-serve-owner"


def make_workdir() -> Path:
    """A new private folder, marked with this process as its owner (after reclaiming stale ones)."""
    reclaim_stale()
    workdir = Path(tempfile.mkdtemp(prefix=PREFIX))
    (workdir / OWNER).write_text(f"{os.getpid()} {socket.gethostname()}\n", encoding="utf-8")
    return workdir


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: someone else's live process
        return True
    return True


def reclaim_stale(tmp: Path | None = None) -> list[Path]:
    """Remove `funnelgen-serve-*` folders whose owner process (on this host) is gone; returns them."""
    tmp = Path(tmp or tempfile.gettempdir())
    removed = []
    try:
        candidates = [p for p in tmp.iterdir() if p.name.startswith(PREFIX)]
    except OSError:
        return removed
    host = socket.gethostname()
    for folder in candidates:
        try:
            pid_text, _, owner_host = (folder / OWNER).read_text(encoding="utf-8").strip().partition(" ")
            pid = int(pid_text)
        except (OSError, ValueError):
            continue  # no marker (or not ours): never touched
        if owner_host != host or pid <= 0 or pid == os.getpid() or _alive(pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed
