"""A generated corpus of broken sites: every one fails cleanly and leaves the previous output alone.

Each case starts from the example site already built into its output folder, breaks one thing and
builds again through the CLI. For every case: a non-zero exit, a message naming the file (and the line
where there is one), no traceback, no "internal error", the previous output byte-identical, and nothing
from outside the site folder in it.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import copy_example

from funnelgen.cli import main

SECRET = b"TOPSECRET-outside-the-site"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    base = tmp_path_factory.mktemp("pristine")
    site = copy_example(base / "site")
    out = base / "out"
    result = CliRunner().invoke(main, ["build", str(site), "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    return site, out


def snapshot(folder: Path) -> dict[str, bytes]:
    files = {}
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(root) / name
            files[str(path.relative_to(folder))] = path.read_bytes()
    return files


def yml(site: Path, old: str, new: str, count: int = 1) -> None:
    path = site / "site.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def page(site: Path, name: str, text: str | bytes) -> None:
    path = site / "pages" / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)


def offer(key: str, value: str):
    return lambda s, ctx: yml(s, "    price: 9800\n", f"    price: 9800\n    {key}: {value}\n")


def starter_price(value: str):
    return lambda s, ctx: yml(s, "    price: 1980\n", f"    price: {value}\n")


OPTIN = "      - {id: optin, kind: optin, page: optin.md, form: lead, next: gift}"


def step(extra: str):
    return lambda s, ctx: yml(s, OPTIN, OPTIN[:-1] + f", {extra}}}")


def form(key: str, value: str):
    return lambda s, ctx: yml(s, "    provider: netlify\n", f"    provider: netlify\n    {key}: {value}\n")


def symlink(where: str, target):
    def mutate(s, ctx):
        link = s / where
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.exists() or link.is_symlink():
            link.unlink()
        link.symlink_to(target(s, ctx))
    return mutate


def fail_rename_at(point: int, exc: BaseException):
    """Make the n-th rename of the commit fail (the exchange is refused first, so the fallback runs)."""
    def mutate(s, ctx):
        from funnelgen import output

        calls = []
        real = os.rename

        def rename(a, b):
            calls.append((a, b))
            if len(calls) == point:
                raise exc
            return real(a, b)

        ctx["monkeypatch"].setattr(output, "_exchange", lambda a, b: False)
        ctx["monkeypatch"].setattr(output.os, "rename", rename)
    return mutate


def oserror(code: int):
    def mutate(s, ctx):
        from funnelgen import output

        def write(self, relpath, data):
            raise OSError(code, os.strerror(code), str(self.root / relpath))
        ctx["monkeypatch"].setattr(output.Staging, "write", write)
    return mutate


def external_theme(s, ctx):
    from funnelgen import theme

    ext = ctx["tmp"] / "ext"
    shutil.copytree(theme.builtin_themes_dir(), ext / "themes")
    ctx["monkeypatch"].setattr(theme, "builtin_themes_dir", lambda: ext / "themes")
    ctx["out"] = ext


def foreign_out(s, ctx):
    foreign = ctx["tmp"] / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"jpeg")
    ctx["out"] = foreign


BIG = "---\ntitle: big\n---\n\n" + ("売り込まずに売れるメール。\n" * 200_000)

# (id, mutation, text expected in the output, file named, line named or None)
CASES = [
    # YAML syntax
    ("yaml-unclosed-quote", lambda s, c: yml(s, "  title: ことのは舎", '  title: "ことのは舎'), "YAML syntax error",
     "site.yml", None),
    ("yaml-tab-indent", lambda s, c: yml(s, "  language: ja", "\tlanguage: ja"), "YAML syntax error", "site.yml", 6),
    ("yaml-unclosed-flow", lambda s, c: yml(s, OPTIN, OPTIN[:-1]), "YAML syntax error", "site.yml", None),
    ("yaml-list-root", lambda s, c: (s / "site.yml").write_text("- a\n- b\n"), "YAML mapping", "site.yml", 1),
    ("yaml-empty", lambda s, c: (s / "site.yml").write_text(""), "YAML mapping", "site.yml", None),
    ("yaml-too-deep", lambda s, c: yml(s, "  language: ja", "  language: ja\n  description: " + "[" * 5000 + "]" * 5000),
     "nested too deeply", "site.yml", None),
    ("config-link-out", lambda s, c: (c["secret"].write_text((s / "site.yml").read_text()), (s / "site.yml").unlink(),
                                      (s / "site.yml").symlink_to(c["secret"])), "outside the site folder", "site.yml",
     None),
    ("yaml-alias-unknown", lambda s, c: yml(s, "  language: ja", "  language: *lang"), "YAML syntax error",
     "site.yml", 6),
    # duplicate keys
    ("dup-top", lambda s, c: (s / "site.yml").write_text((s / "site.yml").read_text() + "\nsite: {title: x}\n"),
     "duplicate key 'site'", "site.yml", None),
    ("dup-legal", lambda s, c: yml(s, "  seller: 合同会社ことのは舎", "  seller: a\n  seller: b"), "duplicate key 'seller'",
     "site.yml", 16),
    ("dup-offer-id", lambda s, c: yml(s, "  templates:\n", "  starter:\n"), "duplicate key 'starter'", "site.yml", None),
    ("dup-price", starter_price("1980\n    price: 1980"), "duplicate key 'price'", "site.yml", None),
    ("dup-front-matter", lambda s, c: page(s, "gift.md", "---\ntitle: a\ntitle: b\n---\nbody\n"),
     "duplicate key 'title'", "gift.md", 3),
    ("non-text-key", lambda s, c: yml(s, "  ga4: G-K7T2Q9X4LM", "  ga4: G-K7T2Q9X4LM\n  1: a\n  true: b"), "'1'",
     "site.yml", None),
    # unknown keys at every level
    ("unknown-top", lambda s, c: yml(s, "site:\n", "sitee: 1\nsite:\n"), "unknown key 'sitee'", "site.yml", 3),
    ("unknown-site", lambda s, c: yml(s, "  language: ja", "  language: ja\n  titel: x"), "unknown key 'titel'",
     "site.yml", 7),
    ("unknown-legal", lambda s, c: yml(s, "  phone: 03-6805-4127", "  phone: 03-6805-4127\n  fax: 1"),
     "unknown key 'fax'", "site.yml", None),
    ("unknown-privacy", lambda s, c: yml(s, '    updated: "2026-11-01"', '    updated: "2026-11-01"\n    upd: 1'),
     "unknown key 'upd'", "site.yml", None),
    ("unknown-offer", offer("prise", "1"), "unknown key 'prise'", "site.yml", None),
    ("unknown-billing", lambda s, c: yml(s, "count: 6}", "count: 6, every: 2}"), "unknown key 'every'", "site.yml",
     None),
    ("unknown-form", form("buton", "x"), "unknown key 'buton'", "site.yml", None),
    ("unknown-form-field", lambda s, c: yml(s, "type: textarea}", "type: textarea, size: 3}"), "unknown key 'size'",
     "site.yml", None),
    ("unknown-step", step("nxt: gift"), "unknown key 'nxt'", "site.yml", None),
    ("unknown-funnel", lambda s, c: yml(s, "    title: ブログ・検索から来た方", "    title: x\n    titel: y"),
     "unknown key 'titel'", "site.yml", None),
    ("unknown-tracking", lambda s, c: yml(s, "  ga4: G-K7T2Q9X4LM", "  ga5: G-K7T2Q9X4LM"), "unknown key 'ga5'",
     "site.yml", None),
    ("unknown-front-matter", lambda s, c: page(s, "gift.md", "---\ntitle: a\nheadlin: b\n---\nbody\n"),
     "unknown key 'headlin'", "gift.md", 3),
    # wrong types
    ("site-title-list", lambda s, c: yml(s, "  title: ことのは舎", "  title: [a, b]"), "expected text", "site.yml", 4),
    ("site-base-url-number", lambda s, c: yml(s, "  base_url: https://funnelgen-example.netlify.app/",
                                              "  base_url: ftp://x"), "base_url", "site.yml", 5),
    ("site-allow-html-text", lambda s, c: yml(s, "  language: ja", "  language: ja\n  allow_html: yes please"),
     "true or false", "site.yml", 7),
    ("site-language", lambda s, c: yml(s, "  language: ja", "  language: fr"), "'fr' is not one of", "site.yml", 6),
    ("site-accent", lambda s, c: yml(s, '  accent_color: "#c2410c"', "  accent_color: red"), "colour", "site.yml", 8),
    ("site-audience", lambda s, c: yml(s, "  language: ja", "  language: ja\n  audience: eu"), "expected a list",
     "site.yml", 7),
    ("price-text", starter_price("千円"), "expected a number", "site.yml", 37),
    ("price-jpy-decimals", starter_price("1980.6"), "whole", "site.yml", 37),
    ("price-usd-3-decimals", lambda s, c: yml(s, "    price: 1980\n", "    price: 19.999\n    currency: USD\n"),
     "2 decimals", "site.yml", 37),
    ("price-400-digits", starter_price("1" * 400), "too large", "site.yml", 37),
    ("price-1e30", starter_price("1e30"), "too large", "site.yml", 37),
    ("price-negative", starter_price("-5"), "at least 0", "site.yml", 37),
    ("price-nan", starter_price(".nan"), "expected a number", "site.yml", 37),
    ("tax-rate-percent", offer("tax_rate", "10"), "0.10", "site.yml", None),
    ("tax-choice", offer("tax", "maybe"), "'maybe' is not one of", "site.yml", None),
    ("billing-text", offer("billing", "monthly"), "expected a mapping", "site.yml", None),
    ("trial-days-zero", offer("trial_days", "0"), "at least 1", "site.yml", None),
    ("currency-yen", offer("currency", "YEN"), "'YEN' is not one of", "site.yml", None),
    ("compare-at-text", offer("compare_at_price", "高い"), "expected a number", "site.yml", None),
    ("offer-checkout-js", lambda s, c: yml(s, "https://buy.stripe.com/6oE5kN0aB1cD2eF3gH", "javascript:alert(1)"),
     "javascript", "site.yml", 39),
    ("form-fields-text", lambda s, c: yml(s, "    fields: [name, email]", "    fields: email"), "expected a list",
     "site.yml", None),
    ("form-provider", lambda s, c: yml(s, "    provider: netlify\n", "    provider: mailchimp\n"),
     "'mailchimp' is not one of", "site.yml", 82),
    ("form-consent-checkbox", form("consent_checkbox", "1"), "true or false", "site.yml", None),
    ("form-action-data", form("action", "'data:text/html,x'"), "data", "site.yml", None),
    ("form-field-type", lambda s, c: yml(s, "type: textarea}", "type: calendar}"), "'calendar' is not one of", "site.yml",
     None),
    ("step-kind", lambda s, c: yml(s, "{id: optin, kind: optin,", "{id: optin, kind: squeeze,"),
     "'squeeze' is not one of", "site.yml", None),
    ("step-final-text", step("final: nope"), "true or false", "site.yml", None),
    ("step-variant", step("variant: 'a b'"), "variant", "site.yml", None),
    ("funnels-empty", lambda s, c: (s / "site.yml").write_text(
        (s / "site.yml").read_text().split("funnels:\n")[0] + "funnels: {}\n"), "no funnel", "site.yml", None),
    ("funnels-list", lambda s, c: (s / "site.yml").write_text(
        (s / "site.yml").read_text().split("funnels:\n")[0] + "funnels: [a, b]\n"), "expected a mapping", "site.yml",
     None),
    # encodings
    ("yml-shift-jis", lambda s, c: (s / "site.yml").write_bytes((s / "site.yml").read_text().encode("shift_jis")),
     "UTF-8", "site.yml", None),
    ("yml-utf16", lambda s, c: (s / "site.yml").write_bytes((s / "site.yml").read_text().encode("utf-16")),
     "UTF-8", "site.yml", None),
    ("yml-nul", lambda s, c: yml(s, "  language: ja", "  language: j\0a"), "site.yml", "site.yml", 6),
    ("page-shift-jis", lambda s, c: page(s, "gift.md", "---\ntitle: 特典\n---\n本文\n".encode("shift_jis")), "UTF-8",
     "gift.md", None),
    ("page-nul", lambda s, c: page(s, "gift.md", "---\ntitle: a\n---\nline\nbad \0 byte\n"), "gift.md", "gift.md", 5),
    ("page-unclosed-front-matter", lambda s, c: page(s, "gift.md", "---\ntitle: a\nheadline: b\n\nbody\n"),
     "never closed", "gift.md", 1),
    ("style-shift-jis", lambda s, c: ((s / "templates").mkdir(), (s / "templates" / "style.css").write_bytes(
        "body{font-family:'メイリオ'}".encode("shift_jis"))), "UTF-8", "style.css", None),
    ("template-recursion", lambda s, c: ((s / "templates").mkdir(), (s / "templates" / "sales.html").write_text(
        '{% include "sales.html" %}')), "itself", "sales.html", None),
    ("template-syntax", lambda s, c: ((s / "templates").mkdir(), (s / "templates" / "sales.html").write_text(
        "{% if %}")), "template error", "sales.html", 1),
    ("page-too-big", lambda s, c: page(s, "gift.md", BIG), "5 MB", "gift.md", None),
    # graph errors
    ("edge-unknown", lambda s, c: yml(s, "form: lead, next: gift}", "form: lead, next: gfit}"), "unknown step 'gfit'",
     "site.yml", None),
    ("self-loop-next", lambda s, c: yml(s, "form: lead, next: gift}", "form: lead, next: optin}"), "itself",
     "site.yml", None),
    ("self-loop-accept", lambda s, c: yml(s, "accept: apply, decline: downsell", "accept: upsell, decline: downsell"),
     "itself", "site.yml", None),
    ("unreachable", lambda s, c: yml(s, "      - gift\n", "      - gift\n      - {id: lost, kind: thankyou, page: gift.md}\n"),
     "unreachable", "site.yml", None),
    ("sales-without-offer", lambda s, c: yml(s, "page: starter.md, offer: starter,", "page: starter.md,"),
     "has no offer", "site.yml", None),
    ("dead-end", lambda s, c: yml(s, "}, next: upsell}", "}}"), "dead end", "site.yml", None),
    ("duplicate-step", lambda s, c: yml(s, "      - gift\n", "      - {id: gift, kind: thankyou, page: gift.md}\n"),
     "gift", "site.yml", None),
    ("missing-page", lambda s, c: (s / "pages" / "gift.md").unlink(), "does not exist", "site.yml", None),
    ("theme-missing", lambda s, c: yml(s, "  language: ja", "  language: ja\n  theme: nosuch"), "theme 'nosuch'",
     "site.yml", 7),
    # unsafe URLs
    ("base-url-js", lambda s, c: yml(s, "  base_url: https://funnelgen-example.netlify.app/",
                                     "  base_url: javascript:alert(1)"), "javascript", "site.yml", 5),
    ("md-link-js", lambda s, c: page(s, "gift.md", "---\ntitle: a\n---\n\n[x](javascript:alert(1))\n"), "javascript",
     "gift.md", 5),
    ("md-link-js-tab", lambda s, c: page(s, "gift.md", "---\ntitle: a\n---\n\n[x](<java\tscript:alert(1)>)\n"),
     "unsafe", "gift.md", 5),
    ("og-image-js", lambda s, c: page(s, "gift.md", "---\ntitle: a\nog_image: javascript:x\n---\nbody\n"),
     "javascript", "gift.md", 3),
    ("html-svg-animate", lambda s, c: (yml(s, "  language: ja", "  language: ja\n  allow_html: true"), page(
        s, "gift.md", '---\ntitle: a\n---\n\n<svg><a><animate attributeName="href" values="&#106;avascript:alert(1)"/>'
        '<text y="20">x</text></a></svg>\n')), "raw HTML contains", "gift.md", 5),
    ("html-meta-refresh", lambda s, c: (yml(s, "  language: ja", "  language: ja\n  allow_html: true"), page(
        s, "gift.md", '---\ntitle: a\n---\n\ntext\n\n<meta http-equiv="refresh" content="0;url=https://evil.example/">\n')),
     "raw HTML contains", "gift.md", 7),
    ("html-iframe-elsewhere", lambda s, c: (yml(s, "  language: ja", "  language: ja\n  allow_html: true"), page(
        s, "gift.md", '---\ntitle: a\n---\n\n<iframe src="https://evil.example/"></iframe>\n')),
     "raw HTML contains", "gift.md", 5),
    # symlinks in and out
    ("page-link-out", symlink("pages/gift.md", lambda s, c: c["secret"]), "outside the site folder", "gift.md", None),
    ("static-link-out", symlink("static/leak.txt", lambda s, c: c["secret"]), "outside the site folder", "leak.txt",
     None),
    ("static-dir-link-out", symlink("static/leakdir", lambda s, c: c["secret"].parent), "outside the site folder",
     "leakdir", None),
    ("static-link-dangling", symlink("static/gone.pdf", lambda s, c: s / "nothing-here.pdf"), "does not exist",
     "gone.pdf", None),
    ("template-link-out", symlink("templates/sales.html", lambda s, c: c["secret"]), "outside the site folder",
     "sales.html", None),
    ("templates-dir-link-out", symlink("templates", lambda s, c: c["secret"].parent), "outside the site folder",
     "templates", None),
    # output folder
    ("out-holds-theme", external_theme, "theme", "ext", None),
    ("out-foreign-folder", foreign_out, "funnelgen", "photos", None),
    ("out-disk-full", oserror(errno.ENOSPC), "No space", "out", None),
    ("out-read-only", oserror(errno.EROFS), "Read-only", "out", None),
    ("out-permission", oserror(errno.EACCES), "Permission denied", "out", None),
    # an interrupt during the commit
    ("commit-interrupt-first", fail_rename_at(1, KeyboardInterrupt()), "", "", None),
    ("commit-interrupt-second", fail_rename_at(2, KeyboardInterrupt()), "", "", None),
    ("commit-oserror-second", fail_rename_at(2, OSError(errno.EXDEV, "Invalid cross-device link")),
     "Invalid cross-device link", "out", None),
]


# whole-file problems (a symlink, a size, the output folder, nesting): there is no line to name
NO_LINE = {"yaml-too-deep", "config-link-out", "page-too-big", "page-link-out", "static-link-out",
           "static-dir-link-out", "static-link-dangling", "template-link-out", "templates-dir-link-out",
           "out-holds-theme", "out-foreign-folder", "out-disk-full", "out-read-only", "out-permission",
           "commit-interrupt-first", "commit-interrupt-second", "commit-oserror-second"}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_broken_site_fails_cleanly(case, pristine, tmp_path, monkeypatch):
    name, mutate, expected, file, line = case
    site = tmp_path / "site"
    shutil.copytree(pristine[0], site, symlinks=True)
    out = tmp_path / "out"
    shutil.copytree(pristine[1], out)
    before = snapshot(out)
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_bytes(SECRET)
    ctx = {"tmp": tmp_path, "secret": secret, "out": out, "monkeypatch": monkeypatch}
    mutate(site, ctx)
    target = ctx["out"]
    target_before = snapshot(target)
    result = CliRunner().invoke(main, ["build", str(site), "-o", str(target), "-j", "1"])
    text = result.output
    assert result.exit_code != 0, text
    assert "Traceback" not in text and "internal error" not in text, text
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), text
    if name.startswith("commit-interrupt"):
        assert result.exit_code == 130
    assert expected in text, text
    if file:
        assert file in text, text
    if line:
        assert re.search(rf"{re.escape(file)}:{line}\b", text), text
    elif name not in NO_LINE:  # a problem inside a file names its line
        assert re.search(rf"{re.escape(file)}:\d+\b", text), text
    assert snapshot(target) == target_before
    assert snapshot(out) == before
    assert all(SECRET not in data for data in snapshot(target).values())
    leftovers = [p.name for p in target.parent.iterdir() if ".staging-" in p.name or ".old-" in p.name]
    assert leftovers == []


def test_corpus_is_large_enough():
    assert len(CASES) >= 60
