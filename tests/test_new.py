"""`funnelgen new`: every starter in both languages scaffolds, builds, and `check` reports only the placeholders
left to fill in (and nothing once they are filled); a used folder is refused; the questions in a terminal;
the pinned version; and the README's site.yml snippet builds as it stands."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import MINIMAL_CONFIG, write_site

from funnelgen import __version__
from funnelgen.build import build
from funnelgen.check import check_source
from funnelgen.cli import STARTER_CHOICES, main
from funnelgen.scaffold import LANGUAGES, STARTERS, Answers, scaffold

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
RULE = "content.placeholders"
PHONES = {"000-0000-0000": "03-5932-4816", "000-000-0000": "555-201-4816"}


def new(tmp_path: Path, starter: str, lang: str, *extra: str) -> Path:
    dest = tmp_path / f"{starter}-{lang}"
    result = CliRunner().invoke(main, ["new", str(dest), "--starter", starter, "--lang", lang, "--title",
                                       "はなまる商店" if lang == "ja" else "Hanamaru & Co.", "--no-input", *extra])
    assert result.exit_code == 0, result.output
    return dest


def fill_in(src: Path) -> None:
    """What the owner does: replace every marked value (here mechanically: drop the marker, make addresses real)."""
    for path in src.rglob("*"):
        if path.suffix not in (".yml", ".md"):
            continue
        text = path.read_text(encoding="utf-8").replace("【要記入】", "").replace("[FILL IN] ", "")
        text = text.replace(".invalid", ".jp").replace("FILLIN", "")
        for fake, real in PHONES.items():
            text = text.replace(fake, real)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("starter", STARTERS)
def test_every_starter_builds_and_check_reports_only_its_placeholders(tmp_path, starter, lang):
    src = new(tmp_path, starter, lang)
    result = build(src, tmp_path / "out", jobs=1)
    assert result.ok and (tmp_path / "out" / "legal" / "index.html").is_file()
    assert result.warnings and {p.rule for p in result.warnings} == {RULE}  # the build only warns: preview at once
    assert {p.severity for p in result.warnings} == {"warning"}

    problems = check_source(src)
    assert problems and {(p.rule, p.severity) for p in problems} == {(RULE, "error")}, \
        [p.format() for p in problems if p.rule != RULE]
    keys = {p.key for p in problems}
    assert {"site.base_url", "legal.seller", "legal.address", "legal.phone", "legal.email"} <= keys
    assert any(p.file.endswith(".md") and p.line for p in problems)  # page copy too, with its line
    for p in problems:
        assert p.hint and (p.line or p.key)

    fill_in(src)
    assert [p.format() for p in check_source(src)] == []


def test_scaffolded_files_readme_gitignore_and_pinned_version(tmp_path):
    src = new(tmp_path, "webinar", "en", "--base-url", "https://hanamaru.netlify.app")
    assert {p.name for p in src.iterdir()} >= {"site.yml", "pages", "README.md", ".gitignore", "netlify.toml",
                                                 "requirements.txt"}
    assert (src / "requirements.txt").read_text(encoding="utf-8") == f"funnelgen=={__version__}\n"
    netlify = tomllib.loads((src / "netlify.toml").read_text(encoding="utf-8"))
    assert "pip install -r requirements.txt" in netlify["build"]["command"]
    assert "funnelgen check ." in netlify["build"]["command"]
    assert netlify["build"]["publish"] == "dist"
    assert {"dist/", ".funnelgen/"} <= set((src / ".gitignore").read_text(encoding="utf-8").split())
    readme = (src / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Hanamaru & Co.") and __version__ in readme
    assert "`consult` (backend, offer: support, form: consult): `pages/consult.md`" in readme
    for path in src.rglob("*"):
        if path.is_file() and path.suffix in (".md", ".yml", ".toml", ".txt"):
            assert "{{" not in path.read_text(encoding="utf-8"), path  # every token filled
    site = (src / "site.yml").read_text(encoding="utf-8")
    assert 'base_url: "https://hanamaru.netlify.app/"' in site and 'title: "Hanamaru & Co."' in site


def test_title_with_quotes_and_colons_stays_valid_yaml(tmp_path):
    dest = tmp_path / "site"
    title = 'Studio "Sun": Yoga # 1'
    result = CliRunner().invoke(main, ["new", str(dest), "--starter", "local", "--lang", "en", "--title", title,
                                       "--no-input"])
    assert result.exit_code == 0, result.output
    built = build(dest, tmp_path / "out", jobs=1)
    assert built.ok
    assert "Studio &#34;Sun&#34;: Yoga # 1" in (tmp_path / "out" / "trial" / "index.html").read_text(encoding="utf-8") \
        or "Studio &quot;Sun&quot;: Yoga # 1" in (tmp_path / "out" / "trial" / "index.html").read_text(encoding="utf-8")


def test_refuses_a_non_empty_folder_and_writes_nothing(tmp_path):
    dest = tmp_path / "used"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["new", str(dest), "--no-input"])
    assert result.exit_code == 1
    assert "not empty" in result.output and str(dest) in result.output
    assert "Traceback" not in result.output
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]


def test_refuses_a_file_and_a_bad_base_url_before_writing(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["new", str(target), "--no-input"])
    assert result.exit_code == 1 and "is a file" in result.output
    result = CliRunner().invoke(main, ["new", str(tmp_path / "fresh"), "--base-url", "javascript:alert(1)",
                                       "--no-input"])
    assert result.exit_code == 1 and "https://" in result.output
    assert not (tmp_path / "fresh").exists()


def test_creates_a_missing_folder_with_defaults(tmp_path):
    dest = tmp_path / "a" / "b"
    result = CliRunner().invoke(main, ["new", str(dest), "--no-input"])
    assert result.exit_code == 0, result.output
    site = (dest / "site.yml").read_text(encoding="utf-8")
    assert "language: ja" in site and "title: \"【要記入】屋号\"" in site  # course, ja, a marked title
    assert (dest / "pages" / "apply.md").is_file() and (dest / "static" / "files" / "guide.pdf").is_file()
    assert "funnelgen check" in result.output


def test_interactive_questions(tmp_path):
    dest = tmp_path / "asked"
    answers = "en\nlocal\nSunrise Pilates\nnot a url\nhttps://sunrise.example.com\n"
    result = CliRunner().invoke(main, ["new", str(dest), "--input"], input=answers)
    assert result.exit_code == 0, result.output
    assert "Language / 言語" in result.output and "first-visit offer" in result.output
    assert "not an absolute https:// address" in result.output  # asked again after a bad answer
    site = (dest / "site.yml").read_text(encoding="utf-8")
    assert "language: en" in site and 'title: "Sunrise Pilates"' in site
    assert 'base_url: "https://sunrise.example.com/"' in site
    assert (dest / "pages" / "membership.md").is_file()


def test_interactive_asks_only_what_was_not_given(tmp_path):
    dest = tmp_path / "half"
    result = CliRunner().invoke(main, ["new", str(dest), "--input", "--lang", "ja", "--starter", "trial"],
                                input="\n\n")  # empty title and address: the placeholders stay
    assert result.exit_code == 0, result.output
    assert "Language / 言語" not in result.output and "(course, trial, webinar, local)" not in result.output
    assert "サイト名" in result.output
    site = (dest / "site.yml").read_text(encoding="utf-8")
    assert "【要記入】屋号" in site and "your-site.invalid" in site


@pytest.mark.parametrize("today, expected", [(date(2026, 12, 3), "2027-01-05 20:00"),
                                             (date(2026, 6, 1), "2026-06-30 20:00")])
def test_webinar_date_is_a_weekday_evening_four_weeks_ahead(tmp_path, today, expected):
    scaffold(tmp_path / "w", Answers("ja", "webinar", "テスト"), today=today)
    assert f'starts_at: "{expected}"' in (tmp_path / "w" / "pages" / "seminar.md").read_text(encoding="utf-8")


def test_cli_lists_every_starter():
    assert STARTER_CHOICES == STARTERS


def test_the_placeholder_rule_on_any_site(tmp_path):
    """Not only starters: a marker typed into any site is an error in check and a warning in the build."""
    import copy

    config = copy.deepcopy(MINIMAL_CONFIG)
    config["legal"]["address"] = "[FILL IN] 1-2-3 Koenji"
    src = write_site(tmp_path / "site", config)
    page = src / "pages" / "optin.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nプロフィール：【要記入】\n", encoding="utf-8")
    result = build(src, tmp_path / "out", jobs=1)
    assert result.ok
    found = [p for p in check_source(src) if p.rule == RULE]
    assert {(p.key, p.severity) for p in found if p.file.endswith("site.yml")} == {("legal.address", "error")}
    on_page = [p for p in found if p.file.endswith("optin.md")]
    line = page.read_text(encoding="utf-8").splitlines().index("プロフィール：【要記入】") + 1
    assert [(p.line, p.severity) for p in on_page] == [(line, "error")]
    assert [p.line for p in result.warnings if p.rule == RULE and p.file.endswith("optin.md")] == [line]


def test_a_pages_placeholder_stays_reported_while_other_pages_change(tmp_path):
    """The page part of the rule is cached with its page: an edit elsewhere re-renders only that other page,
    and the optin's finding is still reported; fixing the optin clears it."""
    from funnelgen.reporter import Reporter

    class Rendered(Reporter):
        def __init__(self):
            self.pages = []

        def page_written(self, key, output):
            self.pages.append(key[0])

    src = write_site(tmp_path / "site", MINIMAL_CONFIG)
    page = src / "pages" / "optin.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nプロフィール：【要記入】\n", encoding="utf-8")

    def placeholder_lines(result):
        return [p.line for p in result.warnings if p.rule == RULE and p.file.endswith("optin.md")]

    first = build(src, tmp_path / "out", jobs=1)
    other = next(p for p in sorted((src / "pages").glob("*.md")) if p.name != "optin.md")
    other.write_text(other.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    seen = Rendered()
    again = build(src, tmp_path / "out", jobs=1, reporter=seen)
    assert "optin" not in seen.pages and seen.pages  # the optin came from the cache ...
    assert placeholder_lines(again) == placeholder_lines(first) and placeholder_lines(first)  # ... its finding too
    page.write_text(page.read_text(encoding="utf-8").replace("【要記入】", "山田花子"), encoding="utf-8")
    assert placeholder_lines(build(src, tmp_path / "out", jobs=1)) == []


# -- the README's site.yml -----------------------------------------------------------------------------

def readme_site_yml(name: str) -> str:
    text = (ROOT / name).read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    return next(b for b in blocks if b.lstrip().startswith("site:") and "funnels:" in b)


@pytest.mark.parametrize("name", ["README.md", "README.ja.md"])
def test_readme_snippet_builds(tmp_path, name):
    import yaml

    src = tmp_path / "site"
    (src / "pages").mkdir(parents=True)
    snippet = readme_site_yml(name)
    (src / "site.yml").write_text(snippet, encoding="utf-8")
    data = yaml.safe_load(snippet)
    for step in data["funnels"]["blog"]["steps"]:
        cta = {"sales": "1,980円（税込）で講座を購入する", "upsell": "追加で購入する", "downsell": "購入する",
               "backend": "無料相談に申し込む"}.get(step["kind"])
        front = f"title: {step['id']}\n" + (f"cta: {cta}\n" if cta else "")
        body = "::: price\n:::\n" if step.get("offer") else "本文です。\n"
        (src / "pages" / step["page"]).write_text(f"---\n{front}---\n\n{body}", encoding="utf-8")
    result = build(src, tmp_path / "out", jobs=1)
    assert result.ok
    assert [p.format() for p in check_source(src) if p.severity == "error"] == []
