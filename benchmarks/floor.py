"""The floor: the least work any Markdown site generator must do for these pages.

Reads every page, renders it with markdown-it-py and one trivial jinja2
template, writes it. Single process. funnelgen's build is compared to this.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin


def run(src: Path, out: Path) -> int:
    md = MarkdownIt("commonmark").use(front_matter_plugin)
    template = jinja2.Environment(autoescape=True).from_string(
        "<!doctype html><title>{{ title }}</title><main>{{ body }}</main>")
    n = 0
    for path in sorted((src / "pages").glob("*.md")):
        html = template.render(title=path.stem, body=jinja2.utils.markupsafe.Markup(md.render(path.read_text("utf-8"))))
        target = out / path.stem / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        n += 1
    return n


if __name__ == "__main__":
    run(Path(sys.argv[1]), Path(sys.argv[2]))
