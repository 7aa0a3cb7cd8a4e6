"""`funnelgen new`: copy a starter site (files under funnelgen/starters/) into a new folder.

A starter is plain files, so it ships in the wheel with the package and a contributor edits copy, not code.
Only a few tokens are filled in: the site's name and address, the funnelgen version the site is pinned to
(netlify.toml, requirements.txt) and, for the webinar starter, a date four weeks ahead (a registration page
for a past date does not pass `funnelgen check`). Everything the starter cannot know is marked for the owner
to fill in (funnelgen/rules/placeholders.py), and `funnelgen check` refuses the site until it is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from . import __version__
from .rules.placeholders import MARKERS

STARTERS_DIR = Path(__file__).resolve().parent / "starters"
STARTERS = ("course", "trial", "webinar", "local")
LANGUAGES = ("ja", "en")
DESCRIPTIONS = {
    "ja": {"course": "無料PDF → 低価格の講座 → アップセル／ダウンセル → 個別コーチングの申し込み",
           "trial": "無料お試しの申し込み → 月額のサブスクリプション → ご案内",
           "webinar": "セミナー（ウェビナー）の参加登録 → 個別相談の申し込み → 受付完了",
           "local": "地域のお店の初回体験 → 月額会員（スタジオ・教室・サロン） → 受付完了"},
    "en": {"course": "free PDF → low-price course → upsell / downsell → coaching application",
           "trial": "free-trial sign-up → monthly subscription → welcome",
           "webinar": "webinar registration → one-to-one consultation application → thanks",
           "local": "first-visit offer of a local business → membership (studio, class, salon) → thanks"},
}
DEFAULT_TITLE = {"ja": MARKERS["ja"] + "屋号", "en": MARKERS["en"] + " Business name"}
DEFAULT_BASE_URL = "https://your-site.invalid/"  # .invalid never resolves (RFC 2606): check reports it
RENAMED = {"gitignore": ".gitignore"}  # kept without the dot in the package (no tool skips or obeys it there)
URL = re.compile(r"https?://[^\s\"'<>\\]+")
TOKEN = re.compile(r"\{\{(\w+)\}\}")


class ScaffoldError(Exception):
    """The folder cannot take a new site (not empty, not a folder, an unknown starter)."""


@dataclass
class Answers:
    lang: str = "ja"
    starter: str = "course"
    title: str | None = None
    base_url: str | None = None


def check_base_url(value: str) -> str:
    """An absolute http(s) URL ending in '/', or ScaffoldError."""
    value = value.strip()
    if not URL.fullmatch(value):
        raise ScaffoldError(f"'{value}' is not an absolute https:// address for the site "
                            "(write it like https://your-shop.netlify.app/)")
    return value if value.endswith("/") else value + "/"


def check_target(dest: Path) -> None:
    """Refuse anything but a missing or empty folder, before a single file is written."""
    if dest.exists() and not dest.is_dir():
        raise ScaffoldError(f"{dest} is a file, not a folder; give a new folder name")
    if dest.is_dir() and any(dest.iterdir()):
        raise ScaffoldError(f"{dest} is not empty; give a new folder name (funnelgen new never overwrites files)")


def _tokens(answers: Answers, today: date) -> dict[str, str]:
    title = answers.title or DEFAULT_TITLE[answers.lang]
    event = today + timedelta(days=28)  # a weekday evening about four weeks ahead, never over the New Year
    while event.weekday() not in (1, 2, 3) or (event.month, event.day) >= (12, 28) or (event.month, event.day) <= (1, 4):
        event += timedelta(days=1)
    return {"title": title, "base_url": answers.base_url or DEFAULT_BASE_URL, "version": __version__,
            "event_date": f"{event.isoformat()} 20:00", "starter": answers.starter}


def _fill(text: str, tokens: dict[str, str], quoted: bool) -> str:
    """Replace {{name}} tokens; inside YAML double-quoted values (`quoted`) with JSON escapes, which YAML reads."""
    def one(m):
        value = tokens.get(m.group(1))
        if value is None:
            return m.group(0)
        return json.dumps(value, ensure_ascii=False)[1:-1] if quoted else value
    return TOKEN.sub(one, text)


def _render(rel: str, text: str, tokens: dict[str, str]) -> str:
    if rel.endswith((".yml", ".yaml")):
        return _fill(text, tokens, quoted=True)
    if rel.endswith(".md") and rel.startswith("pages/") and text.startswith("---\n"):
        end = text.index("\n---\n", 4) + 5  # front matter values are YAML, the body Markdown
        return _fill(text[:end], tokens, quoted=True) + _fill(text[end:], tokens, quoted=False)
    return _fill(text, tokens, quoted=False)


def _sources(answers: Answers) -> list[tuple[str, Path]]:
    """(relative path in the new site, file in the package): the starter's own files, then the shared ones."""
    found: dict[str, Path] = {}
    for root in (STARTERS_DIR / "_common" / answers.lang, STARTERS_DIR / answers.starter / answers.lang):
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                rel = path.relative_to(root).as_posix()
                found[RENAMED.get(rel, rel)] = path
    return sorted(found.items())


def steps_table(site_yml: str) -> str:
    """The starter's funnel as a Markdown list for its README: step, kind, page file."""
    import yaml

    data = yaml.safe_load(site_yml)
    lines = []
    for funnel in data.get("funnels", {}).values():
        for step in funnel.get("steps", []):
            if isinstance(step, dict):
                extra = "".join(f", {k}: {step[k]}" for k in ("offer", "form") if step.get(k))
                lines.append(f"- `{step['id']}` ({step['kind']}{extra}): `pages/{step['page']}`")
    return "\n".join(lines)


def scaffold(dest: Path, answers: Answers, today: date | None = None) -> list[Path]:
    """Write the starter into `dest` (created if missing); returns the files written."""
    if answers.starter not in STARTERS or answers.lang not in LANGUAGES:
        raise ScaffoldError(f"unknown starter '{answers.starter}' or language '{answers.lang}'")
    check_target(dest)
    tokens = _tokens(answers, today or date.today())
    rendered: dict[str, bytes] = {}
    for rel, path in _sources(answers):
        if path.suffix in (".md", ".yml", ".toml", ".txt") or rel == ".gitignore":
            rendered[rel] = _render(rel, path.read_text(encoding="utf-8"), tokens).encode("utf-8")
        else:
            rendered[rel] = path.read_bytes()
    tokens["steps"] = steps_table(rendered["site.yml"].decode("utf-8"))
    rendered["README.md"] = _fill(rendered["README.md"].decode("utf-8"), tokens, quoted=False).encode("utf-8")
    written = []
    dest.mkdir(parents=True, exist_ok=True)
    for rel, data in rendered.items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written


PROMPTS = {
    "ja": {"starter": "スターター", "title": "サイト名・屋号（空欄なら【要記入】の印が入ります）",
           "base_url": "公開するURL（例: https://your-shop.netlify.app/、空欄なら後で記入）",
           "done": "{dest} に新しいサイトを作りました（スターター: {starter}、{n} ファイル）。",
           "next": "次に:", "serve": "プレビュー（http://127.0.0.1:8000/）",
           "check": "【要記入】の残りと公開前の確認", "readme": "使い方は README.md にあります。"},
    "en": {"starter": "Starter", "title": "Site / business name (empty: a [FILL IN] placeholder)",
           "base_url": "Address the site will live at (e.g. https://your-shop.netlify.app/; empty: fill in later)",
           "done": "Created a new site in {dest} (starter: {starter}, {n} files).",
           "next": "Next:", "serve": "preview on http://127.0.0.1:8000/",
           "check": "lists the [FILL IN] placeholders left and checks the site", "readme": "See README.md."},
}


def _ask(lang: str | None, starter: str | None, title: str | None, base_url: str | None):
    import click

    lang = lang or click.prompt("Language / 言語", type=click.Choice(LANGUAGES), default="ja")
    words = PROMPTS[lang]
    if starter is None:
        for name in STARTERS:
            click.echo(f"  {name:8} {DESCRIPTIONS[lang][name]}")
        starter = click.prompt(words["starter"], type=click.Choice(STARTERS), default="course")
    if title is None:
        title = click.prompt(words["title"], default="", show_default=False).strip() or None
    while base_url is None:
        answer = click.prompt(words["base_url"], default="", show_default=False).strip()
        if not answer:
            break
        try:
            base_url = check_base_url(answer)
        except ScaffoldError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
    return lang, starter, title, base_url


def ask_and_scaffold(dest: Path, lang: str | None, starter: str | None, title: str | None,
                     base_url: str | None, interactive: bool) -> list[Path]:
    """The `funnelgen new` command: refuse a used folder first, ask what was not given (in a terminal), write."""
    import click

    try:
        check_target(dest)
        base_url = check_base_url(base_url) if base_url is not None else None
        if title is not None and (not title.strip() or any(ord(c) < 32 for c in title)):
            raise ScaffoldError("--title must be one line of text")
        if interactive:
            lang, starter, title, base_url = _ask(lang, starter, title, base_url)
        answers = Answers(lang or "ja", starter or "course", title.strip() if title else None, base_url)
        written = scaffold(dest, answers)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {exc.filename or dest}: {exc.strerror}") from None
    words = PROMPTS[answers.lang]
    click.echo(words["done"].format(dest=dest, starter=answers.starter, n=len(written)))
    click.echo(f"{words['next']}\n  cd {dest}\n  funnelgen serve     # {words['serve']}\n"
               f"  funnelgen check     # {words['check']}\n{words['readme']}")
    return written
