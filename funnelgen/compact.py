"""Bytes on the wire: comments and indentation out of the inlined CSS and the runtime script.

The opt-in page has a budget (HTML + CSS + first-party JS under 30 KB before images, tests/test_build_example.py)
and the sources stay commented for the people who read them. This is not a minifier: it only drops what cannot
change meaning (whole comments, leading indentation, blank lines), so the output stays readable in devtools.
"""

from __future__ import annotations

import re

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_JS_BLOCK_COMMENT = re.compile(r"^\s*/\*.*?\*/[ \t]*\n", re.S | re.M)  # only comments that own their lines
_JS_TRAILING = re.compile(r"[ \t]+//[^\n]*$")


def compact_css(css: str) -> str:
    """The stylesheet without comments and line breaks (a declaration never spans lines in CSS we ship)."""
    css = _CSS_COMMENT.sub("", css)
    return "".join(line.strip() for line in css.splitlines())


def _quotes_balanced(code: str) -> bool:
    return code.count('"') % 2 == 0 and code.count("'") % 2 == 0


def compact_js(js: str) -> str:
    """The script without comment lines, trailing `// …` comments outside strings, indentation and blank lines."""
    js = _JS_BLOCK_COMMENT.sub("", js)
    out = []
    for line in js.splitlines():
        code = line.strip()
        if not code or code.startswith("//"):
            continue
        m = _JS_TRAILING.search(code)
        if m and _quotes_balanced(code[:m.start()]):
            code = code[:m.start()]
        out.append(code)
    return "\n".join(out) + "\n"
