"""Build benchmark: funnelgen against the floor (benchmarks/floor.py) and Hugo, same pages, same run.

Usage: python benchmarks/bench_build.py [--sizes 1000,5000] [--repeat 3]

Every measurement is a whole command in a fresh process (start-up counts). The commands of one size run in
turn, `--repeat` times, so a busy machine slows all of them alike; each cell is a median, and the table
reports ratios between cells of the same run, never absolute targets. Peak memory is the largest resident
set reported for the command (wait4's ru_maxrss).

Rows (docs/architecture.md keeps the latest table and the targets of issue #10):
- floor -j1 / floor -j2: markdown-it-py + one jinja2 template + write, in one process or two forked ones;
- fg cold -j1 / fg cold: `funnelgen build --no-cache`, one process or the default workers;
- fg unchanged: `funnelgen build` again with nothing changed (the build cache);
- fg one edit: `funnelgen build` after one page's text changed;
- hugo: `hugo` on the same Markdown with one trivial layout (skipped when hugo is not installed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from sitegen import make_hugo_site, make_site  # noqa: E402

PY = sys.executable
# As installed (pip writes .pyc files): a shell that sets PYTHONDONTWRITEBYTECODE would time Python compiling
# funnelgen's and every library's source on each start instead.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(cmd: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one command run in its own process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


def interleaved(rows: list[tuple[str, list[str], object]], repeat: int) -> dict[str, tuple[float, float]]:
    """Median seconds and max peak MiB of each named command; `setup` (or None) runs untimed before each."""
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name, _cmd, _setup in rows}
    for _ in range(repeat):
        for name, cmd, setup in rows:
            if setup is not None:
                setup()
            runs[name].append(measure(cmd))
    return {name: (statistics.median(s for s, _m in rs), max(m for _s, m in rs)) for name, rs in runs.items()}


def fg(*args: str) -> list[str]:
    return [PY, "-m", "funnelgen", *args]


def size_rows(tmp: Path, size: int) -> list[tuple[str, list[str], object]]:
    src = make_site(tmp / f"site{size}", size)
    out, warm = tmp / f"out{size}", tmp / f"warm{size}"
    edited = src / "pages" / "article-0.md"
    counter = [0]

    def clean():
        shutil.rmtree(out, ignore_errors=True)

    def edit():
        counter[0] += 1
        with open(edited, "a", encoding="utf-8") as fh:
            fh.write(f"\nOne more honest sentence, edit {counter[0]}.\n")

    subprocess.run(fg("build", str(src), "-o", str(warm)), check=True, capture_output=True, env=ENV)  # the cache's first fill
    rows = [("floor -j1", [PY, str(HERE / "floor.py"), str(src), str(out)], clean),
            ("floor -j2", [PY, str(HERE / "floor.py"), str(src), str(out), "--jobs", "2"], clean),
            ("fg cold -j1", fg("build", str(src), "-o", str(out), "--no-cache", "-j", "1"), clean),
            ("fg cold", fg("build", str(src), "-o", str(out), "--no-cache"), clean),
            ("fg unchanged", fg("build", str(src), "-o", str(warm)), None),
            ("fg one edit", fg("build", str(src), "-o", str(warm)), edit)]
    if shutil.which("hugo"):
        hugo_src = make_hugo_site(tmp / f"hugo{size}", src)
        rows.append(("hugo", ["hugo", "--quiet", "-s", str(hugo_src), "-d", str(out)], clean))
    return rows


def startup_rows(tmp: Path) -> list[tuple[str, list[str], object]]:
    example, out = HERE.parent / "site_src", tmp / "example-out"
    subprocess.run(fg("build", str(example), "-o", str(out)), check=True, capture_output=True, env=ENV)
    # (cold into a folder of its own: a --no-cache build rewrites its output, so the next build there is not
    # an unchanged one)
    rows = [("example cold", fg("build", str(example), "-o", str(tmp / "example-cold-out"), "--no-cache"), None),
            ("example unchanged", fg("build", str(example), "-o", str(out)), None),
            ("fg --version", fg("--version"), None)]
    if shutil.which("hugo"):
        hugo_src = make_hugo_site(tmp / "hugo10", make_site(tmp / "site10", 10))
        rows += [("hugo 10 pages", ["hugo", "--quiet", "-s", str(hugo_src), "-d", str(tmp / "hugo10-out")], None),
                 ("hugo version", ["hugo", "version"], None)]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000", help='comma-separated page counts ("" for start-up only)')
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fg-bench-") as tmp_name:
        tmp = Path(tmp_name)
        start = interleaved(startup_rows(tmp), max(args.repeat, 5))
        print(f"cores: {len(os.sched_getaffinity(0))}; medians of {args.repeat} interleaved runs; ratios within one run\n")
        print("| start-up | ms | ratio |")
        print("|---|---|---|")
        for name, ref in (("example cold", "hugo 10 pages"), ("example unchanged", "hugo 10 pages"),
                          ("fg --version", "hugo version")):
            ratio = f"{start[name][0] / start[ref][0]:.2f}× {ref}" if ref in start else "(no hugo)"
            print(f"| {name} | {start[name][0] * 1000:.0f} | {ratio} |")
        for name in ("hugo 10 pages", "hugo version"):
            if name in start:
                print(f"| {name} | {start[name][0] * 1000:.0f} | |")
        for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
            res = interleaved(size_rows(tmp, size), args.repeat)
            cold = res["fg cold"][0]
            print(f"\n| {size:,} pages | seconds | × floor -j1 | × floor -j2 | × fg cold | × hugo | peak MiB |")
            print("|---|---|---|---|---|---|---|")
            for name, (secs, mib) in res.items():
                hugo = f"{secs / res['hugo'][0]:.2f}" if "hugo" in res else "-"
                print(f"| {name} | {secs:.2f} | {secs / res['floor -j1'][0]:.2f} | {secs / res['floor -j2'][0]:.2f} | "
                      f"{secs / cold:.3f} | {hugo} | {mib:.0f} |")


if __name__ == "__main__":
    main()
