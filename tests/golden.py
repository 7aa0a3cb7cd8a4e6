"""Golden output of the example site: build it, normalise it, compare it with the stored copy.

Pelican keeps whole expected output trees and regenerates them with a task; so do we. Text files are
stored whole under tests/golden/site_src/ (so a change shows as a readable diff), binary files as a
SHA-256 line in MANIFEST. Content-hashed file names (`funnel.<hash>.js`, `x.<hash>.webp`) are
normalised to `<name>.HASH.<ext>`, so a changed hash alone is not a change; the content still is.

Update after an intended change with `make update-golden` (runs this module as a script).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "site_src"
MANIFEST = "MANIFEST"
TEXT_SUFFIXES = {".html", ".xml", ".txt", ".js", ".css", ".json", ".svg", ".webmanifest", ""}
_HASHED = re.compile(r"\b([A-Za-z0-9_-]+)\.[0-9a-f]{8,16}\.([a-z0-9]+)\b")


def normalise_name(relpath: str) -> str:
    return _HASHED.sub(r"\1.HASH.\2", relpath)


def normalise_text(text: str) -> str:
    return _HASHED.sub(r"\1.HASH.\2", text)


def is_text(path: Path) -> bool:
    return path.suffix.lower() in TEXT_SUFFIXES


def snapshot(out: Path) -> dict[str, tuple[str, bytes]]:
    """relpath (normalised) -> ("text" | "binary", normalised bytes) for every file of a built site."""
    files: dict[str, tuple[str, bytes]] = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = normalise_name(path.relative_to(out).as_posix())
        data = path.read_bytes()
        if is_text(path):
            files[rel] = ("text", normalise_text(data.decode("utf-8")).encode("utf-8"))
        else:
            files[rel] = ("binary", data)
    return files


def manifest_lines(files: dict[str, tuple[str, bytes]]) -> list[str]:
    return [f"{kind}\t{hashlib.sha256(data).hexdigest()}\t{rel}" for rel, (kind, data) in sorted(files.items())]


def build_example(out: Path) -> Path:
    from funnelgen.build import build

    src = out.parent / "site"
    shutil.copytree(ROOT / "site_src", src, ignore=shutil.ignore_patterns("dist", ".funnelgen"))
    build(src, out, jobs=1)
    return out


def write_golden(files: dict[str, tuple[str, bytes]]) -> None:
    shutil.rmtree(GOLDEN, ignore_errors=True)
    GOLDEN.mkdir(parents=True)
    for rel, (kind, data) in files.items():
        if kind == "text":
            target = GOLDEN / "files" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    (GOLDEN / MANIFEST).write_text("\n".join(manifest_lines(files)) + "\n", encoding="utf-8")


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="fg-golden-") as tmp:
        out = build_example(Path(tmp) / "out")
        files = snapshot(out)
        write_golden(files)
    print(f"golden output updated: {len(files)} files in {GOLDEN.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
