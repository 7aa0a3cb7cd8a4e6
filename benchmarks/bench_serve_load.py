"""A bounded local load test of `funnelgen serve` (not a timed test: run it by hand or with `make bench`).

    python benchmarks/bench_serve_load.py [--pages 50] [--clients 50] [--rate 100] [--seconds 10] [--threads 4]

Starts a Preview of a generated site on 127.0.0.1 (a free port, loopback only), opens `--clients`
live-reload (SSE) streams, then sends `--rate` page GETs per second for `--seconds` from `--threads`
threads (open loop: each request has its slot in the schedule, one new connection per request, as a
worst case for the accept loop). At the end one rebuild must reach every stream. Prints the errors and
the p50/p95/p99 latency. Target: 0 errors, p99 < 100 ms. Everything is bounded (at most 100 streams,
200 requests/s, 30 s) and stops by itself; nothing is written outside a temp folder.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

HOST = "127.0.0.1"  # loopback only, whatever the arguments say
LIMITS = {"clients": 100, "rate": 200, "seconds": 30, "threads": 8, "pages": 500}


class Stream:
    """One live-reload client: an open /_fg/events stream that counts the build events it receives."""

    def __init__(self, port: int):
        self.builds = 0
        self.hello = threading.Event()
        self.got_build = threading.Event()
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.conn.request("GET", "/_fg/events")
        self.resp = self.conn.getresponse()
        if self.resp.status != 200:
            raise RuntimeError(f"event stream answered {self.resp.status}")
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self.resp:
                line = raw.decode("utf-8").strip()
                if line == "event: hello":
                    self.hello.set()
                elif line == "event: build":
                    self.builds += 1
                    self.got_build.set()
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        self.conn.close()


def fire(port: int, paths: list[str], slots: list[float], results: list, errors: list) -> None:
    """Send one GET per slot (perf_counter times), each on a new connection; record latency or error."""
    for i, at in enumerate(slots):
        delay = at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        path = paths[i % len(paths)]
        started = time.perf_counter()
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200 or b"fg-dev" not in body:
                errors.append(f"{path}: HTTP {resp.status}")
            else:
                results.append(time.perf_counter() - started)
        except OSError as exc:
            errors.append(f"{path}: {type(exc).__name__}: {exc}")
        finally:
            conn.close()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--rate", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()
    for name, limit in LIMITS.items():  # bounded, whatever was asked
        setattr(args, name, max(1, min(getattr(args, name), limit)))

    from sitegen import make_site

    from funnelgen.serve import Preview

    with tempfile.TemporaryDirectory(prefix="fg-bench-load-") as tmp:
        src = make_site(Path(tmp) / "site", args.pages)
        preview = Preview(src, HOST, 0, watch=False, cache_dir=Path(tmp) / "cache")
        streams: list[Stream] = []
        try:
            outcome = preview.start()
            if not outcome.ok:
                print("the generated site did not build:", *[p.format() for p in outcome.problems], sep="\n")
                return 1
            port = preview.server.server_address[1]
            paths = [ref.url for ref in preview.builder.site.pages()]
            streams = [Stream(port) for _ in range(args.clients)]
            connected = sum(s.hello.wait(10) for s in streams)

            total = int(args.rate * args.seconds)
            t0 = time.perf_counter() + 0.2
            schedule = [t0 + i / args.rate for i in range(total)]
            results: list[float] = []
            errors: list[str] = []
            workers = [threading.Thread(target=fire, args=(port, paths[k::args.threads] or paths,
                                                           schedule[k::args.threads], results, errors))
                       for k in range(args.threads)]
            for w in workers:
                w.start()
            for w in workers:
                w.join(args.seconds + 30)
            elapsed = time.perf_counter() - t0

            preview.server.rebuild(None)  # every stream must still be alive and hear it
            reached = sum(s.got_build.wait(10) for s in streams)
        finally:
            for s in streams:
                s.close()
            preview.close()

    ok = not errors and connected == args.clients and reached == args.clients
    print(f"site: {args.pages} pages; {args.clients} SSE clients connected: {connected}, "
          f"reached by the final rebuild: {reached}")
    print(f"requests: {len(results) + len(errors)} of {total} in {elapsed:.1f} s "
          f"({(len(results) + len(errors)) / elapsed:.0f}/s from {args.threads} threads), errors: {len(errors)}")
    for line in errors[:10]:
        print("  error:", line)
    if results:
        ms = [r * 1000 for r in results]
        print(f"latency ms: p50 {pct(ms, 50):.1f}  p95 {pct(ms, 95):.1f}  p99 {pct(ms, 99):.1f}  "
              f"max {max(ms):.1f}  mean {statistics.fmean(ms):.1f}")
        ok = ok and pct(ms, 99) < 100
    print("target (0 errors, p99 < 100 ms):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
