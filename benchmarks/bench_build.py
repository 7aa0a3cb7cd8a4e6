"""Build benchmark: funnelgen vs. the floor (benchmarks/floor.py), same pages, same run.

Usage: python benchmarks/bench_build.py [--sizes 100,1000,5000] [--repeat 5]
Each measurement runs in a fresh process (start-up counts). The floor and funnelgen
runs are interleaved and the median of --repeat is reported, so a noisy neighbour
slows both sides alike. Peak memory is the largest resident set of the measured
process (funnelgen's forked workers each stay below it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from sitegen import make_site  # noqa: E402


def measure(cmd: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one command run in its own process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


def interleaved(cmds: list[list[str]], repeat: int, out: Path) -> list[tuple[float, float]]:
    """Median seconds and max peak MiB of each command, running them in turn `repeat` times."""
    import statistics

    runs: list[list[tuple[float, float]]] = [[] for _ in cmds]
    for _ in range(repeat):
        for i, cmd in enumerate(cmds):
            shutil.rmtree(out, ignore_errors=True)
            runs[i].append(measure(cmd))
    return [(statistics.median(r[0] for r in rs), max(r[1] for r in rs)) for rs in runs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    rows = []
    with tempfile.TemporaryDirectory(prefix="fg-bench-") as tmp:
        example_out = Path(tmp) / "example-out"
        [(t_example, m_example)] = interleaved([[py, "-m", "funnelgen", "build", str(HERE.parent / "site_src"),
                                                 "-o", str(example_out)]], args.repeat, example_out)
        for size in [int(s) for s in args.sizes.split(",")]:
            src = make_site(Path(tmp) / f"site{size}", size)
            out = Path(tmp) / f"out{size}"
            fg = [py, "-m", "funnelgen", "build", str(src), "-o", str(out)]
            (floor_s, floor_m), (all_s, all_m), (one_s, one_m) = interleaved(
                [[py, str(HERE / "floor.py"), str(src), str(out)], fg, fg + ["-j", "1"]], args.repeat, out)
            rows.append((size, floor_s, floor_m, one_s, one_m, all_s, all_m))
    print(f"example site (site_src): {t_example * 1000:.0f} ms total incl. start-up, peak {m_example:.0f} MiB")
    print()
    print(f"{'pages':>6} | {'floor p/s':>9} | {'fg -j1 p/s':>10} | {'fg p/s':>8} | {'fg/floor time':>13} | "
          f"{'fg -j1/floor':>12} | {'floor MiB':>9} | {'fg MiB':>7}")
    for size, fs, fm, os_, _om, as_, am in rows:
        print(f"{size:>6} | {size / fs:>9.0f} | {size / os_:>10.0f} | {size / as_:>8.0f} | {as_ / fs:>12.2f}x | "
              f"{os_ / fs:>11.2f}x | {fm:>9.0f} | {am:>7.0f}")
    print(f"\ncores used by fg: {len(os.sched_getaffinity(0))}; target: fg/floor time <= 1.30x at 1,000 pages,"
          " flat memory as pages grow.")


if __name__ == "__main__":
    main()
