"""The media blocks' markup (video facade, image, author, logos, testimonial photo), video addresses, the
外部送信 notice listing video hosts, and raw HTML refused while allow_html is off."""

from __future__ import annotations

import copy

import pytest
from bs4 import BeautifulSoup
from helpers import MINIMAL_CONFIG, write_site
from PIL import Image

from funnelgen.build import build
from funnelgen.errors import BuildError
from funnelgen.videohosts import Video, hosts_in_page, parse_video


def make(tmp_path, body: str, front: str = "title: g", language: str = "ja"):
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["site"]["language"] = language
    src = write_site(tmp_path / "site", cfg, {"gift.md": f"---\n{front}\n---\n{body}\n"})
    for name, size in (("poster.png", (1280, 720)), ("face.png", (256, 256)), ("logo-a.png", (300, 100))):
        (src / "static" / "images").mkdir(parents=True, exist_ok=True)
        Image.new("RGB", size, (90, 120, 200)).save(src / "static" / "images" / name)
    return src


def gift(tmp_path, body: str, **kw):
    src = make(tmp_path, body, **kw)
    build(src, tmp_path / "out")
    html = (tmp_path / "out" / "gift" / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser"), html


@pytest.mark.parametrize("url, host, vid, player", [
    ("https://www.youtube.com/watch?v=M7lc1UVf-VE", "youtube", "M7lc1UVf-VE",
     "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE?autoplay=1&rel=0"),
    ("https://youtu.be/M7lc1UVf-VE?t=30", "youtube", "M7lc1UVf-VE", None),
    ("https://www.youtube.com/shorts/M7lc1UVf-VE", "youtube", "M7lc1UVf-VE", None),
    ("https://www.youtube-nocookie.com/embed/M7lc1UVf-VE", "youtube", "M7lc1UVf-VE", None),
    ("https://vimeo.com/76979871", "vimeo", "76979871", "https://player.vimeo.com/video/76979871?autoplay=1&dnt=1"),
    ("https://player.vimeo.com/video/76979871", "vimeo", "76979871", None),
    ("https://vimeo.com/76979871/a1b2c3d4e5", "vimeo", "76979871",
     "https://player.vimeo.com/video/76979871?autoplay=1&dnt=1&h=a1b2c3d4e5"),
    ("/videos/intro.mp4", "file", "/videos/intro.mp4", "/videos/intro.mp4"),
])
def test_video_addresses(url, host, vid, player):
    video = parse_video(url)
    assert isinstance(video, Video) and (video.host, video.id) == (host, vid)
    if player:
        assert video.player == player


@pytest.mark.parametrize("url", ["https://www.youtube.com/watch?v=short", "https://example.com/v.mp4",
                                 "javascript:alert(1)", "/videos/intro.txt", "//youtu.be/M7lc1UVf-VE"])
def test_bad_video_addresses_say_why(url):
    assert isinstance(parse_video(url), str)


def test_video_block_is_a_facade_that_loads_nothing(tmp_path):
    doc, html = gift(tmp_path, '::: video src="https://youtu.be/M7lc1UVf-VE" poster="/images/poster.png" '
                               'title="第1回 <b>サンプル</b>"\n説明です。\n:::')
    facade = doc.select_one("figure.block.video a.video-facade")
    assert facade["href"] == "https://www.youtube.com/watch?v=M7lc1UVf-VE"
    assert facade["data-fg-video"].startswith("https://www.youtube-nocookie.com/embed/M7lc1UVf-VE")
    assert facade["data-fg-video-title"] == "第1回 <b>サンプル</b>" and "<b>サンプル" not in html  # escaped
    assert not doc.find("iframe") and "youtube.com/vi" not in html and "ytimg" not in html  # no thumbnail fetch
    poster = facade.select_one("picture img")
    assert poster["loading"] == "lazy" and poster["width"] == "1280" and poster["height"] == "720"
    assert "YouTube" in doc.select_one(".video-notice").text
    assert doc.select_one("figure.video figcaption").text.strip() == "説明です。"
    assert ".video-frame{" in html  # the media rules are inlined on this page …
    privacy = (tmp_path / "out" / "privacy" / "index.html").read_text(encoding="utf-8")
    assert "Google LLC（YouTube 動画の埋め込み）" in privacy  # … and the 外部送信 notice names the host


def test_video_without_poster_and_self_hosted_file(tmp_path):
    src = make(tmp_path, '::: video src="/videos/intro.mp4"\n:::')
    (src / "static" / "videos").mkdir()
    (src / "static" / "videos" / "intro.mp4").write_bytes(b"\0\0\0\x18ftypmp42")
    build(src, tmp_path / "out")
    doc = BeautifulSoup((tmp_path / "out" / "gift" / "index.html").read_text(encoding="utf-8"), "html.parser")
    facade = doc.select_one("a.video-facade")
    assert facade["data-fg-video-kind"] == "file" and facade["href"] == "/videos/intro.mp4"
    assert facade.select_one(".video-poster") and not doc.select_one(".video-notice")
    privacy = (tmp_path / "out" / "privacy" / "index.html").read_text(encoding="utf-8")
    assert "YouTube" not in privacy and "Vimeo" not in privacy


def test_hero_video_from_front_matter(tmp_path):
    doc, _html = gift(tmp_path, "本文", front="title: g\nvideo: https://vimeo.com/76979871\nimage: /images/poster.png")
    facade = doc.select_one(".hero-visual a.video-facade")
    assert facade["data-fg-video"].startswith("https://player.vimeo.com/video/76979871")
    assert facade.select_one("img")["fetchpriority"] == "high"
    assert "Vimeo" in doc.select_one(".hero .video-notice").text
    assert hosts_in_page("", {"video": "https://vimeo.com/76979871"}) == {"vimeo"}


@pytest.mark.parametrize("body, line, words", [
    ('::: video src="https://example.com/v"\n:::', 4, "not a YouTube or Vimeo address"),
    ("::: video\n:::", 4, "video block needs src="),
    ('::: image src="/images/face.png"\n:::', 4, "image block needs alt="),
    ('本文\n\n::: video src="https://youtu.be/M7lc1UVf-VE" poster="/images/none.png"\n:::', 6, "does not exist"),
])
def test_block_problems_name_the_line(tmp_path, body, line, words):
    with pytest.raises(BuildError) as exc:
        build(make(tmp_path, body), tmp_path / "out")
    problem = next(p for p in exc.value.problems if words in p.message)
    assert problem.file.endswith("gift.md") and problem.line == line and problem.hint


def test_image_author_logos_and_testimonial_photo(tmp_path):
    body = ('::: image src="/images/poster.png" alt="表紙" size="small"\nPDF・42ページ\n:::\n\n'
            '::: author name="佐藤 美咲" role="代表" photo="/images/face.png"\nプロフィールです。\n:::\n\n'
            '::: logos 掲載実績\n![A社](/images/logo-a.png) ![B社](/images/logo-a.png)\n:::\n\n'
            '::: testimonial name="山田 花子" role="整体院" photo="/images/face.png"\n良かったです。\n:::')
    doc, _html = gift(tmp_path, body)
    figure = doc.select_one("figure.block.image.small")
    assert figure.select_one("img")["alt"] == "表紙" and figure.figcaption.text.strip() == "PDF・42ページ"
    author = doc.select_one("aside.block.author")
    assert author.select_one("img.author-photo")["alt"] == "佐藤 美咲"
    assert author.select_one(".author-label").text == "著者" and "代表" in author.select_one(".author-name").text
    assert len(doc.select(".block.logos .logos-row img")) == 2 and doc.select_one(".logos-title").text == "掲載実績"
    avatar = doc.select_one("figure.testimonial figcaption img.avatar")
    assert avatar["alt"] == "" and avatar["width"] == "256" and "山田 花子" in doc.select_one("figure.testimonial").text
    for img in doc.select("main img"):
        assert img.get("width") and img.get("height")


def test_english_author_label(tmp_path):
    doc, _html = gift(tmp_path, '::: author name="Misaki"\nBio.\n:::', language="en")
    assert doc.select_one(".author-label").text == "About the author"


@pytest.mark.parametrize("body, line, words", [
    ('本文\n\n<iframe width="560" height="315" src="https://www.youtube.com/embed/M7lc1UVf-VE"></iframe>', 6, "video"),
    ("一行目\n二行目 <div class=\"x\">囲み</div>", 5, "allow_html"),
])
def test_raw_html_is_an_error_pointing_to_the_fix(tmp_path, body, line, words):
    with pytest.raises(BuildError) as exc:
        build(make(tmp_path, body), tmp_path / "out")
    problem = exc.value.problems[0]
    assert problem.file.endswith("gift.md") and problem.line == line
    assert "allow_html is off" in problem.message and words in problem.hint


def test_code_and_autolinks_are_not_raw_html(tmp_path):
    doc, _html = gift(tmp_path, "`<iframe>` と書きます。<https://example.com> 1 < 2\n\n```\n<div>\n```")
    assert doc.select_one("article code").text == "<iframe>"
