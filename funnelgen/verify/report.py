"""The storyboard report: one static HTML page (plus screenshots and report.json) in a folder.

Layout (funnelgen/ui/templates/report.html): a summary line, the build errors
when the site did not build, the funnel map (the same drawing as the preview
dashboard's), then one row per path: a screenshot of every step at mobile
width with what was done there and each check's result. A failed path opens
with the plain-language reason, and its failing step is outlined in red.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

MARKER = "funnelgen-verify-report"


class ReportDirError(Exception):
    pass


def prepare_dir(folder: Path) -> None:
    """Create the folder, or clear a previous report in it; refuse to mix into a folder with other files."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ReportDirError(f"--report {folder}: that is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        try:
            ours = json.loads((folder / "report.json").read_text(encoding="utf-8")).get("generator") == MARKER
        except (OSError, ValueError, AttributeError):
            ours = False
        if not ours:
            raise ReportDirError(f"--report {folder}: the folder is not empty and holds no previous verify report; "
                                 "choose an empty or new folder (verify replaces its own reports only)")
        for old in (folder / "shots").glob("*.jpg"):
            old.unlink()
        for name in ("index.html", "report.json"):
            (folder / name).unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)


def render(data: dict) -> str:
    """The storyboard page for `data` (a VerifyResult.as_dict() plus generator, generated, site_title).

    Drawn by funnelgen's own template `report.html`; the funnel map is the ui partial the preview
    dashboard uses too."""
    from markupsafe import Markup

    from .. import ui

    # the picture is Graphviz's SVG of funnelgen's own DOT (site text escaped in it), not page content
    return ui.render("report.html", data=data, picture=Markup(data.get("picture") or ""))


def write_report(result) -> Path:
    folder = Path(result.report)
    folder.mkdir(parents=True, exist_ok=True)
    data = result.as_dict()
    data["generator"] = MARKER
    data["generated"] = time.strftime("%Y-%m-%d %H:%M:%S")
    data["site_title"] = result.site_title
    (folder / "report.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    (folder / "index.html").write_text(render(data), encoding="utf-8")
    return folder / "index.html"
