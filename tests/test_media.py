"""The image pipeline (funnelgen/media/): sizes, srcset, content-hashed names, the cache, icons and share cards,
and every way an image reference can be wrong."""

from __future__ import annotations

import copy
import os

import pytest
from bs4 import BeautifulSoup
from helpers import MINIMAL_CONFIG, write_site
from PIL import Image

from funnelgen.build import build
from funnelgen.errors import BuildError
from funnelgen.media import images
from funnelgen.media.images import ImageProblem, ImageStore


def picture_file(path, size=(1000, 500), color=(200, 80, 20), mode="RGB", fmt=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, color).save(path, fmt)
    return path


def site(tmp_path, pages=None, change=None, files=("hero.png",)):
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    if change:
        change(cfg)
    src = write_site(tmp_path / "site", cfg, pages)
    for name in files:
        picture_file(src / "static" / "images" / name)
    return src


def build_ok(src, out):
    result = build(src, out)
    return result, {p: BeautifulSoup((out / p / "index.html").read_text(encoding="utf-8"), "html.parser")
                    for p in ("optin", "gift", "starter")}


# -- the store ---------------------------------------------------------------------------------------------

def test_variants_never_upscale_and_carry_the_content_hash(tmp_path):
    picture_file(tmp_path / "static" / "images" / "Hero Image.png", (1000, 500))
    info = ImageStore(tmp_path).get("/images/Hero Image.png")
    assert [v.width for v in info.fallback] == [480, 800, 1000] == [v.width for v in info.webp]
    assert [v.height for v in info.webp] == [240, 400, 500]
    assert (info.width, info.height, info.format) == (1000, 500, "PNG")
    digest = ImageStore(tmp_path).digest(tmp_path / "static" / "images" / "Hero Image.png")[:10]
    assert info.src.relpath == f"assets/img/hero-image.{digest}-1000.png"
    assert all(path.is_file() for path in info.files.values()) and len(info.files) == 6
    with Image.open(info.files[info.webp[0].relpath]) as im:
        assert im.format == "WEBP" and im.size == (480, 240)


def test_a_changed_image_gets_a_new_name_and_the_original_is_untouched(tmp_path):
    file = picture_file(tmp_path / "static" / "a.jpg", (900, 600), fmt="JPEG")
    before = file.read_bytes()
    first = ImageStore(tmp_path).get("/a.jpg")
    assert file.read_bytes() == before and first.src.relpath.endswith(".jpg")
    picture_file(file, (900, 600), color=(0, 0, 255), fmt="JPEG")
    os.utime(file, ns=(1, 1))
    second = ImageStore(tmp_path).get("/a.jpg")
    assert first.src.relpath != second.src.relpath


def test_cache_hit_does_not_encode(tmp_path, monkeypatch):
    picture_file(tmp_path / "static" / "a.png")
    ImageStore(tmp_path).get("/a.png")

    def boom(*args):
        raise AssertionError("encoded again")

    monkeypatch.setattr(images, "encode_raster", boom)
    info = ImageStore(tmp_path).get("/a.png")  # a new process would start like this
    assert info.width == 1000


def test_svg_passes_through_with_its_viewbox_size(tmp_path):
    svg = tmp_path / "static" / "logo.svg"
    svg.parent.mkdir(parents=True)
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 60"><rect width="240" height="60"/></svg>')
    info = ImageStore(tmp_path).get("logo.svg")
    assert (info.width, info.height, info.webp) == (240, 60, [])
    assert info.files[info.src.relpath].read_bytes() == svg.read_bytes()


@pytest.mark.parametrize("ref, words", [
    ("/images/missing.png", "does not exist"),
    ("/../secret.png", "outside the site folder"),
    ("../site.yml", "outside the site folder"),
    ("https://example.com/a.png", "not a file of this site"),
    ("/notes.txt", "not an image file"),
])
def test_bad_references_are_refused(tmp_path, ref, words):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "notes.txt").write_text("x")
    (tmp_path / "secret.png").write_bytes(b"x")
    with pytest.raises(ImageProblem) as exc:
        ImageStore(tmp_path).get(ref)
    assert words in exc.value.message and exc.value.hint


def test_symlink_out_of_the_site_is_refused(tmp_path):
    outside = picture_file(tmp_path / "elsewhere" / "a.png")
    (tmp_path / "site" / "static").mkdir(parents=True)
    os.symlink(outside, tmp_path / "site" / "static" / "a.png")
    with pytest.raises(ImageProblem, match="outside the site folder"):
        ImageStore(tmp_path / "site").get("/a.png")


def test_unreadable_and_huge_images_are_refused(tmp_path, monkeypatch):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(ImageProblem, match="cannot be read as an image"):
        ImageStore(tmp_path).get("/broken.png")
    picture_file(tmp_path / "static" / "big.png", (400, 300))
    monkeypatch.setattr(images, "MAX_PIXELS", 100_000)
    with pytest.raises(ImageProblem, match="400×300 pixels"):
        ImageStore(tmp_path).get("/big.png")
    monkeypatch.setattr(images, "MAX_BYTES", 10)
    with pytest.raises(ImageProblem, match="are refused"):
        ImageStore(tmp_path).get("/big.png")


def test_large_original_is_a_warning(tmp_path, monkeypatch):
    picture_file(tmp_path / "static" / "a.png", (300, 200))
    monkeypatch.setattr(images, "WARN_BYTES", 10)
    info = ImageStore(tmp_path).get("/a.png")
    assert info.warnings and info.warnings[0].severity == "warning"


# -- through a build ------------------------------------------------------------------------------------------

def test_markdown_and_hero_images_get_picture_sizes_and_priority(tmp_path):
    pages = {"optin.md": "---\ntitle: o\nimage: /images/hero.png\nimage_alt: 表紙\n---\n本文\n",
             "gift.md": "---\ntitle: g\n---\n本文\n\n![図の説明](/images/hero.png){width=320}\n"}
    src = site(tmp_path, pages)
    result, doc = build_ok(src, tmp_path / "out")
    hero = doc["optin"].select_one(".hero-visual picture img")
    assert hero["fetchpriority"] == "high" and hero["loading"] == "eager" and hero["alt"] == "表紙"
    assert (hero["width"], hero["height"]) == ("1000", "500")
    webp = doc["optin"].select_one(".hero-visual source")["srcset"]
    assert webp.count("webp") == 3 and " 480w" in webp and " 1000w" in webp
    body = doc["gift"].select_one("article picture img")
    assert body["loading"] == "lazy" and (body["width"], body["height"]) == ("320", "160")
    assert body["alt"] == "図の説明" and body["srcset"].count(".png") == 3
    for url in [hero["src"], body["src"]] + [part.split()[0] for part in webp.split(",")]:
        assert (tmp_path / "out" / url.lstrip("/")).is_file()
    og = doc["optin"].find("meta", property="og:image")["content"]
    assert og.startswith("https://shop.example.com/assets/img/hero.") and og.endswith("-og.jpg")
    with Image.open(tmp_path / "out" / og.split("shop.example.com/")[1]) as card:
        assert card.size == (1200, 630)
    assert doc["optin"].find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
    assert doc["gift"].find("meta", attrs={"name": "twitter:card"})["content"] == "summary"
    assert "immutable" in (tmp_path / "out" / "_headers").read_text()


def test_warm_rebuild_never_encodes(tmp_path, monkeypatch):
    pages = {"optin.md": "---\ntitle: o\nimage: /images/hero.png\n---\n![a](/images/hero.png)\n"}
    src = site(tmp_path, pages, lambda c: c["site"].update(favicon="/images/hero.png", logo="/images/hero.png"))
    build(src, tmp_path / "out")
    images.ENCODED.clear()
    build(src, tmp_path / "out")
    assert images.ENCODED == []
    assert (src / ".funnelgen" / "images").is_dir()


def test_logo_favicon_and_share_image(tmp_path):
    def change(cfg):
        cfg["site"].update(logo="/images/logo.png", favicon="/images/icon.png", share_image="/images/share.png")
    src = site(tmp_path, change=change, files=("logo.png", "share.png"))
    picture_file(src / "static" / "images" / "icon.png", (600, 600), (0, 0, 0, 0), mode="RGBA")
    _result, doc = build_ok(src, tmp_path / "out")
    logo = doc["gift"].select_one(".brand img")
    assert logo["alt"] == "Test Shop" and logo["height"] == "40" and logo["width"] == "80"
    links = {link["rel"][0]: link["href"] for link in doc["gift"].find_all("link") if link.get("rel")}
    assert links["icon"] == "/favicon.ico" and links["manifest"] == "/site.webmanifest"
    with Image.open(tmp_path / "out" / links["apple-touch-icon"].lstrip("/")) as touch:
        assert touch.size == (180, 180) and touch.mode == "RGB"  # iOS paints transparency black
    with Image.open(tmp_path / "out" / "favicon.ico") as ico:
        assert ico.format == "ICO"
    assert '"sizes": "512x512"' in (tmp_path / "out" / "site.webmanifest").read_text()
    assert "share." in doc["gift"].find("meta", property="og:image")["content"]


@pytest.mark.parametrize("page, key_line, words", [
    ("---\ntitle: o\nimage: /images/nope.png\n---\n本文\n", 3, "does not exist"),
    ("---\ntitle: o\n---\n本文\n\n![x](/images/nope.png)\n", 6, "does not exist"),
    ("---\ntitle: o\nimage: /../../etc/passwd.png\n---\n本文\n", 3, "outside the site folder"),
    ("---\ntitle: o\n---\n本文\n\n![x](/../../etc/hosts.png)\n", 6, "static/etc/hosts.png"),  # URL rules: stays in
    ("---\ntitle: o\n---\n::: testimonial name=\"A\" photo=\"/images/no.png\"\n良い\n:::\n", 4, "does not exist"),
])
def test_page_image_problems_name_file_and_line(tmp_path, page, key_line, words):
    src = site(tmp_path, {"gift.md": page})
    with pytest.raises(BuildError) as exc:
        build(src, tmp_path / "out")
    problem = next(p for p in exc.value.problems if words in p.message)
    assert problem.file.endswith("pages/gift.md") and problem.line == key_line and problem.hint


def test_site_logo_problem_names_site_yml_and_key(tmp_path):
    src = site(tmp_path, change=lambda c: c["site"].update(logo="/images/missing.png"))
    with pytest.raises(BuildError) as exc:
        build(src, tmp_path / "out")
    problem = exc.value.problems[0]
    assert problem.file.endswith("site.yml") and problem.key == "site.logo" and problem.line


def test_sub_folder_site_prefixes_image_urls(tmp_path):
    pages = {"gift.md": "---\ntitle: g\nimage: /shop/images/hero.png\n---\n![a](/images/hero.png)\n"}
    src = site(tmp_path, pages, lambda c: c["site"].update(base_url="https://x.example/shop/", logo="/images/hero.png"))
    build(src, tmp_path / "out")
    doc = BeautifulSoup((tmp_path / "out" / "gift" / "index.html").read_text(encoding="utf-8"), "html.parser")
    urls = [img["src"] for img in doc.select("img")] + [s["srcset"].split()[0] for s in doc.select("source")]
    assert len(urls) == 6 and all(u.startswith("/shop/assets/img/hero.") for u in urls)
    assert all((tmp_path / "out" / u.removeprefix("/shop/")).is_file() for u in urls)
    assert doc.find("meta", property="og:image")["content"].startswith("https://x.example/shop/assets/img/")


def test_serve_page_save_writes_the_new_image_before_checking(tmp_path):
    from helpers import copy_example

    from funnelgen.serve import DevBuilder

    src = copy_example(tmp_path / "site")
    builder = DevBuilder(src, tmp_path / "work")
    try:
        assert builder(None).ok
        picture_file(src / "static" / "images" / "new.png", (640, 320))
        page = src / "pages" / "gift.md"
        page.write_text(page.read_text(encoding="utf-8") + "\n![新しい図](/images/new.png)\n", encoding="utf-8")
        outcome = builder({page})
        assert outcome.ok and outcome.paths == ["/gift/"], outcome.problems
        doc = BeautifulSoup((builder.root / "gift" / "index.html").read_text(encoding="utf-8"), "html.parser")
        img = doc.find("img", alt="新しい図")
        assert (builder.root / img["src"].lstrip("/")).is_file() and img["width"] == "640"
    finally:
        builder.close()
