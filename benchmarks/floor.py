"""The floor: the least work any Markdown site generator must do for these pages.

Reads every page, renders it with markdown-it-py and one trivial jinja2
template, writes it. One process, or `--jobs N` forked processes each taking
every N-th page (the floor "on two workers"). funnelgen's build is compared to this.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin


def run(src: Path, out: Path, part: int = 0, parts: int = 1) -> int:
    md = MarkdownIt("commonmark").use(front_matter_plugin)
    template = jinja2.Environment(autoescape=True).from_string(
        "<!doctype html><title>{{ title }}</title><main>{{ body }}</main>")
    n = 0
    for path in sorted((src / "pages").glob("*.md"))[part::parts]:
        html = template.render(title=path.stem, body=jinja2.utils.markupsafe.Markup(md.render(path.read_text("utf-8"))))
        target = out / path.stem / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        n += 1
    return n


def run_parallel(src: Path, out: Path, jobs: int) -> None:
    import os

    children = []
    for part in range(jobs):
        pid = os.fork()
        if pid == 0:
            run(src, out, part, jobs)
            os._exit(0)
        children.append(pid)
    if any(os.waitpid(pid, 0)[1] for pid in children):
        raise SystemExit("a floor worker failed")


if __name__ == "__main__":
    args = sys.argv[1:]
    jobs = int(args[args.index("--jobs") + 1]) if "--jobs" in args else 1
    src, out = Path(args[0]), Path(args[1])
    run(src, out) if jobs == 1 else run_parallel(src, out, jobs)
