"""Watch folders with watchdog and hand debounced batches of changed paths to a callback.

Every event's paths (both ends of a rename, so editors that save by writing a
temp file and renaming it over the original work) go into one pending set.
The callback runs on a single worker thread once no event has arrived for
`quiet` seconds (or `max_wait` after the first one), so a save-all or a git
checkout becomes one rebuild. Events that arrive during a rebuild are batched
into the next one.
"""

from __future__ import annotations

import os
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

# watchdog's recursive inotify watch warns when nested folders appear quickly (mkdir -p); it copes by itself.
warnings.filterwarnings("ignore", message="Callback with id .* already exists", category=RuntimeWarning)

IGNORED_EVENTS = ("opened", "closed_no_write")
EDITOR_JUNK = ("~", ".swp", ".swx", ".swpx", ".tmp", ".part", ".crdownload")


def is_junk(path: str) -> bool:
    """Editor backup/swap/lock files never trigger a rebuild."""
    name = os.path.basename(path)
    return (name.startswith((".#", "#")) or name.endswith(EDITOR_JUNK) or name == "4913"
            or name.startswith(".goutputstream"))


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher):
        self.watcher = watcher

    def on_any_event(self, event) -> None:
        if event.event_type in IGNORED_EVENTS or (event.is_directory and event.event_type == "modified"):
            return  # a folder's mtime changes with every file saved in it
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        self.watcher.add([os.fsdecode(p) for p in paths if p])


class Watcher:
    def __init__(self, on_batch: Callable[[set[Path]], None], quiet: float = 0.02, max_wait: float = 1.0,
                 poll: bool = False):
        self.on_batch = on_batch
        self.quiet = quiet
        self.max_wait = max_wait
        self._pending: set[Path] = set()
        self._first = self._last = 0.0
        self._cond = threading.Condition()
        self._stop = False
        if poll:  # network drives, WSL's /mnt, some containers: no native events
            from watchdog.observers.polling import PollingObserver

            self._observer = PollingObserver(timeout=0.5)
        else:
            self._observer = Observer()
        self._observer.daemon = True
        self._watches: dict[Path, object] = {}
        self._handler = _Handler(self)
        self._thread = threading.Thread(target=self._run, name="funnelgen-rebuild", daemon=True)

    def watch(self, paths: list[Path]) -> None:
        """Watch exactly these folders (recursively); safe to call again with a new list."""
        wanted = {Path(p) for p in paths if Path(p).is_dir()}
        for path in list(self._watches):
            if path not in wanted:
                self._observer.unschedule(self._watches.pop(path))
        for path in wanted - set(self._watches):
            self._watches[path] = self._observer.schedule(self._handler, str(path), recursive=True)

    def start(self) -> None:
        self._observer.start()
        self._thread.start()

    def add(self, paths: list[str]) -> None:
        now = time.monotonic()
        with self._cond:
            fresh = [Path(p) for p in paths if not is_junk(p)]
            if not fresh:
                return
            if not self._pending:
                self._first = now
            self._pending.update(fresh)
            self._last = now
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                # Debounce: wait for a quiet gap, but never longer than max_wait in total.
                while not self._stop:
                    now = time.monotonic()
                    due = min(self._last + self.quiet, self._first + self.max_wait)
                    if now >= due:
                        break
                    self._cond.wait(due - now)
                if self._stop:
                    return
                batch, self._pending = self._pending, set()
            try:
                self.on_batch(batch)
            except Exception as exc:  # noqa: BLE001 - the watcher must survive any builder bug
                import sys

                print(f"funnelgen serve: rebuild crashed: {type(exc).__name__}: {exc}", file=sys.stderr)

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        try:
            self._observer.stop()
            self._observer.join(timeout=5)
        except RuntimeError:  # never started
            pass
        if self._thread.is_alive():
            self._thread.join(timeout=30)
