"""funnelgen's own tool pages (preview dashboard, test checkout, verify storyboard): jinja2 templates.

These are not the site's theme: they live in `funnelgen/ui/templates/` and ship inside the package.
The one environment autoescapes everything and refuses undefined names.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **context) -> str:
    """Render the tool template `name` with `context`."""
    return environment().get_template(name).render(context)
