"""One test per class of bad input: clear message, exit 1, no traceback, old output intact."""

from __future__ import annotations

import copy

import pytest
import yaml
from click.testing import CliRunner
from helpers import MINIMAL_CONFIG, write_site

from funnelgen.cli import main


def run_build(src, out):
    return CliRunner().invoke(main, ["build", str(src), "-o", str(out)])


@pytest.fixture
def good(tmp_path):
    src = write_site(tmp_path / "site")
    out = tmp_path / "out"
    result = run_build(src, out)
    assert result.exit_code == 0, result.output
    return src, out, (out / "optin" / "index.html").read_bytes()


def config_with(change) -> dict:
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    change(cfg)
    return cfg


def steps(cfg):
    return cfg["funnels"]["main"]["steps"]


def assert_fails(good, expect: list[str], *, config=None, raw_yaml=None, files=None, line=None):
    src, out, before = good
    if config is not None:
        write_site(src, config)
    if raw_yaml is not None:
        (src / "site.yml").write_text(raw_yaml, encoding="utf-8")
    for name, text in (files or {}).items():
        (src / name).write_text(text, encoding="utf-8")
    result = run_build(src, out)
    output = result.output
    assert result.exit_code == 1, output
    assert "Traceback" not in output
    for needle in expect:
        assert needle in output, f"{needle!r} not in:\n{output}"
    assert "fix:" in output
    if line is not None:
        assert f":{line}:" in output, output
    assert (out / "optin" / "index.html").read_bytes() == before  # previous output untouched
    leftovers = [p.name for p in out.parent.iterdir() if ".staging-" in p.name or ".old-" in p.name]
    assert leftovers == []
    return output


def test_yaml_syntax_error(good):
    text = yaml.safe_dump(MINIMAL_CONFIG, allow_unicode=True, sort_keys=False).replace(
        "title: Test Shop", "title: [Test Shop")
    assert_fails(good, ["site.yml", "YAML syntax error"], raw_yaml=text)


def test_duplicate_keys(good):
    text = yaml.safe_dump(MINIMAL_CONFIG, allow_unicode=True, sort_keys=False)
    text = text.replace("offers:\n", "offers:\n  starter:\n    name: dup\n    price: 1\n", 1)
    assert_fails(good, ["duplicate key 'starter'"], raw_yaml=text)


def test_unknown_key_with_did_you_mean(good):
    def change(cfg):
        cfg["offers"]["starter"]["chekout"] = cfg["offers"]["starter"].pop("checkout")
    out = assert_fails(good, ["offers.starter.chekout", "unknown key 'chekout'", "Did you mean 'checkout'?"],
                       config=config_with(change))
    assert "site.yml:" in out


def test_unknown_key_reports_its_line(good):
    text = yaml.safe_dump(MINIMAL_CONFIG, allow_unicode=True, sort_keys=False)
    text = text.replace("  language: ja\n", "  language: ja\n  langauge: en\n")
    lineno = text.splitlines().index("  langauge: en") + 1
    assert_fails(good, ["site.langauge", "Did you mean 'language'?"], raw_yaml=text, line=lineno)


def test_missing_page_file(good):
    src = good[0]
    (src / "pages" / "gift.md").unlink()
    assert_fails(good, ["pages/gift.md", "does not exist", "funnels.main.steps[1].page"])


def test_duplicate_step_ids(good):
    def change(cfg):
        steps(cfg)[3]["id"] = "gift"
        steps(cfg)[2]["next"] = "gift"
    assert_fails(good, ["duplicate step id 'gift'"], config=config_with(change))


def test_edge_to_unknown_step(good):
    def change(cfg):
        steps(cfg)[1]["next"] = "startr"
    assert_fails(good, ["funnels.main.steps[1].next", "unknown step 'startr'", "Did you mean 'starter'?"],
                 config=config_with(change))


def test_unreachable_step(good):
    def change(cfg):
        steps(cfg).append({"id": "orphan", "kind": "thankyou", "page": "orphan.md"})
    assert_fails(good, ["step 'orphan' is unreachable"], config=config_with(change))


def test_dead_end(good):
    def change(cfg):
        del steps(cfg)[2]["next"]
    assert_fails(good, ["dead end: sales step 'starter' has no 'next'"], config=config_with(change))


def test_sales_step_without_offer(good):
    def change(cfg):
        del steps(cfg)[2]["offer"]
    assert_fails(good, ["sales step 'starter' has no offer"], config=config_with(change))


def test_offer_without_checkout(good):
    def change(cfg):
        del cfg["offers"]["starter"]["checkout"]
    assert_fails(good, ["offers.starter.checkout", "has no checkout URL"], config=config_with(change))


def test_unsafe_checkout_url(good):
    def change(cfg):
        cfg["offers"]["starter"]["checkout"] = "javascript:alert(1)"
    assert_fails(good, ["offers.starter.checkout", "unsafe"], config=config_with(change))


def test_unsafe_link_in_markdown(good):
    out = assert_fails(good, ["pages/gift.md:5", "javascript"],
                       files={"pages/gift.md": "---\ntitle: gift\n---\n\n[x](javascript:alert(1))\n"})
    assert "unsafe" in out


def test_malformed_tracking_id(good):
    def change(cfg):
        cfg["tracking"] = {"ga4": "UA-12345-1", "meta_pixel": "12345"}
    assert_fails(good, ["tracking.ga4", "is not a GA4 measurement ID", "tracking.meta_pixel"],
                 config=config_with(change))


def test_two_pages_writing_the_same_path(good):
    def change(cfg):
        steps(cfg)[3]["slug"] = "gift"
    assert_fails(good, ["writes /gift/, which step 'gift' writes too"], config=config_with(change))


def test_static_file_colliding_with_generated_file(good):
    src = good[0]
    (src / "static").mkdir()
    (src / "static" / "robots.txt").write_text("x")
    assert_fails(good, ["two outputs write the same file 'robots.txt'"])


def test_bad_front_matter_key(good):
    assert_fails(good, ["pages/gift.md:3", "unknown key 'headlin'", "Did you mean 'headline'?"],
                 files={"pages/gift.md": "---\ntitle: gift\nheadlin: x\n---\nbody\n"})


def test_wrong_type(good):
    def change(cfg):
        cfg["offers"]["starter"]["price"] = "千円"
    assert_fails(good, ["offers.starter.price", "expected a number"], config=config_with(change))


def test_missing_required_key(good):
    def change(cfg):
        del cfg["legal"]["phone"]
    assert_fails(good, ["legal.phone", "required key 'phone' is missing"], config=config_with(change))


def test_template_error_names_the_template(good):
    src = good[0]
    (src / "templates").mkdir()
    assert_fails(good, ["templates/thankyou.html", "template error"],
                 files={"templates/thankyou.html": "{% extends 'base.html' %}{% block main %}{{ oops( }}{% endblock %}"})


def test_output_folder_that_holds_sources_is_refused(tmp_path):
    src = write_site(tmp_path / "site")
    result = CliRunner().invoke(main, ["build", str(src), "-o", str(src)])
    assert result.exit_code == 1
    assert "refusing to use this folder as output" in result.output
    assert (src / "site.yml").exists()


def test_missing_config(tmp_path):
    result = CliRunner().invoke(main, ["build", str(tmp_path)])
    assert result.exit_code == 1 and "no site config found" in result.output


def test_not_a_number_price(good):
    def change(cfg):
        cfg["offers"]["starter"]["price"] = float("nan")
    assert_fails(good, ["offers.starter.price", "expected a number"], config=config_with(change))


def test_build_and_check_agree_on_config_side_rules(good):
    def change(cfg):
        cfg["offers"]["starter"]["compare_at_price"] = 1000  # no basis, and not above the price
    assert_fails(good, ["compare_at_price but no compare_at_basis", "is not above the price"],
                 config=config_with(change))


def test_link_to_the_inlined_stylesheet_is_broken(good):
    assert_fails(good, ["/assets/style.css is not part of the built site"],
                 files={"pages/gift.md": "---\ntitle: gift\n---\n[css](/assets/style.css)\n"})


def test_slug_with_a_trailing_slash(good):
    def change(cfg):
        steps(cfg)[3]["slug"] = "thanks/"
    assert_fails(good, ["funnels.main.steps[3].slug", "is not a valid URL slug"], config=config_with(change))


def test_front_matter_after_a_bom_is_read(good):
    src, out, _before = good
    (src / "pages" / "gift.md").write_bytes("\ufeff---\ntitle: 特典ページ\nheadline: 見出しです\n---\n\n本文\n".encode())
    result = run_build(src, out)
    assert result.exit_code == 0, result.output
    html = (out / "gift" / "index.html").read_text(encoding="utf-8")
    assert "見出しです</h1>" in html and "title: " not in html


def test_front_matter_without_its_closing_line(good):
    assert_fails(good, ["pages/gift.md:1", "never closed"],
                 files={"pages/gift.md": "---\ntitle: a\nheadline: b\n\nbody\n"})


def test_a_page_over_1_mb_builds_with_a_warning(good):
    src, out, _before = good
    (src / "pages" / "gift.md").write_text("---\ntitle: a\n---\n\n" + "あ" * 400_000 + "\n", encoding="utf-8")
    result = run_build(src, out)
    assert result.exit_code == 0 and "over 1 MB" in result.output, result.output


def test_empty_funnels_is_no_funnel_at_its_key(good):
    output = assert_fails(good, ["funnels", "no funnel"], config=config_with(lambda c: c.update(funnels={})))
    assert "404" not in output


def test_the_same_problem_is_reported_once(good):
    from funnelgen.errors import BuildError, Problem

    p = Problem("site.yml", "twice", line=3, rule="jp.order-button")
    assert BuildError([p, p, Problem("site.yml", "twice", line=4)]).problems == [p, Problem("site.yml", "twice", line=4)]


@pytest.mark.parametrize("edge", ["next", "accept", "decline"])
def test_a_step_that_leads_to_itself(good, edge):
    def change(cfg):
        steps(cfg)[2].update({"kind": "upsell", "accept": "thanks", "decline": "thanks"} if edge != "next" else {})
        steps(cfg)[2].pop("next", None) if edge != "next" else None
        steps(cfg)[2][edge] = "starter"
    assert_fails(good, ["itself", f"{edge}: starter"], config=config_with(change))


def test_unwritable_output_is_a_problem_not_a_crash(good, monkeypatch):
    import errno

    from funnelgen import output

    def mkdtemp(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", kwargs.get("dir"))
    monkeypatch.setattr(output.tempfile, "mkdtemp", mkdtemp)
    src = good[0]
    (src / "site.yml").touch()  # an edit: with nothing changed the build would write nothing (unchanged.py)
    assert_fails(good, ["Read-only file system", "writable folder"])


def test_symlinks_inside_the_site_folder_are_followed(good):
    src, out, _before = good
    (src / "shared").mkdir()
    (src / "shared" / "gift.md").write_text("---\ntitle: 共有\nheadline: 共有ページ\n---\n\n本文\n", encoding="utf-8")
    (src / "pages" / "gift.md").unlink()
    (src / "pages" / "gift.md").symlink_to(src / "shared" / "gift.md")
    (src / "static").mkdir()
    (src / "static" / "files").symlink_to(src / "shared", target_is_directory=True)
    (src / "templates").mkdir()
    (src / "templates" / "style.css").symlink_to(src / "shared" / "gift.md")  # any text inside the site is fine
    result = run_build(src, out)
    assert result.exit_code == 0, result.output
    assert "共有ページ" in (out / "gift" / "index.html").read_text(encoding="utf-8")
    assert (out / "files" / "gift.md").is_file()


def test_a_template_error_in_a_render_worker_names_the_template(tmp_path):
    """Sites of 48+ pages render in worker processes; a template error there still names the template and
    line, and no follow-on noise is reported for the pages that could not be written."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from sitegen import make_site

    src = make_site(tmp_path / "site", 60)
    (src / "templates").mkdir()
    (src / "templates" / "page.html").write_text('{% include "page.html" %}', encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(src), "-o", str(tmp_path / "out"), "-j", "2"])
    assert result.exit_code == 1 and "internal error" not in result.output
    assert "templates/page.html:1: template includes or calls itself without end" in result.output
    assert "links.resolve" not in result.output
