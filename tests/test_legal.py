"""Complete legal pages: every offer's own terms on the 表記 page, subscriptions with a minimum term shown the
same way everywhere, and the checks that catch a page that drops them."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest
from bs4 import BeautifulSoup
from helpers import MINIMAL_CONFIG, copy_example, write_site

from funnelgen.build import build
from funnelgen.check import check_source
from funnelgen.errors import BuildError

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def offer_rows(page, offer_id: str) -> dict[str, str]:
    section = page.find("section", attrs={"data-fg-offer": offer_id})
    return {tr.th.get_text(strip=True): tr.td.get_text(" ", strip=True) for tr in section.find_all("tr")}


def test_tokushoho_page_lists_each_offers_own_terms(tmp_path):
    src = copy_example(tmp_path / "site")
    build(src, tmp_path / "out")
    page = soup(tmp_path / "out" / "legal" / "index.html")
    starter = offer_rows(page, "starter")
    assert starter["販売価格"] == "1,980円（税込）"
    assert starter["返品・キャンセル"].startswith("購入から30日以内なら理由を問わず全額返金します")
    assert starter["お支払い時期"] == "ご注文時（決済完了時）にお支払いが確定します。"
    templates = offer_rows(page, "templates")
    assert templates["返品・キャンセル"].startswith("デジタル商品の性質上")  # not the site-wide 返金 sentence
    coaching = offer_rows(page, "coaching")
    assert coaching["契約期間・更新"] == "全6回のお支払いで終了します（自動更新はありません）。"
    assert coaching["商品代金以外の必要料金"] == "インターネット接続料金・通信料金はお客様のご負担となります。"  # legal: default


def minimum_site(tmp_path, billing: dict):
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["legal"].update(phone="03-6805-4127", email="info@tesuto-shoten.jp")
    cfg["forms"]["lead"]["purpose"] = "ご入力の情報は特典のお届けにのみ使います。"
    cfg["offers"]["starter"].update(name="オンライン整体 月額プラン", price=4400, billing=billing)
    return write_site(tmp_path / "site", cfg)


BILLING = {"interval": "month", "minimum": 3, "cancel_by": "解約は毎月20日までにご連絡いただくと翌月分から停止します。"}


def test_minimum_term_subscription_reads_the_same_in_label_summary_and_tokushoho(tmp_path):
    src = minimum_site(tmp_path, BILLING)
    out = tmp_path / "out"
    build(src, out)
    label = "月額4,400円（税込）（最低3か月のご契約・最低お支払い総額13,200円（税込）、以降は解約まで自動更新）"
    terms = ("最低3回のお支払いが必要なご契約です。以降は解約のお申し出があるまで自動で更新されます。"
             "解約は毎月20日までにご連絡いただくと翌月分から停止します。")
    sales = soup(out / "starter" / "index.html")
    summary = {tr.th.get_text(strip=True): tr.td.get_text(strip=True) for tr in sales.find("table", class_="summary").find_all("tr")}
    assert summary["価格"] == label and summary["契約期間・更新"] == terms
    assert "解約するまで自動更新）" not in summary["価格"]  # never the open-ended promise without the commitment
    assert terms in sales.find("p", class_="renewal").get_text()  # beside the checkout button too
    legal = offer_rows(soup(out / "legal" / "index.html"), "starter")
    assert legal["販売価格"] == label and legal["契約期間・更新"] == terms
    assert check_source(src, now=NOW, preview=False) == []


def test_count_and_minimum_exclude_each_other(tmp_path):
    src = minimum_site(tmp_path, {**BILLING, "count": 6})
    with pytest.raises(BuildError) as exc:
        build(src, tmp_path / "out")
    assert [p.key for p in exc.value.problems] == ["offers.starter.billing.minimum"]


def test_a_tokushoho_page_without_an_offers_terms_fails(tmp_path):
    """A site's own legal.html that drops the per-offer sections is caught by jp.tokushoho-page."""
    from funnelgen.theme import builtin_themes_dir

    src = minimum_site(tmp_path, BILLING)

    text = (builtin_themes_dir() / "default" / "templates" / "legal.html").read_text(encoding="utf-8")
    start, end = text.index("{% for o in offers %}\n<section"), text.index("{% endfor %}\n</article>")
    (src / "templates").mkdir()
    (src / "templates" / "legal.html").write_text(text[:start] + text[end + len("{% endfor %}\n"):], encoding="utf-8")
    problems = [p for p in check_source(src, now=NOW, preview=False) if p.rule == "jp.tokushoho-page"]
    assert problems and "no terms of its own for 'オンライン整体 月額プラン'" in problems[0].message


def test_privacy_policy_names_who_receives_the_data_and_where(tmp_path):
    src = copy_example(tmp_path / "site")
    build(src, tmp_path / "out")
    page = soup(tmp_path / "out" / "privacy" / "index.html")
    table = page.find("h2", id="recipients").find_next("table")
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")]
    assert [r[:2] for r in rows] == [["Netlify, Inc.", "米国"], ["Stripe, Inc.", "米国"]]
    assert "ppc.go.jp" in page.get_text()  # the country information a foreign transfer must point to
    assert "最終改定日：2026年11月1日" in page.get_text()


def test_an_unknown_form_service_must_be_declared(tmp_path):
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["legal"].update(phone="03-6805-4127", email="info@tesuto-shoten.jp")
    cfg["forms"]["lead"].update(provider="post", action="https://mail.example-haishin.jp/subscribe",
                                purpose="ご入力の情報は特典のお届けにのみ使います。")
    src = write_site(tmp_path / "site", cfg)
    warned = [p for p in check_source(src, now=NOW, preview=False) if p.rule == "jp.privacy-sections"]
    assert warned and "mail.example-haishin.jp" in warned[0].message and warned[0].severity == "warning"
    cfg["legal"]["privacy"]["recipients"] = [{"name": "株式会社ハイシン（メール配信）", "country": "日本",
                                              "purpose": "メールマガジンの配信", "host": "mail.example-haishin.jp"}]
    src = write_site(tmp_path / "declared", cfg)
    assert [p for p in check_source(src, now=NOW, preview=False) if p.rule == "jp.privacy-sections"] == []
    build(src, tmp_path / "out")
    text = soup(tmp_path / "out" / "privacy" / "index.html").get_text()
    assert "株式会社ハイシン（メール配信）" in text and "mail.example-haishin.jp" not in text


@pytest.mark.parametrize("copy_text", ["通常6,600円（税込）のところ2,980円（税込）でご案内します。",
                                       "定価9,800円（税込）→今だけ4,980円（税込）", "通常価格：6,600円（税込）から半額に"])
def test_a_regular_price_in_prose_needs_its_basis(tmp_path, copy_text):
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["legal"].update(phone="03-6805-4127", email="info@tesuto-shoten.jp")
    cfg["forms"]["lead"]["purpose"] = "ご入力の情報は特典のお届けにのみ使います。"
    page = f"---\ntitle: 講座\nheadline: 講座\n---\n\n{copy_text}\n"
    src = write_site(tmp_path / "site", cfg, {"starter.md": page})
    found = [p for p in check_source(src, now=NOW, preview=False) if p.rule == "jp.compare-at-price"]
    assert found and "compares with a regular price" in found[0].message and found[0].line == 6
    cfg["offers"]["starter"].update(compare_at_price=6600, compare_at_basis="2026年3月1日〜5月31日の販売価格")
    basis = write_site(tmp_path / "basis", cfg, {"starter.md": page + "\n※通常価格は2026年3月1日〜5月31日の販売価格です。\n"})
    assert not [p for p in check_source(basis, now=NOW, preview=False) if p.rule == "jp.compare-at-price"]


def test_an_embedded_video_host_is_listed_in_the_external_transmission_notice(tmp_path):
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["site"]["allow_html"] = True
    video = ('---\ntitle: 講座\nheadline: 講座\n---\n\n<iframe src="https://www.youtube-nocookie.com/embed/abc123" '
             'width="560" height="315"></iframe>\n')
    src = write_site(tmp_path / "site", cfg, {"starter.md": video})
    build(src, tmp_path / "out")
    notice = soup(tmp_path / "out" / "privacy" / "index.html").find("h2", id="external")
    assert notice is not None and "Google LLC（YouTube 動画の埋め込み）" in notice.find_next("table").get_text()
