"""The build cache (funnelgen/buildcache.py): exactly the pages whose inputs changed are rendered again, and a
warm build's output is byte for byte a clean build's.

Every test builds a private copy of the example twice (or more), asks the reporter which pages were rendered
and which were reused, and compares the warm output with a `--no-cache` build of the same sources.
"""

from __future__ import annotations

import re

import pytest
from helpers import copy_example, same_tree, write_site

from funnelgen.build import build
from funnelgen.buildcache import CACHE_FILE
from funnelgen.errors import BuildError
from funnelgen.reporter import RecordingReporter

ALL = {("optin", "a"), ("optin-sns", "sns"), ("gift", "a"), ("starter", "a"), ("upsell", "a"), ("downsell", "a"),
       ("apply", "a"), ("thanks", "a")}
ALL_MINIMAL = {("optin", "a"), ("gift", "a"), ("starter", "a"), ("thanks", "a")}  # helpers.MINIMAL_CONFIG's pages


def run(src, out, **kw) -> tuple[set, set]:
    """Build; return (rendered, reused) page keys as the reporter heard them."""
    rec = RecordingReporter()
    build(src, out, jobs=kw.pop("jobs", 1), reporter=rec, **kw)
    return set(rec.written()), {args[0] for args in rec.named("page_reused")}


@pytest.fixture
def site(tmp_path):
    src = copy_example(tmp_path / "site")
    rendered, reused = run(src, tmp_path / "out")
    assert rendered == ALL and not reused
    return src, tmp_path / "out"


def clean_build_matches(src, out, tmp_path) -> None:
    fresh = tmp_path / "fresh"
    build(src, fresh, jobs=1, cache=False)
    same_tree(out, fresh)


def test_nothing_changed_reuses_every_page_and_writes_the_same_site(site, tmp_path):
    src, out = site
    rendered, reused = run(src, out)
    assert rendered == set() and reused == ALL
    clean_build_matches(src, out, tmp_path)


def test_an_edited_page_is_the_only_page_rendered_again(site, tmp_path):
    src, out = site
    page = src / "pages" / "thanks.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n追伸：届いたメールの返信で質問できます。\n", encoding="utf-8")
    rendered, reused = run(src, out)
    assert rendered == {("thanks", "a")} and reused == ALL - rendered
    assert "追伸" in (out / "thanks" / "index.html").read_text(encoding="utf-8")
    clean_build_matches(src, out, tmp_path)


def test_an_offer_price_renders_exactly_the_pages_that_show_it(site, tmp_path):
    src, out = site
    cfg = src / "site.yml"
    text = cfg.read_text(encoding="utf-8")
    block = text[text.index("  starter-review:"):]
    new_block = re.sub(r"price: \d+", "price: 7700", block, count=1)
    assert new_block != block
    cfg.write_text(text.replace(block, new_block), encoding="utf-8")
    rendered, reused = run(src, out)
    assert rendered == {("starter", "a"), ("upsell", "a")}  # the bump's bundle: on the sales page and the upsell
    assert reused == ALL - rendered
    assert "\"value\":7700" in (out / "upsell" / "index.html").read_text(encoding="utf-8")  # what was paid
    clean_build_matches(src, out, tmp_path)


def test_an_edited_template_renders_the_pages_that_use_it(site, tmp_path):
    src, out = site
    from funnelgen.theme import builtin_themes_dir

    original = (builtin_themes_dir() / "default" / "templates" / "partials" / "progress.html").read_text(encoding="utf-8")
    override = src / "templates" / "partials" / "progress.html"
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text(original.replace("<", "<!-- override -->\n<", 1), encoding="utf-8")
    rendered, reused = run(src, out)
    assert rendered == {("upsell", "a"), ("downsell", "a")} and reused == ALL - rendered  # STEP n/total pages
    assert "<!-- override -->" in (out / "downsell" / "index.html").read_text(encoding="utf-8")
    override.write_text(original.replace("<", "<!-- edited -->\n<", 1), encoding="utf-8")
    rendered, _ = run(src, out)
    assert rendered == {("upsell", "a"), ("downsell", "a")}
    clean_build_matches(src, out, tmp_path)


def test_a_changed_setting_renders_every_page(site, tmp_path):
    src, out = site
    cfg = src / "site.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("  title: ", "  title: 新・", 1), encoding="utf-8")
    rendered, reused = run(src, out)
    assert rendered == ALL and not reused
    clean_build_matches(src, out, tmp_path)


def test_a_new_funnelgen_version_renders_every_page(site, monkeypatch):
    src, out = site
    monkeypatch.setattr("funnelgen.__version__", "99.0.0")
    rendered, reused = run(src, out)
    assert rendered == ALL and not reused


def test_no_cache_renders_every_page(site):
    src, out = site
    rendered, reused = run(src, out, cache=False)
    assert rendered == ALL and not reused


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_a_damaged_cache_is_ignored_with_a_note(site, tmp_path, damage):
    src, out = site
    cache = src / ".funnelgen" / CACHE_FILE
    data = cache.read_bytes()
    cache.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"\x00\xff not a cache",
                       "flip": data[:-40] + bytes([data[-40] ^ 1]) + data[-39:]}[damage])  # one bit of one byte
    rec = RecordingReporter()
    build(src, out, jobs=1, reporter=rec)
    assert set(rec.written()) == ALL
    notes = [args[0] for args in rec.named("message")]
    assert any("ignored the build cache" in n for n in notes), notes
    clean_build_matches(src, out, tmp_path)
    assert run(src, out)[1] == ALL  # the next build trusts the cache it just wrote


def test_a_failed_build_leaves_the_cache_consistent(site, tmp_path):
    src, out = site
    cache = src / ".funnelgen" / CACHE_FILE
    before = cache.read_bytes()
    page = src / "pages" / "gift.md"
    good = page.read_text(encoding="utf-8")
    page.write_text(good + "\n::: nosuchblock\nx\n:::\n", encoding="utf-8")
    with pytest.raises(BuildError):
        build(src, out, jobs=1)
    assert cache.read_bytes() == before
    page.write_text(good, encoding="utf-8")
    rendered, reused = run(src, out)
    assert reused == ALL and not rendered  # gift.md's time moved, but its content is what the cache holds
    clean_build_matches(src, out, tmp_path)


def test_an_output_file_changed_by_hand_is_rendered_again(site, tmp_path):
    src, out = site
    target = out / "thanks" / "index.html"
    target.write_text(target.read_text(encoding="utf-8") + "<!-- hand edit -->", encoding="utf-8")
    rendered, _ = run(src, out)
    assert rendered == {("thanks", "a")}
    clean_build_matches(src, out, tmp_path)


def test_another_output_folder_starts_clean(site, tmp_path):
    src, _out = site
    rendered, reused = run(src, tmp_path / "elsewhere")
    assert rendered == ALL and not reused


def test_parallel_workers_record_what_they_read(tmp_path, monkeypatch):
    monkeypatch.setattr("funnelgen.build.PARALLEL_THRESHOLD", 2)
    src, out = copy_example(tmp_path / "site"), tmp_path / "out"
    run(src, out, jobs=2)
    cfg = src / "site.yml"
    text = cfg.read_text(encoding="utf-8")
    block = text[text.index("  coaching:"):]
    cfg.write_text(text.replace(block, re.sub(r"price: \d+", "price: 330000", block, count=1)), encoding="utf-8")
    rendered, reused = run(src, out, jobs=2)
    assert rendered == {("apply", "a")} and reused == ALL - rendered
    clean_build_matches(src, out, tmp_path)


def test_a_page_whose_check_reads_the_clock_is_never_reused(tmp_path):
    from helpers import MINIMAL_CONFIG

    page = '---\ntitle: 講座\n---\n\n::: countdown ends_at="2099-12-31 23:59"\n:::\n\n本文\n'
    src = write_site(tmp_path / "site", MINIMAL_CONFIG, {"starter.md": page})
    out = tmp_path / "out"
    run(src, out)
    rendered, reused = run(src, out)
    assert rendered == {("starter", "a")}
    assert reused == {("optin", "a"), ("gift", "a"), ("thanks", "a")}


def test_a_copied_site_folder_does_not_trust_the_cache_it_came_with(site, tmp_path):
    """An archive unpacked elsewhere keeps the files' times: its cache and output must not be taken on trust."""
    import shutil

    src, out = site
    copy = tmp_path / "copy"
    shutil.copytree(src, copy, symlinks=True, copy_function=shutil.copy2)
    shutil.rmtree(src)
    copy.rename(src)  # the same path and times, another folder
    rendered, reused = run(src, out)
    assert rendered == ALL and not reused


def test_compiled_templates_stay_out_of_the_site_folder(tmp_path, monkeypatch):
    """jinja2 loads compiled templates with marshal: one that came with a cloned site would run its code."""
    import os
    import stat

    cache_home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    src = copy_example(tmp_path / "site")
    build(src, tmp_path / "out", jobs=1, cache=False)
    assert not (src / ".funnelgen" / "jinja").exists()
    folder = next((cache_home / "funnelgen" / "jinja").iterdir())
    assert list(folder.glob("*.cache")) and stat.S_IMODE(os.stat(folder).st_mode) == 0o700

    for old in folder.glob("*.cache"):
        old.unlink()
    folder.chmod(0o777)  # a folder others can write into is not used
    build(src, tmp_path / "out2", jobs=1, cache=False)
    assert not list(folder.glob("*.cache"))


def count_site_wide(monkeypatch) -> list:
    """Calls of render_legal: the site-wide pages (legal, privacy, 404) and checks run when it is called."""
    from funnelgen.render import Renderer

    calls, real = [], Renderer.render_legal
    monkeypatch.setattr(Renderer, "render_legal", lambda self: calls.append(1) or real(self))
    return calls


def test_an_unchanged_build_reuses_the_site_wide_pages_and_repeats_their_warnings(tmp_path, monkeypatch):
    from helpers import MINIMAL_CONFIG

    page = "---\ntitle: 講座\n---\n\n価格は【要記入】円です。\n"  # a site-wide check warns about it
    src, out = write_site(tmp_path / "site", MINIMAL_CONFIG, {"starter.md": page}), tmp_path / "out"
    first = build(src, out, jobs=1)
    calls = count_site_wide(monkeypatch)
    second = build(src, out, jobs=1)
    assert calls == []
    assert [(p.file, p.line, p.rule, p.message) for p in second.warnings] == \
        [(p.file, p.line, p.rule, p.message) for p in first.warnings] and first.warnings
    clean_build_matches(src, out, tmp_path)


def test_an_offer_shown_on_no_page_still_renders_the_legal_page(tmp_path, monkeypatch):
    import copy

    from helpers import MINIMAL_CONFIG

    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["offers"]["book"] = {"name": "電子書籍", "price": 990, "checkout": "https://buy.stripe.com/book"}
    src, out = write_site(tmp_path / "site", cfg), tmp_path / "out"
    run(src, out)
    yml = src / "site.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("price: 990", "price: 1100"), encoding="utf-8")
    calls = count_site_wide(monkeypatch)
    rendered, _ = run(src, out)
    assert rendered == set() and calls == [1]  # no page shows the book; the legal page lists every offer
    assert "1,100" in (out / "legal" / "index.html").read_text(encoding="utf-8")
    clean_build_matches(src, out, tmp_path)


def test_an_anchor_into_a_static_page_is_checked_again_when_the_static_page_changes(tmp_path, monkeypatch):
    from helpers import MINIMAL_CONFIG

    page = "---\ntitle: 講座\n---\n\n[手順](/docs/guide.html#step-2)\n"
    src = write_site(tmp_path / "site", MINIMAL_CONFIG, {"starter.md": page})
    guide = src / "static" / "docs" / "guide.html"
    guide.parent.mkdir(parents=True)
    guide.write_text('<h2 id="step-2">手順2</h2>', encoding="utf-8")
    out = tmp_path / "out"
    run(src, out)
    guide.write_text('<h2 id="step-two">手順2</h2>', encoding="utf-8")  # the anchor is gone
    calls = count_site_wide(monkeypatch)
    with pytest.raises(BuildError) as exc:
        build(src, out, jobs=1)
    assert calls == [1]
    assert any("no element with id 'step-2'" in p.message for p in exc.value.problems)


def test_a_build_with_nothing_to_render_loads_no_template_markdown_or_html_parser(site):
    """Start-up is most of an unchanged build: jinja2, markdown-it and lxml are loaded only to render."""
    import subprocess
    import sys

    src, out = site
    code = ("import sys; from funnelgen.build import build; build(sys.argv[1], sys.argv[2], jobs=1); "
            "print(sorted(m for m in ('jinja2', 'markdown_it', 'lxml.etree') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code, str(src), str(out)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
    page = src / "pages" / "thanks.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n追伸\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", code, str(src), str(out)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['jinja2', 'lxml.etree', 'markdown_it']"  # one page to render: all three


def test_a_kind_template_the_theme_lacked_renders_the_pages_of_that_kind(tmp_path):
    """thankyou pages fall back to page.html; a site's own templates/thankyou.html must reach them."""
    from helpers import MINIMAL_CONFIG

    from funnelgen.theme import builtin_themes_dir

    src, out = write_site(tmp_path / "site", MINIMAL_CONFIG), tmp_path / "out"
    run(src, out)
    page = (builtin_themes_dir() / "default" / "templates" / "page.html").read_text(encoding="utf-8")
    (src / "templates").mkdir()
    own = page.replace('<article class="copy wrap">', '<article class="copy wrap"><p>own thank-you</p>')
    assert own != page
    (src / "templates" / "thankyou.html").write_text(own, encoding="utf-8")
    rendered, reused = run(src, out)
    assert rendered == {("gift", "a"), ("thanks", "a")} and reused == {("optin", "a"), ("starter", "a")}
    assert "own thank-you" in (out / "thanks" / "index.html").read_text(encoding="utf-8")
    clean_build_matches(src, out, tmp_path)


def test_an_optional_partial_that_appears_renders_the_pages_that_include_it(tmp_path):
    """`{% include ... ignore missing %}` of a partial nobody has: adding it later changes those pages."""
    from helpers import MINIMAL_CONFIG

    from funnelgen.theme import builtin_themes_dir

    src, out = write_site(tmp_path / "site", MINIMAL_CONFIG), tmp_path / "out"
    page = (builtin_themes_dir() / "default" / "templates" / "page.html").read_text(encoding="utf-8")
    (src / "templates").mkdir()
    own = page.replace('<article class="copy wrap">', '{% include "partials/extra.html" ignore missing %}'
                                                       '<article class="copy wrap">')
    (src / "templates" / "page.html").write_text(own, encoding="utf-8")
    run(src, out)
    (src / "templates" / "partials").mkdir()
    (src / "templates" / "partials" / "extra.html").write_text("<p>extra partial</p>", encoding="utf-8")
    rendered, _reused = run(src, out)
    assert rendered == ALL_MINIMAL
    assert "extra partial" in (out / "gift" / "index.html").read_text(encoding="utf-8")
    clean_build_matches(src, out, tmp_path)
