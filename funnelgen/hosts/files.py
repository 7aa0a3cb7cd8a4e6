"""Reading `_headers` and `_redirects` back (the dev server does what Netlify and Cloudflare Pages would do
with the output: the `/` rewrite, the redirects, each page's policy).

Formats: https://docs.netlify.com/routing/headers/ , https://docs.netlify.com/routing/redirects/ ,
https://developers.cloudflare.com/pages/configuration/headers/ . Only what funnelgen writes is understood:
exact paths and a trailing `*` splat; no placeholders, conditions or query matches.
"""

from __future__ import annotations


def parse_redirects(text: str) -> list[tuple[str, str, int]]:
    """(source, destination, status) per rule line, in file order (the first match wins)."""
    rules = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split() if not line.lstrip().startswith("#") else []
        if len(parts) >= 2:
            status = parts[2].rstrip("!") if len(parts) > 2 else "301"
            rules.append((parts[0], parts[1], int(status) if status.isdigit() else 301))
    return rules


def redirect_for(rules: list[tuple[str, str, int]], path: str) -> tuple[str, int] | None:
    """Where a request for `path` goes, and how (200: rewrite), or None."""
    for source, target, status in rules:
        if _matches(source, path):
            return target, status
    return None


def parse_headers(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(path pattern, [(name, value)]) per block: a path line, then indented `Name: value` lines."""
    blocks: list[tuple[str, list[tuple[str, str]]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            blocks.append((line.strip(), []))
        elif blocks and ":" in line:
            name, value = line.strip().split(":", 1)
            blocks[-1][1].append((name.strip(), value.strip()))
    return blocks


def headers_for(blocks, path: str) -> dict[str, str]:
    """The headers every matching block gives `path` (a later block's value of a name wins, as on Netlify)."""
    out: dict[str, str] = {}
    for pattern, values in blocks:
        if _matches(pattern, path):
            out.update({name.lower(): value for name, value in values})
    return out


def _matches(pattern: str, path: str) -> bool:
    if pattern.endswith("*"):
        return path.startswith(pattern[:-1])
    return pattern == path or pattern.rstrip("/") == path.rstrip("/") and pattern != "/" and path != "/"
