"""Japanese line breaking (funnelgen/typeset.py), the first-screen layout data (funnelgen/layout.py) and the
form-field rules that come with them."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from helpers import MINIMAL_CONFIG, copy_example, write_site
from markupsafe import Markup

from funnelgen.layout import sticky_label, text_width
from funnelgen.markdown import render_markdown
from funnelgen.typeset import phrase_html, phrases


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from funnelgen.build import build

    src = copy_example(tmp_path_factory.mktemp("ex") / "site")
    out = src.parent / "out"
    return src, out, build(src, out)


def md(text: str) -> str:
    return render_markdown(text, lambda call: "").html


# -- the segmenter -----------------------------------------------------------------------------------

def test_a_number_stays_with_its_counter():
    assert "90分で" in phrases("そんな仕組みを90分で")
    assert str(phrase_html("そんな仕組みを90分で")) == "そんな<wbr>仕組みを<wbr>90分で"


def test_long_compounds_break_between_words_but_never_inside_a_count():
    parts = phrases("6ヶ月 個別メールマーケティング伴走コーチング")
    assert "コーチング" in parts and "メールマーケティング" in parts
    assert not any(p.endswith("6ヶ") for p in parts)  # 6ヶ月 is one count


def test_no_line_starts_with_a_middle_dot_and_short_notes_stay_whole():
    # BudouX alone gives ['（4,980円', '・', '税込）']: a line could start with 「・」 (禁則) and split the note
    assert phrases("ライト版（30本）を購入する（4,980円・税込）")[-1] == "（4,980円・税込）"
    assert "「この人から買いたい」と" in phrases("読むだけで「この人から買いたい」と思ってもらえる")
    for text in ("お支払いは完了しています。次へ", "キャンセル・返品について、詳しくはこちら"):
        assert not any(p[0] in "、。・）」" for p in phrases(text)[1:])


@pytest.mark.parametrize("text", ["Continue to checkout", "$19.90 (tax incl.)", "STEP 2/3", ""])
def test_text_without_japanese_is_left_alone(text):
    assert phrases(text) == ([text] if text else [])
    assert "<wbr>" not in str(phrase_html(text))


def test_phrases_are_escaped_and_markup_is_not_cut():
    assert str(phrase_html("<b>無料</b>で受け取る")).startswith("&lt;b&gt;")
    already = Markup("<span>講座を購入する</span>")
    assert phrase_html(already) is already
    assert phrase_html(None) == ""


def test_markdown_headings_and_table_headers_are_set_in_phrases():
    html = md("## 講座の内容は90分で学べます\n\n|キャンセル・返品|価格|\n|-|-|\n|30日以内|1,980円|\n\n本文は90分でそのまま。\n")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.h2.decode_contents() == "講座の<wbr/>内容は<wbr/>90分で<wbr/>学べます"
    assert soup.th.get_text() == "キャンセル・返品"
    assert "<wbr>" not in str(soup.p) and "<wbr/>" not in str(soup.p)  # body text is the browser's to break
    assert "&lt;" in md("## 1 < 2 のとき\n")  # text turned into HTML is still escaped


# -- soft line breaks --------------------------------------------------------------------------------

@pytest.mark.parametrize("source,expected", [
    ("問い合わせにつながらない\nメルマガを始めたい", "問い合わせにつながらないメルマガを始めたい"),
    ("「つながらない」\n「メルマガを」", "「つながらない」「メルマガを」"),
    ("**太字です**\n次の行", "<strong>太字です</strong>次の行"),
    ("Hello\nworld", "Hello\nworld"),  # Latin words keep their space
    ("日本語\nEnglish", "日本語\nEnglish"),  # next to Latin text the break stays a space
    ("English\n日本語", "English\n日本語"),
    ("一行目\\\n二行目", "一行目<br />\n二行目"),  # a hard break is still a line break
])
def test_soft_break_between_japanese_lines_adds_no_space(source, expected):
    assert md(source).strip() == f"<p>{expected}</p>"


# -- sticky label ------------------------------------------------------------------------------------

def test_sticky_label_fits_one_line_or_falls_back():
    assert sticky_label("無料でテンプレートを受け取る", "無料で受け取る") == "無料でテンプレートを受け取る"
    assert sticky_label("テンプレート100を追加購入する（9,800円・税込）", "購入手続きへ進む") == "テンプレート100を追加購入する"
    long = "今だけ特別価格でオンライン講座とテンプレート集のセットを購入する"
    assert sticky_label(long, "購入手続きへ進む") == "購入手続きへ進む"
    assert text_width("ABC") < text_width("あいう")


# -- the layout of the example's steps ---------------------------------------------------------------

def built_pages(tmp_path, config=None, pages=None):
    from funnelgen.build import build

    src = write_site(tmp_path / "site", config, pages)
    out = tmp_path / "out"
    build(src, out)
    return lambda rel: BeautifulSoup((out / rel).read_text(encoding="utf-8"), "html.parser")


def test_post_purchase_progress_comes_from_the_funnel_graph(built):
    _src, out, _ = built
    read = lambda rel: BeautifulSoup((out / rel).read_text(encoding="utf-8"), "html.parser")  # noqa: E731
    upsell, downsell = read("upsell/index.html"), read("downsell/index.html")
    # starter (STEP 1) -> upsell (STEP 2) -> apply; the downsell replaces the upsell, so it is STEP 2 too
    assert upsell.select_one(".progress p").get_text().startswith("STEP 2/3")
    assert "動画講座『はじめてのステップメール設計』のお支払いは完了しています" in upsell.select_one(".progress p").get_text()
    assert downsell.select_one(".progress p").get_text().startswith("STEP 2/3")
    assert [li.get_text() for li in upsell.select(".progress li")] == ["ご購入", "限定のご案内", "完了"]
    assert upsell.select_one(".progress li[aria-current=step]").get_text() == "限定のご案内"
    assert read("starter/index.html").select_one(".progress") is None
    # the downsell shows itself against the offer it replaces
    instead = downsell.select_one(".instead").get_text()
    assert "『コピペで使えるメール文例テンプレート100』" in instead and "9,800円（税込）" in instead
    assert "4,980円（税込）" in instead


def test_a_longer_sequence_counts_each_offer(tmp_path):
    import copy

    config = copy.deepcopy(MINIMAL_CONFIG)
    config["offers"]["more"] = {"name": "追加講座", "price": 4980, "checkout": "https://buy.stripe.com/more1"}
    config["offers"]["last"] = {"name": "最後の講座", "price": 2980, "checkout": "https://buy.stripe.com/last1"}
    steps = config["funnels"]["main"]["steps"]
    steps[2]["next"] = "up1"
    steps[3:3] = [
        {"id": "up1", "kind": "upsell", "page": "up1.md", "offer": "more", "accept": "up2", "decline": "up2"},
        {"id": "up2", "kind": "upsell", "page": "up2.md", "offer": "last", "accept": "thanks", "decline": "thanks"},
    ]
    read = built_pages(tmp_path, config)
    assert read("up1/index.html").select_one(".progress p").get_text().startswith("STEP 2/4")
    assert read("up2/index.html").select_one(".progress p").get_text().startswith("STEP 3/4")


def test_application_is_not_an_order(built):
    _src, out, _ = built
    page = BeautifulSoup((out / "apply" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "ご注文内容" not in page.get_text()
    assert page.select_one("#order-title").get_text() == "費用について"
    assert "購入ではなく、費用はかかりません" in page.select_one(".hero-action").get_text()
    assert page.select_one(".hero-action a.btn")["href"] == "#fg-form-apply"


def test_gift_page_makes_the_download_the_primary_button(built):
    _src, out, _ = built
    page = BeautifulSoup((out / "gift" / "index.html").read_text(encoding="utf-8"), "html.parser")
    primary = page.select_one(".hero-action a.btn")
    assert primary["href"] == "/downloads/mail-7-templates.pdf" and primary.has_attr("download")
    assert page.select_one(".hero-action a.btn.line")["href"] == "https://lin.ee/kTnH4sA"
    nxt = page.select_one(".action a[data-fg-next]")
    assert nxt["href"] == "/starter/" and "secondary" in nxt["class"]  # the next offer waits below the copy


# -- form fields ---------------------------------------------------------------------------------------

def test_every_field_has_autocomplete_inputmode_and_its_own_messages(built):
    _src, out, _ = built
    page = BeautifulSoup((out / "apply" / "index.html").read_text(encoding="utf-8"), "html.parser")
    form = page.select_one("form[data-fg-form=apply]")
    fields = form.select(".field input, .field textarea, .field select")
    assert {f["name"] for f in fields} >= {"name", "email", "business", "list_size", "preferred_date", "message"}
    for f in fields:
        assert f.get("autocomplete"), f["name"]
        assert f.get("data-fg-required"), f["name"]
        if f.name == "textarea" or f.get("type") in ("text", "email", "tel"):
            assert f.get("inputmode"), f["name"]
    email = form.select_one("[name=email]")
    assert email["inputmode"] == "email" and email["data-fg-required"] == "メールアドレスを入力してください"
    assert email.has_attr("data-fg-normalise")
    select = form.select_one("select[name=list_size]")
    first = select.find("option")
    assert first.get_text() == "選択してください" and first["value"] == "" and first.has_attr("disabled")
    date = form.select_one("[name=preferred_date]")
    assert date["type"] == "date" and date["data-fg-min-days"] == "3" and date["data-fg-max-days"] == "60"


def test_optional_fields_are_marked(tmp_path):
    import copy

    config = copy.deepcopy(MINIMAL_CONFIG)
    config["forms"]["lead"]["fields"] = ["name", "email", {"name": "phone", "type": "tel", "required": False}]
    read = built_pages(tmp_path, config)
    label = read("optin/index.html").select_one("label[for=fg-lead-phone]")
    assert label.select_one(".req").get_text() == "任意"
    phone = read("optin/index.html").select_one("#fg-lead-phone")
    assert phone["inputmode"] == "tel" and phone["autocomplete"] == "tel" and not phone.has_attr("required")


@pytest.mark.parametrize("field,message", [
    ({"name": "visit", "type": "text", "min_days": 1}, "min_days applies only to type: date or datetime"),
    ({"name": "visit", "type": "date", "min_days": 10, "max_days": 3}, "max_days (3) is before min_days (10)"),
    ({"name": "visit", "type": "date", "inputmode": "keyboard"}, "'keyboard' is not one of"),
])
def test_bad_date_fields_are_refused(tmp_path, field, message):
    import copy

    from funnelgen.build import build
    from funnelgen.errors import BuildError

    config = copy.deepcopy(MINIMAL_CONFIG)
    config["forms"]["lead"]["fields"] = ["name", "email", field]
    src = write_site(tmp_path / "site", config)
    with pytest.raises(BuildError) as err:
        build(src, tmp_path / "out")
    assert any(message in p.message and "site.yml" in p.file for p in err.value.problems), err.value.problems


@pytest.mark.parametrize("url,ok", [("https://lin.ee/kTnH4sA", True), ("https://line.me/R/ti/p/@kotonoha", True),
                                    ("http://lin.ee/kTnH4sA", False), ("https://evil.example/lin.ee/x", False),
                                    ("javascript:alert(1)", False)])
def test_line_url_must_be_a_line_address(tmp_path, url, ok):
    import copy

    from funnelgen.build import build
    from funnelgen.errors import BuildError

    config = copy.deepcopy(MINIMAL_CONFIG)
    config["site"]["line_url"] = url
    src = write_site(tmp_path / "site", config)
    if ok:
        build(src, tmp_path / "out")
        return
    with pytest.raises(BuildError) as err:
        build(src, tmp_path / "out")
    assert any(p.key == "site.line_url" for p in err.value.problems)


def test_line_button_without_line_url_names_the_page(tmp_path):
    from funnelgen.build import build
    from funnelgen.errors import BuildError

    src = write_site(tmp_path / "site", pages={"gift.md": "---\ntitle: gift\nline: true\n---\n\n本文\n"})
    with pytest.raises(BuildError) as err:
        build(src, tmp_path / "out")
    problem = next(p for p in err.value.problems if "line_url" in p.message)
    assert problem.file.endswith("gift.md") and problem.line == 3


def test_sticky_front_matter_and_short_labels(built, tmp_path):
    _src, out, _ = built
    read = lambda rel: BeautifulSoup((out / rel).read_text(encoding="utf-8"), "html.parser")  # noqa: E731
    # the cta 「テンプレート100を追加購入する（9,800円・税込）」 is too long for one line of a 320 px bar
    assert read("upsell/index.html").select_one(".sticky .btn").get_text() == "テンプレート100を追加購入する"
    assert read("starter/index.html").select_one(".sticky .btn").get_text() == "1,980円（税込）で講座を購入する"
    pages = {"starter.md": "---\ntitle: 講座\ncta: 1,980円（税込）で講座を購入する\nsticky: 講座を購入する\n---\n\n::: price\n:::\n"}
    own = built_pages(tmp_path, pages=pages)
    assert own("starter/index.html").select_one(".sticky .btn").get_text() == "講座を購入する"


def test_a_loop_of_offers_ends(tmp_path):
    import copy

    config = copy.deepcopy(MINIMAL_CONFIG)
    config["offers"]["more"] = {"name": "追加講座", "price": 4980, "checkout": "https://buy.stripe.com/more1"}
    steps = config["funnels"]["main"]["steps"]
    steps[2]["next"] = "up1"
    steps[3:3] = [
        {"id": "up1", "kind": "upsell", "page": "up1.md", "offer": "more", "accept": "up2", "decline": "thanks"},
        {"id": "up2", "kind": "downsell", "page": "up2.md", "offer": "starter", "accept": "up1", "decline": "thanks"},
    ]
    read = built_pages(tmp_path, config)  # an accept edge back to an earlier offer must not hang the build
    assert read("up1/index.html").select_one(".progress p").get_text().startswith("STEP ")
