"""`funnelgen serve` end to end: a real server on a free port, real files, real events.

Synchronisation is always on events (the SSE stream or the server's build
condition), never on sleeps. Every test works on a copy of site_src.
"""

from __future__ import annotations

import http.client
import json
import queue
import re
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from funnelgen.serve import Preview

# watchdog warns (from its own thread) when nested folders appear at once; harmless, and filtered in serve too.
pytestmark = pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 10


@pytest.fixture
def site(tmp_path: Path) -> Path:
    dest = tmp_path / "site"
    shutil.copytree(ROOT / "site_src", dest, ignore=shutil.ignore_patterns("dist", ".funnelgen"))
    return dest


class Events:
    """A server-sent-events client reading in a thread; `wait()` blocks on the next matching event."""

    def __init__(self, preview: Preview):
        host, port = preview.server.server_address[:2]
        self.conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
        self.conn.request("GET", "/_fg/events")
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200
        assert self.resp.getheader("Content-Type").startswith("text/event-stream")
        self.q: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.hello = self.wait("hello")

    def _read(self) -> None:
        event, data = None, []
        try:
            for raw in self.resp:
                line = raw.decode("utf-8").rstrip("\r\n")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif not line and event:
                    self.q.put((event, json.loads("".join(data))))
                    event, data = None, []
        except (OSError, ValueError):
            pass
        self.q.put(("closed", {}))

    def wait(self, kind: str = "build", where=lambda d: True) -> dict:
        while True:
            event, data = self.q.get(timeout=TIMEOUT)
            if event == kind and where(data):
                return data
            if event == "closed" and kind != "closed":
                raise AssertionError("event stream closed")

    def close(self) -> None:
        self.conn.close()


class Reports:
    """The outcomes the terminal would have been told about, in order (from the recorded events)."""

    def __init__(self, recorder):
        self.recorder = recorder

    def __getitem__(self, i):
        return [args[0] for args in self.recorder.named("build_finished")][i]


@pytest.fixture
def preview(site: Path):
    from funnelgen.reporter import RecordingReporter

    recorder = RecordingReporter()
    p = Preview(site, port=0, debounce=0.01, reporter=recorder)
    p.reports = Reports(recorder)
    outcome = p.start()
    assert outcome.ok, [x.format() for x in outcome.problems]
    yield p
    p.close()


@pytest.fixture
def events(preview: Preview):
    ev = Events(preview)
    yield ev
    ev.close()


def request(preview: Preview, method: str, path: str, body: bytes | str | None = None, headers=None):
    host, port = preview.server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    try:
        if isinstance(body, str):
            body = body.encode("utf-8")
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def get(preview: Preview, path: str):
    """(status, headers, body); the body without the <wbr> phrase breaks (funnelgen/typeset.py), so tests read text."""
    status, headers, body = request(preview, "GET", path)
    return status, headers, body.replace("<wbr>", "") if isinstance(body, str) else body


def post_form(preview: Preview, path: str, fields: dict):
    from urllib.parse import urlencode

    return request(preview, "POST", path, urlencode(fields),
                   {"Content-Type": "application/x-www-form-urlencoded"})


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


# -- watch and reload -------------------------------------------------------------------------
def test_edit_page_rerenders_only_that_page_and_reload_event_arrives(preview, events, site):
    replace_in(site / "pages" / "starter.md", "## 講座の内容", "## 講座の内容（改訂版）")
    data = events.wait(where=lambda d: "/starter/" in (d["paths"] or []))
    assert data["ok"] is True and data["paths"] == ["/starter/"]
    status, headers, body = get(preview, "/starter/")
    assert status == 200 and "講座の内容（改訂版）" in body
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert 'id="fg-dev"' in body and "EventSource" in body  # reload client injected at serve time
    assert "rebuilt starter" in preview.reports[-1].summary


def test_home_step_also_updates_the_root_alias(preview, events, site):
    replace_in(site / "pages" / "optin.md", "title:", "title: NEWTITLE")
    data = events.wait(where=lambda d: d["paths"] and "/optin/" in d["paths"])
    assert "/" in data["paths"]
    assert "NEWTITLE" in get(preview, "/")[2]


def test_editor_save_by_temp_file_and_rename(preview, events, site):
    page = site / "pages" / "gift.md"
    tmp = site / "pages" / ".gift.md.swp"
    tmp.write_text(page.read_text(encoding="utf-8") + "\n\nSAVED-BY-RENAME\n", encoding="utf-8")
    tmp.replace(page)
    events.wait(where=lambda d: d["paths"] and "/gift/" in d["paths"])
    assert "SAVED-BY-RENAME" in get(preview, "/gift/")[2]


def test_broken_yaml_shows_overlay_keeps_last_good_page_then_recovers(preview, events, site):
    config = site / "site.yml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good.replace("offers:\n", "offers:\n  broken: [\n", 1), encoding="utf-8")
    data = events.wait(where=lambda d: not d["ok"])
    assert data["ok"] is False
    problem = data["problems"][0]
    assert problem["file"].endswith("site.yml") and problem["line"] and "YAML" in problem["message"]
    status, _, body = get(preview, "/starter/")
    assert status == 200 and "ステップメール" in body  # the last good page
    assert 'id="fg-overlay"' in body and "site.yml:" in body and "YAML syntax error" in body
    status, _, body = get(preview, "/_fg/status")
    assert json.loads(body)["ok"] is False
    assert preview.reports[-1].ok is False  # the terminal got the same problems

    config.write_text(good, encoding="utf-8")
    data = events.wait()
    assert data["ok"] is True and data["paths"] is None  # a config change reloads every page
    body = get(preview, "/starter/")[2]
    assert 'id="fg-overlay"' not in body


def test_overlay_is_html_escaped(preview, events, site):
    config = site / "site.yml"
    replace_in(config, "next: gift}", 'next: "<img src=x onerror=alert(1)>"}')
    data = events.wait(where=lambda d: not d["ok"])
    assert data["ok"] is False
    assert any("<img src=x" in p["text"] for p in data["problems"])  # JSON event carries the raw text
    body = get(preview, "/gift/")[2]
    overlay = body[body.index('id="fg-overlay"'):]
    assert "<img src=x" not in overlay and "&lt;img src=x" in overlay


def test_front_matter_error_only_blocks_that_page(preview, events, site):
    page = site / "pages" / "upsell.md"
    good = page.read_text(encoding="utf-8")
    page.write_text(good.replace("title:", "title: [unclosed", 1), encoding="utf-8")
    data = events.wait(where=lambda d: not d["ok"])
    assert data["ok"] is False and "upsell.md" in data["problems"][0]["file"]
    assert get(preview, "/upsell/")[0] == 200  # last good version still served
    replace_in(site / "pages" / "gift.md", "---\n", "---\n")  # other pages still rebuild meanwhile
    data = events.wait(where=lambda d: d["paths"] == ["/gift/"])
    assert data["ok"] is False and "upsell.md" in data["problems"][0]["file"]
    page.write_text(good, encoding="utf-8")
    data = events.wait(where=lambda d: d["ok"])
    assert data["paths"] == ["/upsell/"]


def test_page_edit_that_breaks_a_check_keeps_the_last_good_page(preview, events, site):
    page = site / "pages" / "gift.md"
    good = page.read_text(encoding="utf-8")
    page.write_text(good + "\n\n[壊れたリンク](/no-such-step/)\n", encoding="utf-8")
    data = events.wait(where=lambda d: not d["ok"])
    problem = data["problems"][0]
    assert problem["file"].endswith("gift.md") and "/no-such-step/" in problem["message"]
    body = get(preview, "/gift/")[2]
    assert "壊れたリンク" not in body.split('id="fg-overlay"')[0]  # the last good page, with the overlay
    page.write_text(good, encoding="utf-8")
    assert events.wait(where=lambda d: d["ok"])["paths"] == ["/gift/"]


def test_creating_the_missing_page_file_recovers(preview, events, site):
    config = site / "site.yml"
    config.write_text(config.read_text(encoding="utf-8") + "pages:\n  - {id: about, page: about.md}\n",
                      encoding="utf-8")
    data = events.wait(where=lambda d: not d["ok"])
    assert "about.md" in data["problems"][0]["message"]
    (site / "pages" / "about.md").write_text("---\ntitle: About\n---\nABOUT-US\n", encoding="utf-8")
    assert events.wait(where=lambda d: d["ok"])["ok"]
    assert "ABOUT-US" in get(preview, "/about/")[2]


def test_anchor_added_on_another_page_is_seen_by_the_next_save(preview, events, site):
    gift, thanks = site / "pages" / "gift.md", site / "pages" / "thanks.md"
    gift_text = gift.read_text(encoding="utf-8")
    gift.write_text(gift_text + "\n\n[次へ](/thanks/#next-steps)\n", encoding="utf-8")
    assert "next-steps" in events.wait(where=lambda d: not d["ok"])["problems"][0]["message"]
    thanks.write_text(thanks.read_text(encoding="utf-8") + "\n\n{#next-steps}\n## この後の流れ\n", encoding="utf-8")
    events.wait(where=lambda d: d["paths"] == ["/thanks/"])
    gift.write_text(gift_text + "\n\n[次へ](/thanks/#next-steps)\n\n", encoding="utf-8")
    assert events.wait(where=lambda d: d["paths"] == ["/gift/"])["ok"]


def test_add_and_delete_a_page(preview, events, site):
    (site / "pages" / "bonus.md").write_text("---\ntitle: Bonus page\n---\n\nBONUS-BODY\n", encoding="utf-8")
    config = site / "site.yml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good + "\npages:\n  - {id: bonus, page: bonus.md}\n", encoding="utf-8")
    events.wait(where=lambda d: d["ok"] and d["paths"] is None)
    status, _, body = get(preview, "/bonus/")
    assert status == 200 and "BONUS-BODY" in body

    config.write_text(good, encoding="utf-8")
    (site / "pages" / "bonus.md").unlink()
    events.wait(where=lambda d: d["ok"] and d["paths"] is None)
    status, headers, body = get(preview, "/bonus/")
    assert status == 404 and "ページが見つかりません" in body  # the site's own 404 page
    assert 'id="fg-dev"' in body  # ...with the reload client, so it comes back by itself


def test_deleting_a_used_page_file_is_an_error_until_restored(preview, events, site):
    page = site / "pages" / "thanks.md"
    text = page.read_text(encoding="utf-8")
    page.unlink()
    data = events.wait(where=lambda d: not d["ok"])
    assert data["ok"] is False and "does not exist" in data["problems"][0]["message"]
    assert get(preview, "/thanks/")[0] == 200
    page.write_text(text, encoding="utf-8")
    events.wait(where=lambda d: d["ok"] and "/thanks/" in (d["paths"] or []))


def test_css_change_swaps_stylesheet_without_full_reload(preview, events, site):
    (site / "templates").mkdir()
    (site / "templates" / "style.css").write_text("body{color:#123456}", encoding="utf-8")
    data = events.wait(where=lambda d: d["ok"])
    assert data["css"] is True
    assert "#123456" in get(preview, "/starter/")[2]


def test_template_override_rebuilds_every_page(preview, events, site):
    (site / "templates" / "partials").mkdir(parents=True)
    (site / "templates" / "partials" / "footer.html").write_text(
        '<footer><a href="{{ legal_url }}">{{ t.legal }}</a> <a href="{{ privacy_url }}">{{ t.privacy }}</a>'
        " CUSTOM-FOOTER</footer>", encoding="utf-8")
    data = events.wait(where=lambda d: d["ok"])
    assert data["paths"] is None and data["css"] is False
    assert "CUSTOM-FOOTER" in get(preview, "/gift/")[2]
    assert "CUSTOM-FOOTER" in get(preview, "/legal/")[2]


def test_burst_of_saves_all_land(preview, events, site):
    for name in ("gift.md", "thanks.md", "upsell.md", "downsell.md"):
        page = site / "pages" / name
        page.write_text(page.read_text(encoding="utf-8") + "\n\nBURST\n", encoding="utf-8")
    seen: set[str] = set()
    while not {"/gift/", "/thanks/", "/upsell/", "/downsell/"} <= seen:
        seen.update(events.wait(where=lambda d: d["ok"])["paths"] or [])
    for url in ("/gift/", "/thanks/", "/upsell/", "/downsell/"):
        assert "BURST" in get(preview, url)[2]


def test_ignored_files_do_not_rebuild(preview, site):
    before = preview.server.hub.build
    (site / "notes.txt").write_text("x", encoding="utf-8")
    (site / "dist").mkdir()
    (site / "dist" / "index.html").write_text("x", encoding="utf-8")
    assert preview.builder.classify({site / "notes.txt", site / "dist" / "index.html",
                                     site / ".funnelgen" / "x"})[0] == "nothing"
    # a real page edit afterwards is the next build: nothing ran in between
    replace_in(site / "pages" / "gift.md", "---\n", "---\n")
    with preview.server.built:
        assert preview.server.built.wait_for(lambda: preview.server.hub.build > before, TIMEOUT)
    assert preview.server.hub.last["paths"] == ["/gift/"]


def test_initial_build_failure_then_fix(site):
    config = site / "site.yml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good.replace("language: ja", "language: [ja", 1), encoding="utf-8")
    with Preview(site, port=0, debounce=0.01) as p:
        assert p.builder.root is None
        status, _, body = get(p, "/")
        assert status == 500 and 'id="fg-overlay"' in body and "site.yml" in body
        ev = Events(p)
        config.write_text(good, encoding="utf-8")
        ev.wait(where=lambda d: d["ok"])
        ev.close()
        assert get(p, "/optin/")[0] == 200


def test_reconnect_sees_server_id_and_build(preview, events):
    assert events.hello["server"] == preview.server.hub.server_id
    assert events.hello["build"] == preview.server.hub.build
    body = get(preview, "/gift/")[2]
    cfg = json.loads(re.search(r'<script id="fg-dev" type="application/json">(.*?)</script>', body).group(1))
    assert cfg["server"] == preview.server.hub.server_id and cfg["build"] == preview.server.hub.build


# -- walk the funnel ------------------------------------------------------------------------------
def test_netlify_form_post_is_captured_and_redirected(preview, site):
    body = get(preview, "/optin/")[2]
    assert re.search(r'<form [^>]*action="/gift/"[^>]*data-fg-form="lead"', body)
    status, headers, _ = post_form(preview, "/gift/", {"form-name": "lead", "name": "山田 花子",
                                                       "email": "hanako@example.jp", "fg_step": "optin",
                                                       "bot-field": ""})
    assert status == 303 and headers["location"] == "/gift/"
    lines = (site / ".funnelgen" / "submissions.jsonl").read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[-1])
    assert entry["form"] == "lead" and entry["step"] == "optin" and entry["spam"] is False
    assert entry["fields"]["email"] == "hanako@example.jp" and entry["fields"]["name"] == "山田 花子"
    dash = get(preview, "/_fg/")[2]
    assert "hanako@example.jp" in dash
    # the capture lands in the cache folder, which does not trigger a rebuild
    assert preview.builder.classify({site / ".funnelgen" / "submissions.jsonl"})[0] == "nothing"


def test_post_to_a_page_that_is_no_form_action_is_refused(preview):
    status, headers, _ = post_form(preview, "/starter/", {"x": "1"})
    assert status == 405 and "GET" in headers["allow"]


def test_form_name_on_a_non_action_path_is_neither_captured_nor_redirected(preview, site):
    for path in ("/%2F%2Fevil.example", "/starter/", "/%E3%81%82"):
        status, headers, _ = post_form(preview, path, {"form-name": "lead", "email": "x@example.jp"})
        assert status in (404, 405), path
        assert "location" not in headers
    assert not (site / ".funnelgen" / "submissions.jsonl").exists()


def test_directory_redirect_is_never_protocol_relative(preview):
    status, headers, _ = get(preview, "/%2Fstarter")
    assert not headers.get("location", "/").startswith("//")


def test_post_provider_form_goes_to_local_capture(preview, events, site):
    (site / "pages" / "news.md").write_text("---\ntitle: News\n---\nSign up\n", encoding="utf-8")
    config = site / "site.yml"
    text = config.read_text(encoding="utf-8").replace("forms:\n", (
        "forms:\n  news:\n    provider: post\n    action: https://app.example.com/subscribe\n"
        "    redirect_field: _next\n    field_map: {email: EMAIL}\n    fields: [email]\n"
        "    consent: We send a weekly newsletter.\n"), 1)
    config.write_text(text + "\npages:\n  - {id: news, kind: optin, page: news.md, form: news, next: gift}\n",
                      encoding="utf-8")
    data = events.wait(where=lambda d: d["paths"] is None)
    assert data["ok"], data["problems"]
    body = get(preview, "/news/")[2]
    assert re.search(r'<form [^>]*action="/_fg/form/news"', body)
    assert "app.example.com/subscribe" not in re.search(r"<form [^>]*>", body).group(0)
    redirect = re.search(r'name="_next" value="([^"]+)"', body).group(1)
    status, headers, _ = post_form(preview, "/_fg/form/news", {"EMAIL": "a@example.jp", "_next": redirect,
                                                               "fg_step": "news"})
    assert status == 303 and headers["location"] == "/gift/"
    entry = json.loads((site / ".funnelgen" / "submissions.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert entry["form"] == "news" and entry["fields"]["EMAIL"] == "a@example.jp"
    # a redirect to another host is never followed: the next step is used instead
    status, headers, _ = post_form(preview, "/_fg/form/news", {"EMAIL": "b@example.jp",
                                                               "_next": "https://evil.example/", "fg_step": "news"})
    assert headers["location"] == "/gift/"


def test_walk_the_test_checkout(preview):
    body = get(preview, "/starter/")[2]
    hrefs = re.findall(r'<a [^>]*href="([^"]+)" data-fg-checkout data-fg-offer="starter"', body)
    assert hrefs and all(h == "/_fg/checkout/starter?from=/starter/" for h in hrefs)
    assert "buy.stripe.com" not in "".join(re.findall(r"<a [^>]*data-fg-checkout[^>]*>", body))

    status, headers, page = get(preview, hrefs[0])
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    for text in ("ご注文内容の確認", "1,980円（税込）", "数量", "1講座", "お支払い時期", "ご注文時（決済完了時）にお支払いが確定します",
                 "提供時期", "キャンセル・返品", "30日以内", "注文を確定する", "キャンセルして戻る"):
        assert text in page, text
    assert '<a href="/starter/" data-fg-cancel>' in page
    assert "次へ" not in page and "送信" not in page

    status, headers, _ = request(preview, "POST", "/_fg/pay/starter", "from=/starter/",
                                 {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303
    location = headers["location"]
    assert re.fullmatch(r"/upsell/\?fg_offer=starter&session_id=cs_test_fg_[0-9a-f]{16}", location), location
    status, _, landing = get(preview, location)
    assert status == 200 and '"purchase":{"starter"' in landing  # funnel.js fires the purchase here


def test_subscription_checkout_shows_terms(preview):
    page = get(preview, "/_fg/checkout/coaching")[2]
    assert "月額49,800円（税込）×6回" in page and "298,800円（税込）" in page
    assert "全6回のお支払いで終了します（自動更新はありません）。" in page
    assert "初回はお申し込み確定時" in page and "違約金なし" in page


def test_pay_needs_post_and_a_known_offer(preview):
    assert get(preview, "/_fg/pay/starter")[0] == 405
    assert get(preview, "/_fg/checkout/nope")[0] == 404
    status, headers, _ = request(preview, "POST", "/_fg/pay/starter", "from=//evil.example/",
                                 {"Content-Type": "application/x-www-form-urlencoded"})
    assert headers["location"].startswith("/upsell/")


def test_english_site_checkout(site):
    replace_in(site / "site.yml", "language: ja", "language: en")
    with Preview(site, port=0, debounce=0.01) as p:
        page = get(p, "/_fg/checkout/templates")[2]
        assert "Place order" in page and "Cancel and go back" in page and "Review your order" in page
        assert "注文を確定する" not in page


def test_dashboard_lists_funnels_steps_offers_and_map(preview):
    status, _, page = get(preview, "/_fg/")
    assert status == 200
    for text in ("ブログ・検索から来た方", "Instagram広告から来た方", "/optin-sns/", "templates-lite",
                 "/_fg/checkout/starter", "Funnel map", "Captured submissions"):
        assert text in page, text
    upsell = soup(page).select_one('[data-fg-funnel="blog"] li[data-fg-step="upsell"]')
    assert upsell.select_one(".fg-edges").get_text() == "accept → apply, decline → downsell"
    assert "9,800円（税込）" in text_of(upsell)  # what it sells, tax included
    assert get(preview, "/_fg")[0] == 301
    assert get(preview, "/_fg/nothing-here")[0] == 404
    # the coaching is applied for through a form, never paid on the site: no test checkout is offered for it
    assert "/_fg/checkout/coaching" not in page and "/_fg/checkout/templates-lite" in page
    assert "applied for through a form" in page


def soup(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def text_of(tag) -> str:
    return " ".join(tag.get_text(" ", strip=True).split())


def map_steps(html: str) -> dict[str, list[str]]:
    """Funnel id -> step ids, in order, as the funnel map on a page draws them."""
    return {f["data-fg-funnel"]: [li["data-fg-step"] for li in f.select("li[data-fg-step]")]
            for f in soup(html).select("[data-fg-map] [data-fg-funnel]")}


def summary_rows(html: str) -> list[tuple[str, str]]:
    table = soup(html).select_one("table.summary")
    return [(text_of(tr.th), text_of(tr.td)) for tr in table.select("tr")]


def test_dashboard_map_has_every_step_a_funnel_reaches(preview):
    from funnelgen.graph import funnel_map

    drawn = map_steps(get(preview, "/_fg/")[2])
    # the Instagram funnel lists only optin-sns and gift, but its visitors go on through the shared steps
    assert drawn["instagram"] == ["optin-sns", "gift", "starter", "upsell", "downsell", "apply", "thanks"]
    assert drawn == {m.id: [s.id for s in m.steps] for m in funnel_map(preview.builder.site)}
    shared = soup(get(preview, "/_fg/")[2]).select('[data-fg-funnel="instagram"] li.fg-shared')
    assert [li["data-fg-step"] for li in shared] == ["starter", "upsell", "downsell", "apply", "thanks"]


def test_checkout_shows_the_sales_pages_order_summary(preview):
    for offer, page in (("starter", "/starter/"), ("coaching", "/apply/")):
        built = summary_rows(get(preview, page)[2])
        checkout = summary_rows(get(preview, f"/_fg/checkout/{offer}?from={page}")[2])
        assert checkout == built, offer
        assert len(built) >= 7 and built[0][1]  # item, quantity, price, ..., cancellation


def test_offer_names_are_escaped_on_the_checkout_and_the_dashboard(site):
    evil = "<img src=x onerror=alert(1)>"
    replace_in(site / "site.yml", "name: 動画講座『はじめてのステップメール設計』", f'name: "{evil}"')
    with Preview(site, port=0, debounce=0.01) as p:
        for path in ("/_fg/checkout/starter", "/_fg/"):
            status, _, page = get(p, path)
            assert status == 200, path
            assert evil not in page and "<img" not in page, path
            assert "&lt;img src=x onerror=alert(1)&gt;" in page, path
        assert summary_rows(get(p, "/_fg/checkout/starter")[2])[0][1] == evil  # shown as text


# -- safety -------------------------------------------------------------------------------------
TRAVERSALS = [
    "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/..%2fsecret.txt",
    "/assets/..%2f..%2fsecret.txt", "/%252e%252e/secret.txt", "/%252e%252e%252fsecret.txt",
    "/..%5csecret.txt", "/%2e%2e%5c%2e%2e%5csecret.txt", "/.%2e/secret.txt", "/%00/secret.txt",
    "/assets/%2e%2e/%2e%2e/secret.txt", "/%c0%ae%c0%ae/secret.txt", "/_fg/checkout/..%2f..%2fsecret.txt",
]


def test_path_traversal_is_refused(preview):
    (preview.workdir / "secret.txt").write_text("TOP-SECRET", encoding="utf-8")
    for path in TRAVERSALS:
        status, _, body = get(preview, path)
        assert status in (400, 404) and "TOP-SECRET" not in body, path


def test_hidden_and_netlify_files_are_not_served(preview):
    assert get(preview, "/_headers")[0] == 404
    assert get(preview, "/.fg-tmp")[0] == 404


def test_oversized_and_chunked_bodies_are_refused(preview):
    host, port = preview.server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    conn.putrequest("POST", "/gift/")
    conn.putheader("Content-Type", "application/x-www-form-urlencoded")
    conn.putheader("Content-Length", str(50 * 1024 * 1024))
    conn.endheaders()  # the body is never sent: the server must answer without waiting for it
    resp = conn.getresponse()
    assert resp.status == 413
    conn.close()
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    conn.putrequest("POST", "/gift/")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    assert conn.getresponse().status == 411
    conn.close()


def test_head_content_types_and_pretty_urls(preview):
    status, headers, body = request(preview, "HEAD", "/starter/")
    full = request(preview, "GET", "/starter/")
    assert status == 200 and body == "" and int(headers["content-length"]) == len(full[2].encode("utf-8"))
    root = preview.builder.root
    js = next((root / "assets").glob("funnel.*.js")).name
    assert get(preview, f"/assets/{js}")[1]["content-type"] == "text/javascript; charset=utf-8"
    assert get(preview, "/sitemap.xml")[1]["content-type"].startswith("application/xml")
    assert get(preview, "/robots.txt")[1]["content-type"] == "text/plain; charset=utf-8"
    status, headers, _ = get(preview, "/gift?utm_source=x")
    assert status == 301 and headers["location"] == "/gift/?utm_source=x"
    assert "fg-dev" not in get(preview, f"/assets/{js}")[2]  # only HTML gets the client
    assert request(preview, "DELETE", "/gift/")[0] == 405


def test_concurrent_requests_while_a_stream_is_open(preview, events):
    paths = ["/", "/optin/", "/gift/", "/starter/", "/upsell/", "/legal/", "/_fg/", "/missing/"] * 5
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda p: get(preview, p)[0], paths))
    assert statuses.count(404) == 5 and all(s in (200, 404) for s in statuses)


def test_clean_shutdown_removes_temp_folder_and_threads(site):
    p = Preview(site, port=0, debounce=0.01)
    p.start()
    ev = Events(p)
    workdir, address = p.workdir, p.server.server_address[:2]
    p.close()
    assert ev.wait("closed") == {}
    assert not workdir.exists()
    with pytest.raises(OSError):
        http.client.HTTPConnection(*address, timeout=2).request("GET", "/")
    assert not [t for t in threading.enumerate() if t.name.startswith("funnelgen-") and t.is_alive()]


def test_cli_refuses_remote_host_without_flag(site):
    from click.testing import CliRunner

    from funnelgen.cli import main

    result = CliRunner().invoke(main, ["serve", str(site), "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "--allow-remote" in result.output


def test_cli_reports_busy_port(site):
    from click.testing import CliRunner

    from funnelgen.cli import main

    with Preview(site, port=0) as p:
        port = p.server.server_address[1]
        result = CliRunner().invoke(main, ["serve", str(site), "--port", str(port)])
    assert result.exit_code == 1 and "already in use" in result.output and "Traceback" not in result.output


def test_polling_watcher_also_sees_edits(site):
    with Preview(site, port=0, debounce=0.01, poll=True) as p:
        ev = Events(p)
        (site / "pages" / "gift.md").write_text((site / "pages" / "gift.md").read_text(encoding="utf-8") + "\nPOLLED\n",
                                                encoding="utf-8")
        ev.wait(where=lambda d: d["ok"] and "/gift/" in (d["paths"] or []))
        ev.close()
        assert "POLLED" in get(p, "/gift/")[2]


def test_watcher_debounces_a_burst_into_one_batch(tmp_path):
    from funnelgen.serve.watcher import Watcher

    batches, first = [], threading.Event()
    watcher = Watcher(lambda batch: (batches.append(batch), first.set()), quiet=0.2)
    watcher.start()
    watcher.add([str(tmp_path / ".page.md.swp"), str(tmp_path / "page.md~")])  # editor junk: ignored
    for i in range(200):  # a git checkout: many events in a few milliseconds
        watcher.add([str(tmp_path / f"p{i % 50}.md")])
    assert first.wait(TIMEOUT)
    watcher.stop()
    assert len(batches) == 1 and batches[0] == {tmp_path / f"p{i}.md" for i in range(50)}


# -- bad input (issue "Survive every bad input", dev-server half) ------------------------------------
def raw_request(preview: Preview, data: bytes) -> bytes:
    """Send raw bytes; return everything the server answers until it closes (or TIMEOUT)."""
    import socket

    host, port = preview.server.server_address[:2]
    with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and b"Connection: close" not in b"".join(chunks):
                break
        return b"".join(chunks)


def test_foreign_host_is_refused_everywhere(preview, site):
    post_form(preview, "/gift/", {"form-name": "lead", "email": "hanako@example.jp"})
    port = preview.server.server_address[1]
    for path in ("/_fg/", "/_fg/status", "/_fg/events", "/", "/gift/"):
        for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example", f"localhost:{port + 1}"):
            status, _, body = request(preview, "GET", path, headers={"Host": host})
            assert status in (403, 421), (path, host)
            assert "hanako" not in body and "data:" not in body
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"LOCALHOST:{port}"):
        status, _, body = request(preview, "GET", "/_fg/", headers={"Host": host})
        assert status == 200 and "hanako@example.jp" in body, host


def test_cross_origin_posts_are_refused(preview, events, site):
    port = preview.server.server_address[1]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    evil = [{"Origin": "http://evil.example"}, {"Origin": "null"}, {"Origin": f"http://localhost:{port + 1}"},
            {"Referer": "http://evil.example/page"}]
    for path, body in (("/gift/", "form-name=lead&email=x%40example.jp"), ("/_fg/pay/starter", "from=/starter/"),
                       ("/_fg/form/lead", "email=x%40example.jp")):
        for headers in evil:
            status, resp_headers, text = request(preview, "POST", path, body, {**form, **headers})
            assert status == 403 and "location" not in resp_headers, (path, headers)
            assert "origin" in text.lower()
    assert not (site / ".funnelgen" / "submissions.jsonl").exists()
    assert not (site / ".funnelgen" / "test-orders.jsonl").exists()
    for headers in ({"Origin": f"http://127.0.0.1:{port}"}, {"Origin": f"http://localhost:{port}"},
                    {"Referer": f"http://127.0.0.1:{port}/optin/"}, {}):
        status, _, _ = request(preview, "POST", "/gift/", "form-name=lead&email=ok%40example.jp", {**form, **headers})
        assert status == 303, headers
    status, _, _ = request(preview, "GET", "/gift/", headers={"Referer": "http://evil.example/"})
    assert status == 200  # a link from elsewhere is a normal navigation


def test_remote_host_allows_the_address_it_listens_on(site):
    with Preview(site, host="127.0.0.1", port=0, allowed_hosts=["192.0.2.7"]) as p:
        port = p.server.server_address[1]
        assert request(p, "GET", "/_fg/status", headers={"Host": f"192.0.2.7:{port}"})[0] == 200
        assert request(p, "GET", "/_fg/status", headers={"Host": f"evil.example:{port}"})[0] in (403, 421)


class Boom(Exception):
    pass


def _explode(*_a, **_k):
    raise Boom("renderer exploded")


def test_internal_crash_in_a_rebuild_is_an_outcome_with_overlay(preview, events, site, monkeypatch):
    from funnelgen.render import Renderer

    workdir_before = sorted(p.name for p in preview.workdir.iterdir())
    monkeypatch.setattr(Renderer, "render_page", _explode)
    monkeypatch.setattr(Renderer, "render_step", _explode)
    replace_in(site / "site.yml", "language: ja", "language: ja ")
    data = events.wait(where=lambda d: not d["ok"])
    text = data["problems"][0]["text"]
    assert "internal error while building: Boom: renderer exploded" in text and "FUNNELGEN_DEBUG=1" in text
    assert preview.reports[-1].ok is False
    assert json.loads(get(preview, "/_fg/status")[2])["ok"] is False
    status, _, body = get(preview, "/gift/")
    assert status == 200 and 'id="fg-overlay"' in body and "internal error" in body  # last good site kept
    assert sorted(p.name for p in preview.workdir.iterdir()) == workdir_before  # no staging folder leaked
    # a page save crashing the same way is also an outcome
    replace_in(site / "pages" / "gift.md", "---\n", "---\n")
    assert "internal error" in events.wait(where=lambda d: not d["ok"])["problems"][0]["text"]
    monkeypatch.undo()
    replace_in(site / "site.yml", "language: ja ", "language: ja")
    events.wait(where=lambda d: d["ok"])


def test_internal_crash_in_the_first_build_keeps_serving(site, monkeypatch):
    from funnelgen.render import Renderer

    monkeypatch.setattr(Renderer, "render_page", _explode)
    with Preview(site, port=0, debounce=0.01) as p:
        assert p.server.outcome.ok is False
        status, _, body = get(p, "/")
        assert status == 500 and "internal error while building: Boom" in body
        assert json.loads(get(p, "/_fg/status")[2])["ok"] is False
        ev = Events(p)
        monkeypatch.undo()
        replace_in(site / "site.yml", "language: ja", "language: ja ")
        ev.wait(where=lambda d: d["ok"])
        ev.close()
        assert get(p, "/optin/")[0] == 200


def test_torn_submission_line_does_not_swallow_the_next(tmp_path):
    from funnelgen.serve.capture import SUBMISSIONS, Store

    store = Store(tmp_path / ".funnelgen")
    store.append(SUBMISSIONS, {"n": 1})
    with open(store.cache / SUBMISSIONS, "a", encoding="utf-8") as fh:
        fh.write('{"n": 2, "fields": {"email": "ha')  # kill -9 in the middle of a write
    store.append(SUBMISSIONS, {"n": 3})
    assert [e["n"] for e in store.read(SUBMISSIONS)] == [3, 1]
    with open(store.cache / SUBMISSIONS, "a", encoding="utf-8") as fh:
        fh.write("42\n[1]\n")  # valid JSON that is no entry
    assert [e["n"] for e in store.read(SUBMISSIONS)] == [3, 1]


def test_listen_backlog_and_connection_cap(preview):
    import socket

    assert preview.server.request_queue_size >= 128
    preview.server.max_connections = 3
    host, port = preview.server.server_address[:2]
    held = [socket.create_connection((host, port), timeout=TIMEOUT) for _ in range(3)]
    for sock in held:
        sock.sendall(b"GET / HTTP/1.1\r\n")  # headers never finished: each holds a thread
    try:
        assert raw_request(preview, b"GET /gift/ HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % port).startswith(
            b"HTTP/1.1 503")
        status, headers, body = get(preview, "/gift/")
        assert status == 503 and body == "too many connections to the preview; retry\n"
    finally:
        for sock in held:
            sock.close()
    preview.server.max_connections = 64
    assert get(preview, "/gift/")[0] == 200


def test_slowloris_headers_are_cut_off(preview):
    import socket
    import time

    preview.server.header_timeout = 0.5
    host, port = preview.server.server_address[:2]
    sock = socket.create_connection((host, port), timeout=TIMEOUT)
    started = time.monotonic()
    sock.sendall(b"GET / HTTP/1.1\r\n")
    try:
        while time.monotonic() - started < TIMEOUT:  # one header line every 0.1 s: never idle long
            sock.sendall(b"X-Slow: 1\r\n")
            time.sleep(0.1)
    except OSError:
        pass  # the server closed the connection
    assert time.monotonic() - started < 5
    sock.close()


def test_deeply_nested_json_is_a_400(preview, site):
    port = preview.server.server_address[1]
    for body in ("[" * 100_000, '{"a":' * 40 + "1" + "}" * 40):
        status, _, text = request(preview, "POST", "/gift/", body, {"Content-Type": "application/json"})
        assert status == 400 and "nested" in text, body[:10]
    status, _, _ = request(preview, "POST", "/gift/", '{"form-name": "lead", "a": {"b": [1]}}',
                           {"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}"})
    assert status == 303


def test_past_countdown_on_a_page_save_is_refused_like_build(preview, events, site):
    page = site / "pages" / "gift.md"
    good = page.read_text(encoding="utf-8")
    lines = good.count("\n")
    page.write_text(good + '\n::: countdown 終了 ends_at="2020-01-31 23:59"\n:::\n', encoding="utf-8")
    data = events.wait(where=lambda d: not d["ok"])
    problem = data["problems"][0]
    assert problem["rule"] == "jp.countdown" and problem["file"].endswith("gift.md")
    assert problem["message"] == "countdown ended at 2020-01-31 23:59, but the page is still published"
    assert problem["line"] == lines + 2
    assert preview.reports[-1].ok is False
    page.write_text(good, encoding="utf-8")
    assert events.wait(where=lambda d: d["ok"])["ok"]


def test_page_save_runs_the_countdown_check_of_build(site):
    from funnelgen.serve import DevBuilder

    builder = DevBuilder(site, site.parent / "work")
    assert builder(None).ok
    page = site / "pages" / "gift.md"
    page.write_text(page.read_text(encoding="utf-8") + '\n::: countdown 締切 ends_at="2020-01-31 23:59"\n:::\n',
                    encoding="utf-8")
    outcome = builder({page})
    assert outcome.paths is not None and not outcome.ok  # a single-page save, refused
    assert [p.rule for p in outcome.problems] == ["jp.countdown"]
    builder.close()


def _serve_process(site: Path, tmp: Path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "funnelgen", "serve", str(site), "--port", "0"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:  # blocks until the server says it is serving (or exits)
        lines.append(line)
        if line.startswith("serving "):
            return proc, lines
    proc.wait(TIMEOUT)
    raise AssertionError("serve did not start:\n" + "".join(lines))


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.parametrize("signame, code", [("SIGINT", 130), ("SIGTERM", 143)])
def test_serve_exits_with_the_signal_code_and_removes_its_temp_folder(site, tmp_path, signame, code):
    import os
    import signal
    import socket

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    host = socket.gethostname()
    stale, alive, unmarked = tmp / "funnelgen-serve-stale", tmp / "funnelgen-serve-alive", tmp / "funnelgen-serve-x"
    for folder, owner in ((stale, f"{_dead_pid()} {host}"), (alive, f"{os.getpid()} {host}"), (unmarked, None)):
        (folder / "site").mkdir(parents=True)
        if owner:
            (folder / ".funnelgen-serve-owner").write_text(owner + "\n", encoding="utf-8")
    proc, _ = _serve_process(site, tmp)
    try:
        ours = [p for p in tmp.glob("funnelgen-serve-*") if p not in (alive, unmarked)]
        assert len(ours) == 1 and (ours[0] / ".funnelgen-serve-owner").read_text().split()[0] == str(proc.pid)
        assert not stale.exists() and alive.exists() and unmarked.exists()  # only a dead owner's folder goes
        proc.send_signal(getattr(signal, signame))
        assert proc.wait(TIMEOUT) == code
        assert not ours[0].exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def test_a_closed_event_stream_frees_its_connection_before_the_next_ping(preview):
    """Pages that navigate away close their live-reload stream; the server notices within about a second
    (the next ping is 15 s away), so closed streams never count against the connection cap."""
    import socket
    import time

    host, port = preview.server.server_address[:2]
    sock = socket.create_connection((host, port))
    sock.sendall(f"GET /_fg/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    received = b""
    while b"event: hello" not in received:
        received += sock.recv(4096)
    assert preview.server.hub.clients == 1
    sock.close()
    deadline = time.monotonic() + 5  # bounded wait for the server to notice; not a speed assertion
    while preview.server.hub.clients and time.monotonic() < deadline:
        time.sleep(0.05)
    assert preview.server.hub.clients == 0


def test_preview_does_what_the_host_does_with_redirects_and_the_policy(preview, site):
    """`/` is the home step through the output's _redirects (Netlify rewrites it; no index.html is written),
    and every page carries its own policy plus the hash of the reload script the server injects."""
    import base64
    import hashlib
    import re

    status, headers, body = get(preview, "/")
    assert status == 200 and 'data-fg-form="lead"' in body
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy.split("style-src")[0]
    reload_script = re.findall(r"<script>(.*?)</script>", body, re.S)[-1]
    digest = base64.b64encode(hashlib.sha256(reload_script.encode("utf-8")).digest()).decode()
    assert f"'sha256-{digest}'" in policy.split("; ")[1]  # script-src
    status, headers, _body = get(preview, "/optin/")
    assert status == 200 and headers["content-security-policy"] == policy


def test_each_placed_form_posts_its_own_name_and_is_grouped_under_its_form(preview, site):
    """Netlify names every placed form apart (lead-optin, lead-optin-sns); the preview captures each under the
    form it places, and the dashboard lists the names next to the form."""
    status, _headers, _ = post_form(preview, "/gift/", {"form-name": "lead-optin-sns", "email": "sns@example.jp",
                                                         "fg_step": "optin-sns"})
    assert status == 303
    captured = [json.loads(line) for line in (site / ".funnelgen" / "submissions.jsonl").read_text().splitlines()]
    assert captured[-1]["form"] == "lead" and captured[-1]["name"] == "lead-optin-sns"
    body = get(preview, "/_fg/")[2]
    assert "on Netlify: lead-optin, lead-optin-sns" in body and "sns@example.jp" in body


def test_responses_are_sent_without_waiting_for_the_clients_ack(preview, monkeypatch):
    """Headers and body are two writes: with Nagle's algorithm on, the body waits for the browser's delayed ACK
    (40 ms a response on Linux). Every accepted connection gets TCP_NODELAY."""
    import socket

    seen = []
    real = socket.socket.setsockopt

    def setsockopt(sock, level, name, value):  # the server's end has the server's port as its own address
        seen.append((sock.getsockname()[1], level, name, value))
        return real(sock, level, name, value)
    monkeypatch.setattr(socket.socket, "setsockopt", setsockopt)
    status, _headers, _body = get(preview, "/optin/")
    assert status == 200
    port = preview.server.server_address[1]
    assert (port, socket.IPPROTO_TCP, socket.TCP_NODELAY, True) in seen
