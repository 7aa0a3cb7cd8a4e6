"""The whole built example site equals the stored golden copy (see tests/golden.py; `make update-golden`)."""

from __future__ import annotations

import difflib

from golden import GOLDEN, MANIFEST, build_example, manifest_lines, snapshot


def test_example_output_matches_golden(tmp_path):
    files = snapshot(build_example(tmp_path / "out"))
    expected = (GOLDEN / MANIFEST).read_text(encoding="utf-8").splitlines()
    actual = manifest_lines(files)
    if actual == expected:
        return
    want = {line.split("\t")[2]: line for line in expected}
    got = {line.split("\t")[2]: line for line in actual}
    report = []
    for rel in sorted(set(want) | set(got)):
        if rel not in got:
            report.append(f"missing from the build: {rel}")
        elif rel not in want:
            report.append(f"new in the build: {rel}")
        elif want[rel] != got[rel]:
            kind, data = files[rel]
            if kind == "text":
                old = (GOLDEN / "files" / rel).read_text(encoding="utf-8").splitlines()
                new = data.decode("utf-8").splitlines()
                diff = list(difflib.unified_diff(old, new, f"golden/{rel}", f"built/{rel}", lineterm="", n=1))
                report.append("\n".join(diff[:40]) + ("\n…" if len(diff) > 40 else ""))
            else:
                report.append(f"binary file changed: {rel}")
    raise AssertionError("the example's output changed (run `make update-golden` if that was intended):\n\n"
                         + "\n\n".join(report))
