"""`funnelgen report`: the documented example exports (docs/report-examples/) give figures computed here by
hand; malformed exports fail with file, row and column; the JSON schema; the HTML page."""

from __future__ import annotations

import json
import math
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from funnelgen.cli import main
from funnelgen.report import fmt, stats
from funnelgen.report.run import make_report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "report-examples"
SITE = ROOT / "site_src"
CSV_EXPORTS = ["ga4.csv", "netlify-lead.csv", "netlify-apply.csv", "stripe-payments.csv"]


def data_args(*names, folder=EXAMPLES):
    return [a for n in names for a in ("--data", str(folder / n))]


@pytest.fixture(scope="module")
def example():
    return make_report(SITE, [EXAMPLES / n for n in CSV_EXPORTS])


def step(report, funnel, sid):
    return next(s for f in report["funnels"] if f["id"] == funnel for s in f["steps"] if s["id"] == sid)


def variant(s, name):
    return next(v for v in s["variants"] if v["variant"] == name)


def test_form_step_figures_by_hand(example):
    optin = step(example, "blog", "optin")
    # ga4.csv: /optin/ a = 60 (google) + 40 (direct), b = 58 + 42; netlify-lead.csv: a 7 + 5, b 13 + 8 sign-ups
    a, b = variant(optin, "a"), variant(optin, "b")
    assert (a["visitors"], a["conversions"], b["visitors"], b["conversions"]) == (100, 12, 100, 21)
    assert a["rate"] == 0.12 and b["rate"] == 0.21
    z = stats.z_two_sided(0.95)
    centre = (0.12 + z * z / 200) / (1 + z * z / 100)
    half = z * math.sqrt(0.12 * 0.88 / 100 + z * z / 40000) / (1 + z * z / 100)
    assert a["interval"] == [round(centre - half, 6), round(centre + half, 6)]
    assert (optin["totals"]["visitors"], optin["totals"]["conversions"]) == (200, 33)
    google = next(s for s in optin["sources"] if s["source"] == "google")
    assert (google["visitors"], google["conversions"]) == (118, 20)
    assert optin["dropoff"] == round(1 - 53 / 200, 6)  # /gift/: 28 + 18 + 7
    assert step(example, "blog", "apply")["totals"]["conversions"] == 2  # netlify-apply.csv
    assert step(example, "blog", "gift")["totals"]["rate"] is None  # a thank-you page has no goal


def test_sales_figures_by_hand(example):
    starter = step(example, "blog", "starter")["totals"]
    # stripe-payments.csv, blog-starter-a: 4 Paid + 1 Refunded (1,980 back) count, 1 Failed does not
    assert (starter["orders"], starter["revenue"], starter["refunds"]) == (5, 5 * 1980 - 1980, 1980)
    assert starter["aov"] == 7920 / 5 and starter["visitors"] == 18 + 12 + 3
    assert starter["rpv"] == 7920 // 33 and starter["rate"] == round(5 / 33, 6)
    assert step(example, "blog", "downsell")["totals"]["revenue"] == 4980  # exported as "4,980"
    blog = next(f for f in example["funnels"] if f["id"] == "blog")
    assert blog["revenue"] == 7920 + 2 * 9800 + 4980 == 32500
    assert blog["revenue_per_visitor"] == 163  # 32,500 / 200 = 162.5, yen rounded half up
    # the instagram visitor who bought keeps the funnel they entered by (client_reference_id instagram-starter-a)
    assert step(example, "instagram", "starter")["totals"]["revenue"] == 1980
    assert example["currency"] == "JPY" and example["period"] == {"start": "2026-11-01", "end": "2026-11-30"}
    codes = {n["code"]: n for n in example["notes"]}
    assert codes["not_paid"]["count"] == 1 and codes["foreign_payments"]["amount"] == "5,500"
    assert codes["outside_pages"]["count"] == 7 and "/legal/" in codes["outside_pages"]["pages"]


def test_experiment_by_hand(example):
    (exp,) = example["experiments"]
    assert (exp["funnel"], exp["step"], exp["control"], exp["variants"]) == ("blog", "optin", "a", ["a", "b"])
    (cmp,) = exp["comparisons"]
    pooled = 33 / 200
    z = (0.21 - 0.12) / math.sqrt(pooled * (1 - pooled) * (1 / 100 + 1 / 100))
    assert cmp["test"] == "z" and cmp["z"] == round(z, 6)
    assert cmp["p_value"] == round(math.erfc(z / math.sqrt(2)), 6) and not cmp["significant"]
    assert cmp["lift"] == round(0.09 / 0.12, 6)
    za, zb = stats.norm_ppf(0.975), stats.norm_ppf(0.8)
    need = math.ceil((za * math.sqrt(2 * 0.165 * 0.835) + zb * math.sqrt(0.12 * 0.88 + 0.21 * 0.79)) ** 2 / 0.09 ** 2)
    assert cmp["needed_per_variant"] == need
    assert exp["remaining_visitors"] == {"a": need - 100, "b": need - 100} and exp["verdict"] == "keep_running"
    assert exp["probability_best"]["b"] > 0.9 and sum(exp["probability_best"].values()) == pytest.approx(1)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_small_counts_use_fisher_and_a_clear_test_has_a_winner(tmp_path):
    ga4 = write(tmp_path, "ga4.csv", "Page path,fg_variant,Sessions\n/optin/,a,20\n/optin/,b,20\n/starter/,a,3000\n"
                "/starter/,b,3000\n")
    leads = "fg_funnel,fg_step,fg_variant,utm_source\n" + "blog,optin,a,\n" + "blog,optin,b,\n" * 6
    pays = "id,Amount,Amount Refunded,Currency,Status,client_reference_id\n" + "".join(
        f"py_{i},1980,0,jpy,Paid,blog-starter-{'a' if i < 60 else 'b'}\n" for i in range(160))
    report = make_report(SITE, [ga4, write(tmp_path, "leads.csv", leads), write(tmp_path, "pay.csv", pays)])
    small = next(e for e in report["experiments"] if e["step"] == "optin")
    assert small["comparisons"][0]["test"] == "fisher"
    assert small["comparisons"][0]["p_value"] == round(stats.fisher_exact(6, 14, 1, 19), 6)
    big = next(e for e in report["experiments"] if e["step"] == "starter")  # 60/3000 vs 100/3000
    assert big["comparisons"][0]["test"] == "z" and big["verdict"] == "winner" and big["winner"] == "b"
    assert big["remaining_total"] == 0
    assert report["visitor_metric"] == "Sessions"


def test_confidence_changes_intervals_and_levels(example):
    strict = make_report(SITE, [EXAMPLES / n for n in CSV_EXPORTS], confidence=0.99)
    a99, a95 = variant(step(strict, "blog", "optin"), "a"), variant(step(example, "blog", "optin"), "a")
    assert a99["interval"][0] < a95["interval"][0] and a99["interval"][1] > a95["interval"][1]
    assert strict["experiments"][0]["alpha"] == 0.01


def test_preview_captures_without_site_yml(tmp_path):
    report = make_report(tmp_path, [EXAMPLES / "submissions.jsonl"])  # no site.yml in tmp_path
    assert report["site"] is None
    optin = step(report, "blog", "optin")  # the spam capture is not counted
    assert optin["totals"]["conversions"] == 2 and optin["totals"]["visitors"] is None
    assert [v["variant"] for v in optin["variants"]] == ["a", "b"] and optin["totals"]["rate"] is None
    assert report["experiments"][0]["verdict"] == "no_visitors"


def test_ga4_japanese_headers_and_paths_without_a_site(tmp_path):
    ga4 = write(tmp_path, "ga4.csv", "# 開始日: 20261101\n# 終了日: 20261107\nページパスとスクリーン クラス,"
                "セッションの参照元 / メディア,fg_variant,アクティブ ユーザー\n/lp/optin/,google / cpc,a,\"1,200\"\n")
    pays = write(tmp_path, "pay.csv", "id,Created date (UTC),Amount,Currency,Status,client_reference_id\n"
                 "py_1,2026-11-02 10:00:00,1980,jpy,Paid,ads-optin-a\n")
    report = make_report(tmp_path, [ga4, pays])
    s = step(report, "ads", "optin")  # the payment names the funnel; GA4's row follows it
    assert (s["totals"]["visitors"], s["totals"]["orders"], s["sources"][0]["source"]) == (1200, 1, "google")
    assert report["period"] == {"start": "2026-11-01", "end": "2026-11-07"}


MALFORMED = [
    ("netlify.csv", "fg_funnel,fg_step,fg_variant\nblog,optin,a\nblog,,a\n", "netlify.csv:3: fg_step:"),
    ("netlify.csv", "fg_funnel,fg_step,fg_variant\nblog,optinn,a\n", "unknown step 'optinn'. Did you mean 'optin'?"),
    ("netlify.csv", "fg_step,fg_variant\noptin,a,extra\n", "netlify.csv:2: 3 cells, the header has 2"),
    ("pay.csv", "id,Amount,Currency,Status,client_reference_id\npy_1,1980,jpy,Paid,blog-starter-a\n"
                "py_2,千円,jpy,Paid,blog-starter-a\n", "pay.csv:3: Amount: '千円' is not an amount"),
    ("pay.csv", "id,Amount,Currency,Status\npy_1,1980,jpy,Paid\n", "pay.csv:1: client_reference_id: no column"),
    ("pay.csv", "id,Amount,Currency,Status,client_reference_id\npy_1,1980,jpy,Paid,blog-starter-a\n"
                "py_2,20,usd,Paid,blog-starter-a\n", "pay.csv:3: Currency: currency USD in a file of JPY"),
    ("ga4.csv", "# x\nPage path,Sessions\n/optin/,12.5\n", "ga4.csv:3: Sessions: '12.5' is not a whole number"),
    ("ga4.csv", "# x\nPage path,Country\n/optin/,Japan\n", "ga4.csv:2: the table has no users, sessions"),
    ("cap.jsonl", '{"form": "lead", "fields": {"fg_step": "optin"}}\n{"form": "le\n', "cap.jsonl:2: not a JSON"),
    ("other.csv", "date,amount\n2026-11-01,3\n", "other.csv:1: unknown export format (its header reads: date, amount)"),
]


@pytest.mark.parametrize("name, text, expected", MALFORMED)
def test_malformed_exports_name_file_row_and_column(tmp_path, monkeypatch, name, text, expected):
    write(tmp_path, name, text)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["report", str(SITE), "--data", name])
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert "Traceback" not in result.output and "report failed" in result.output


def test_missing_file_and_every_problem_at_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a.csv", "fg_step,fg_variant\n\n,a\n")
    result = CliRunner().invoke(main, ["report", str(SITE), "--data", "nope.csv", "--data", "a.csv"])
    assert result.exit_code == 1
    assert "error: nope.csv: --data: no such file" in result.output
    assert "a.csv:3: fg_step: the submission has no fg_step" in result.output
    assert "report failed: 2 errors." in result.output


def test_text_output_is_a_table_with_bars_aligned_for_japanese():
    result = CliRunner().invoke(main, ["report", str(SITE), *data_args(*CSV_EXPORTS)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "■ ブログ・検索から来た方 (blog)" in out and "■ A/Bテストの結果" in out
    assert "2標本比率のz検定（プール）" in out and "まだ判定できません。あと約" in out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("ステップ"))
    row_b = next(line for line in lines if line.lstrip().startswith("b ") and "21.0%" in line)
    # the rate column ends at the same terminal cell in the (wide-character) header and the row
    end = fmt.width(header[: header.index("成約率") + 3])
    assert fmt.width(row_b[: row_b.index("21.0%") + 5]) == end
    assert "█" in row_b
    assert fmt.width("成約率") == 6 and fmt.fit("訪問者あたり売上", 9) == "訪問者あ…"


def test_json_schema_is_stable():
    result = CliRunner().invoke(main, ["report", str(SITE), "--format", "json", *data_args(*CSV_EXPORTS)])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert set(data) == {"schema", "site", "confidence", "currency", "visitor_metric", "period", "inputs", "notes",
                         "funnels", "experiments"}
    assert data["schema"] == "funnelgen-report/1"
    figure_keys = {"visitors", "conversions", "leads", "orders", "rate", "interval", "revenue", "refunds", "aov",
                   "rpv"}
    for fun in data["funnels"]:
        assert set(fun) == {"id", "title", "entry_visitors", "revenue", "revenue_per_visitor", "steps"}
        for s in fun["steps"]:
            assert set(s) == {"id", "title", "kind", "goal", "dropoff", "totals", "variants", "sources", "cells"}
            assert set(s["totals"]) == figure_keys
            assert all(set(v) == figure_keys | {"variant"} for v in s["variants"])
            assert all(set(v) == figure_keys | {"source"} for v in s["sources"])
            assert all(set(v) == figure_keys | {"variant", "source"} for v in s["cells"])
    assert set(data["experiments"][0]) == {"funnel", "step", "control", "variants", "alpha", "verdict", "winner",
                                           "comparisons", "probability_best", "probability_method",
                                           "remaining_visitors", "remaining_total", "ended"}
    assert set(data["experiments"][0]["comparisons"][0]) == {"variant", "test", "z", "p_value", "lift",
                                                             "significant", "needed_per_variant"}
    assert all(set(i) == {"file", "format", "rows"} for i in data["inputs"])
    assert {i["format"] for i in data["inputs"]} == {"ga4", "netlify", "stripe"}


VOID = {"meta", "br", "img", "input", "link", "hr", "source", "wbr"}
SVG_EMPTY = {"rect", "line", "circle", "path"}


class Balance(HTMLParser):
    """Fails on a closing tag that does not match the open one (the page must be well-formed)."""

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def html_report(tmp_path, *extra) -> str:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(SITE), *data_args(*CSV_EXPORTS), *extra, "--html", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_html_is_well_formed_self_contained_and_in_the_sites_language(tmp_path):
    page = html_report(tmp_path)
    parser = Balance()
    parser.feed(page)
    parser.close()
    assert parser.errors == [] and parser.stack == []
    tags = {t for t, _a in parser.tags}
    assert {"svg", "rect", "style"} <= tags and not tags & {"script", "link", "img", "iframe"}
    for _tag, attrs in parser.tags:
        for key in ("src", "href", "action"):
            assert key not in attrs, attrs
    assert "url(" not in page and "@import" not in page and "http" not in page.split("</style>")[1]
    assert '<html lang="ja">' in page and "成果レポート" in page and "A/Bテストの結果" in page
    assert "まだ判定できません" in page and "2026-11-01 – 2026-11-30" in page


def test_html_escapes_what_the_exports_say(tmp_path):
    evil = write(tmp_path, "evil.csv", 'fg_funnel,fg_step,fg_variant,utm_source\nblog,optin,a,"<script>alert(1)</script>"\n'
                 'blog,optin,"b<img src=x onerror=alert(2)>",x\n')
    page = html_report(tmp_path, "--data", str(evil))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "b&lt;img src=x onerror=alert(2)&gt;" in page


def test_html_in_english_without_a_site(tmp_path):
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(tmp_path), "--data", str(EXAMPLES / "submissions.jsonl"),
                                       "--html", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Results report" in page and "No visitor counts per variant" in page


@pytest.mark.browser
def test_html_report_renders_without_requests_or_overflow(tmp_path):
    from playwright.sync_api import sync_playwright

    from funnelgen.browser import find_chromium

    page_file = tmp_path / "report.html"
    page_file.write_text(html_report(tmp_path), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium().executable, args=["--no-sandbox", "--disable-gpu"])
        try:
            for width, height in ((390, 844), (1366, 900)):
                page = browser.new_page(viewport={"width": width, "height": height})
                outside = []
                page.on("request", lambda r, outside=outside: outside.append(r.url)
                        if not r.url.startswith("file:") else None)
                page.goto(page_file.as_uri())
                assert outside == []
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                bars = page.locator(".funnel svg rect.reach")
                assert bars.count() >= 7
                assert page.locator(".verdict").first.inner_text().startswith("まだ判定できません")
        finally:
            browser.close()


def test_docs_show_the_examples_real_output():
    doc = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    start = doc.index("```text\nことのは舎") + len("```text\n")
    shown = [line for line in doc[start:doc.index("```", start)].splitlines() if line != "…"]
    out = CliRunner().invoke(main, ["report", str(SITE), *data_args(*CSV_EXPORTS)]).output.splitlines()
    assert [line for line in shown if line not in out] == []


def test_three_variants_split_the_level_and_unattributed_groups_show_no_rate(tmp_path):
    ga4 = write(tmp_path, "ga4.csv", "Page path,Session source,fg_variant,Active users\n"
                "/optin/,google,a,1000\n/optin/,google,b,1000\n/optin/,google,c,1000\n/starter/,google,a,500\n")
    leads = "fg_funnel,fg_step,fg_variant,utm_source\n" + "".join(
        f"blog,optin,{v},google\n" * n for v, n in (("a", 50), ("b", 80), ("c", 55)))
    pays = write(tmp_path, "pay.csv", "id,Amount,Currency,Status,client_reference_id\npy_1,1980,jpy,Paid,blog-starter-a\n")
    report = make_report(SITE, [ga4, write(tmp_path, "leads.csv", leads), pays])
    (exp,) = report["experiments"]
    assert exp["alpha"] == 0.025 and [c["variant"] for c in exp["comparisons"]] == ["b", "c"]
    b = exp["comparisons"][0]  # 50/1000 vs 80/1000: z = 2.72, p = 0.0065 < 0.025
    assert b["significant"] and exp["verdict"] == "winner" and exp["winner"] == "b"
    assert not exp["comparisons"][1]["significant"]
    starter = step(report, "blog", "starter")  # the payment says no utm_source: no rate by source
    assert starter["totals"]["orders"] == 1
    assert starter["sources"] == [{"source": "google", "visitors": 500, "conversions": None, "leads": None,
                                   "orders": None, "rate": None, "interval": None, "revenue": None,
                                   "refunds": None, "aov": None, "rpv": None}]


def test_a_missing_site_folder_is_an_error_not_a_silent_fallback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["report", "site_scr", "--data", str(EXAMPLES / "ga4.csv")])
    assert result.exit_code == 1 and "error: site_scr: SRC: no such folder" in result.output


def test_equal_rates_are_not_called_no_difference(tmp_path):
    ga4 = write(tmp_path, "ga4.csv", "Page path,fg_variant,Sessions\n/optin/,a,10\n/optin/,b,10\n")
    leads = write(tmp_path, "l.csv", "fg_funnel,fg_step,fg_variant\nblog,optin,a\nblog,optin,b\n")
    (exp,) = make_report(SITE, [ga4, leads])["experiments"]
    assert exp["verdict"] == "no_lift_yet" and exp["remaining_total"] == 0


def test_overlapping_payment_exports_count_each_payment_once(tmp_path):
    head = "id,Amount,Amount Refunded,Currency,Status,client_reference_id\n"
    nov = write(tmp_path, "nov.csv", head + "py_1,1980,0,jpy,Paid,blog-starter-a\npy_2,1980,0,jpy,Paid,blog-starter-a\n")
    dec = write(tmp_path, "dec.csv", head + "py_2,1980,0,jpy,Paid,blog-starter-a\npy_3,9800,0,jpy,Paid,blog-upsell-a\n")
    report = make_report(SITE, [nov, dec])
    assert step(report, "blog", "starter")["totals"]["revenue"] == 2 * 1980
    assert any(n["code"] == "duplicates" and n["count"] == 1 for n in report["notes"])
    result = CliRunner().invoke(main, ["report", str(SITE), "--data", str(nov), "--data", str(nov)])
    assert result.exit_code == 1 and "--data: given twice" in result.output


def test_an_ended_test_says_since_when(tmp_path):
    from helpers import copy_example

    from funnelgen.report.render_text import render as render_text

    site = copy_example(tmp_path / "site")
    cfg = site / "site.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        "{id: optin, kind: optin, page: optin.md, form: lead, next: gift}",
        "{id: optin, kind: optin, page: optin.md, form: lead, next: gift, winner: b, winner_since: 2026-11-20}"),
        encoding="utf-8")
    report = make_report(site, [EXAMPLES / n for n in CSV_EXPORTS])
    (exp,) = report["experiments"]
    assert exp["ended"] == {"winner": "b", "since": "2026-11-20"}
    assert "このテストは 2026-11-20 に終了し、いまは全員にパターンbを表示しています" in render_text(report)
    assert make_report(SITE, [EXAMPLES / "ga4.csv"])["experiments"][0]["ended"] is None  # the example's runs on
