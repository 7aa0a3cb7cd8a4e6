"""Form capture in the preview: posts are stored, never sent, and the browser goes on to the next step.

- Netlify form posts (`POST /next-step/` with `form-name`) are captured the way Netlify would and
  303-redirected to the form's action, which is the next step.
- `provider: post` forms post to `/_fg/form/<id>` (the preview rewrites their action), which captures
  and redirects to the `redirect_field` value (made local) or the next step.

Captures are appended to `<site>/.funnelgen/submissions.jsonl` (one JSON object a line); the same
`Store` keeps the test checkout's orders.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .server import Request, Response

SUBMISSIONS = "submissions.jsonl"
ORDERS = "test-orders.jsonl"
READ_TAIL = 2_000_000  # bytes read from the end of a capture file for the dashboard
MAX_JSON_DEPTH = 32  # form data is flat; deeper JSON is refused (400) before parsing


def local_path(path: str) -> str:
    """`path` when it is a same-site path ('/x/'), else '' (no open redirects)."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path or any(ord(c) < 32 for c in path):
        return ""
    return path


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


class Store:
    """Append-only JSON-lines files in the site's cache folder (git-ignored)."""

    def __init__(self, cache: Path):
        self.cache = Path(cache)
        self._lock = threading.Lock()

    def append(self, name: str, entry: dict) -> None:
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            try:
                self.cache.mkdir(exist_ok=True)
                ignore = self.cache / ".gitignore"
                if not ignore.exists():
                    ignore.write_text("# funnelgen's local cache: never commit\n*\n", encoding="utf-8")
                with open(self.cache / name, "a+b") as fh:
                    if fh.tell() > 0:  # a line torn by a crash (kill -9) must not swallow this one
                        fh.seek(fh.tell() - 1)
                        if fh.read(1) != b"\n":
                            line = "\n" + line
                    fh.write(line.encode("utf-8"))
            except OSError as exc:  # read-only site folder: keep walking the funnel anyway
                print(f"funnelgen serve: could not save to {self.cache / name}: {exc.strerror}", file=sys.stderr)

    def read(self, name: str, limit: int = 50) -> list[dict]:
        """The latest `limit` entries, newest first (torn and unreadable lines are skipped)."""
        try:
            with open(self.cache / name, "rb") as fh:
                fh.seek(0, 2)
                fh.seek(max(0, fh.tell() - READ_TAIL))
                lines = fh.read().decode("utf-8", errors="replace").splitlines()
        except OSError:
            return []
        out = []
        for line in reversed(lines):
            try:
                entry = json.loads(line)
            except (ValueError, RecursionError):
                continue
            if isinstance(entry, dict):
                out.append(entry)
            if len(out) >= limit:
                break
        return out


# -- capturing ---------------------------------------------------------------------------------------
def netlify_actions(site) -> dict[str, str]:
    """Page path a Netlify form posts to (its next step) -> form id."""
    actions: dict[str, str] = {}
    for step in site.steps.values():
        if step.form and step.form.provider == "netlify":
            nxt = site.steps.get(step.edges.get("next", ""))
            actions.setdefault(nxt.url if nxt else site.prefix, step.form.id)
    return actions


def netlify_names(site) -> dict:
    """Posted form-name -> the form it places (hosts.form_name), as Netlify groups submissions."""
    from ..hosts import form_name

    return {form_name(s.form.id, s.id): s.form for s in site.steps.values()
            if s.form and s.form.provider == "netlify"}


def capture_netlify(site, store: Store, req: Request) -> Response | None:
    """A POST to a page path: captured when it is a Netlify form's action (None otherwise)."""
    actions = netlify_actions(site)
    if req.path not in actions:  # only real form actions: no fake captures, no redirects elsewhere
        return None
    fields, error = parse_body(req)
    if error:
        return error
    name = first(fields, "form-name")
    form = netlify_names(site).get(name) if name else None  # each placed form has its own name (form-step)
    if form is None:
        form = site.forms[actions[req.path]]
    record(store, form, fields, req.path, req.path, name)
    return Response.redirect(req.path)


def capture_post_form(site, store: Store, form_id: str, req: Request) -> Response:
    """`POST /_fg/form/<id>` (a `provider: post` form): capture, then go where the service would send."""
    form = site.forms.get(form_id)
    if form is None:
        return Response.text(f"unknown form '{form_id}'", 404)
    fields, error = parse_body(req)
    if error:
        return error
    target = ""
    if form.redirect_field:
        target = localize(site, first(fields, form.redirect_field))
    if not target:
        step = site.steps.get(first(fields, form.wire_name("fg_step")))
        if step is None or step.form_id != form.id:
            step = next((s for s in site.steps.values() if s.form_id == form.id), None)
        nxt = site.steps.get(step.edges.get("next", "")) if step else None
        target = nxt.url if nxt else site.prefix
    record(store, form, fields, req.path, target)
    return Response.redirect(target)


def localize(site, url: str) -> str:
    """A URL on the site's own base_url becomes a local path; other hosts are refused."""
    if not url:
        return ""
    if local_path(url):
        return url
    base, parts = urlsplit(site.settings.base_url), urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc == base.netloc:
        return local_path(parts.path + (f"?{parts.query}" if parts.query else "")) or ""
    return ""


def record(store: Store, form, fields: dict[str, list[str]], path: str, redirect: str, name: str = "") -> None:
    """One submission, grouped under its form's id (`name`: the placed form's own Netlify name, if posted)."""
    flat = {k: v[0] if len(v) == 1 else v for k, v in fields.items()}
    spam = bool(first(fields, form.honeypot) or first(fields, form.wire_name(form.honeypot)))
    store.append(SUBMISSIONS, {
        "time": now(), "form": form.id, "name": name or form.id, "provider": form.provider,
        "step": flat.get(form.wire_name("fg_step")), "funnel": flat.get(form.wire_name("fg_funnel")),
        "path": path, "redirect": redirect, "spam": spam, "fields": flat,
    })


# -- request bodies ----------------------------------------------------------------------------------
def first(fields: dict[str, list[str]], name: str) -> str:
    values = fields.get(name) or [""]
    return values[0]


def parse_body(req: Request) -> tuple[dict[str, list[str]], Response | None]:
    """Form fields from an urlencoded, multipart or JSON body (the server bounded its size)."""
    ctype = req.headers.get("Content-Type", "") or ""
    kind = ctype.split(";")[0].strip().lower()
    try:
        if kind in ("application/x-www-form-urlencoded", ""):
            return parse_qs(req.body.decode("utf-8"), keep_blank_values=True), None
        if kind == "multipart/form-data":
            return _multipart(ctype, req.body), None
        if kind == "application/json":
            text = req.body.decode("utf-8") or "{}"
            if json_depth(text) > MAX_JSON_DEPTH:
                return {}, Response.text(f"JSON form data nested deeper than {MAX_JSON_DEPTH} levels", 400)
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return {str(k): [v if isinstance(v, str) else json.dumps(v)] for k, v in data.items()}, None
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {}, Response.text("could not read the form data", 400)
    return {}, Response.text(f"unsupported form encoding '{kind}'", 415)


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_depth(text: str) -> int:
    """How deeply `text` nests arrays and objects (strings skipped), without parsing it (no recursion)."""
    depth = deepest = 0
    for ch in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _multipart(ctype: str, body: bytes) -> dict[str, list[str]]:
    from email.parser import BytesParser
    from email.policy import HTTP

    msg = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode("latin-1") + body)
    if not msg.is_multipart():
        raise ValueError("not multipart")
    fields: dict[str, list[str]] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        value = f"<file {filename}: {len(payload)} bytes>" if filename else payload.decode("utf-8", errors="replace")
        fields.setdefault(str(name), []).append(value)
    return fields
