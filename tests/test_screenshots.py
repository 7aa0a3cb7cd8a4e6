"""scripts/screenshots.py (`make screenshots`) photographs every page of the example; no browser needed here."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def shots():
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts" / "screenshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_page_list_is_every_page_of_the_example(shots):
    from funnelgen.build import load_site

    site, _ = load_site(ROOT / "site_src")
    planned = shots.planned_pages()
    assert list(planned)[:len(shots.STEPS)] == list(shots.STEPS)
    assert {planned[ref.step.id] for ref in site.pages()} == {ref.url for ref in site.pages()}
    assert sorted(planned) == sorted({ref.step.id for ref in site.pages()} | {"legal", "privacy", "404"})


def test_the_preview_pictures_name_a_real_offer(shots):
    from funnelgen.build import load_site

    site, _ = load_site(ROOT / "site_src")
    offer = shots.PREVIEW["serve-checkout"].rsplit("/", 1)[1]
    assert offer in site.offers and site.offers[offer].checkout


def test_a_step_missing_from_the_list_stops_the_script(shots, example_site):
    yml = example_site / "site.yml"
    text = yml.read_text(encoding="utf-8")
    page = "  - {id: company, page: thanks.md}\n"
    text = text.replace("\npages:\n", "\npages:\n" + page, 1) if "\npages:\n" in text else text + "\npages:\n" + page
    yml.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit, match=r"missing \['company'\]"):
        shots.planned_pages(example_site)


def test_the_readmes_show_pictures_that_exist(shots):
    import re

    for readme in ("README.md", "README.ja.md", "docs/ja/tutorial.md"):
        path = ROOT / readme
        images = re.findall(r'src="([^"]+\.png)"|\]\(([^)]+\.png)\)', path.read_text(encoding="utf-8"))
        names = [a or b for a, b in images]
        assert names, readme
        for name in names:
            assert (path.parent / name).is_file(), f"{readme}: {name}"


def test_the_committed_screenshots_are_the_listed_pages_within_budget(shots):
    from PIL import Image

    pngs = sorted((ROOT / "docs" / "img").glob("*.png"))
    names = (*shots.STEPS, *shots.GENERATED, *shots.PREVIEW)
    expected = sorted(f"{page}-{width}.png" for page in names for width in shots.VIEWPORTS)
    assert [p.name for p in pngs if p.stem.rsplit("-", 1)[-1].isdigit()] == expected
    assert sum(p.stat().st_size for p in pngs) <= shots.BUDGET
    for png in pngs:
        width = int(png.stem.rsplit("-", 1)[1])
        with Image.open(png) as image:
            assert image.size == shots.VIEWPORTS[width], png.name


def test_optimise_keeps_the_picture_and_shrinks_it(shots):
    from PIL import Image, ImageChops, ImageDraw

    image = Image.new("RGB", (390, 200), "white")
    draw = ImageDraw.Draw(image)
    for i in range(0, 390, 7):
        draw.line((i, 0, 390 - i, 200), fill=(194, 65, 12), width=2)
    raw = io.BytesIO()
    image.save(raw, "PNG", compress_level=0)
    small = shots.optimise(raw.getvalue())
    assert len(small) < len(raw.getvalue()) / 4
    with Image.open(io.BytesIO(small)) as out:
        assert out.size == (390, 200)
        assert ImageChops.difference(out.convert("RGB"), image).getbbox() is None  # two colours: exact



class FakeRoute:
    def __init__(self, url):
        self.request = type("Request", (), {"url": url})()
        self.done = None

    def continue_(self):
        self.done = "continue"

    def abort(self):
        self.done = "abort"


@pytest.mark.parametrize("url, done", [
    ("http://127.0.0.1:8123/optin/", "continue"),
    ("data:image/svg+xml,<svg/>", "continue"),
    ("https://www.googletagmanager.com/gtag/js?id=G-K7T2Q9X4LM", "abort"),  # a vendor: aborted, not stubbed
    ("https://fonts.googleapis.com/css2?family=Noto+Sans+JP", "abort"),
    ("https://www.youtube-nocookie.com/embed/abc", "abort"),
])
def test_only_the_local_server_is_reached(shots, url, done):
    route = FakeRoute(url)
    shots.only_local(route)
    assert route.done == done


@pytest.mark.browser
def test_make_screenshots_writes_every_page_at_both_sizes(shots, tmp_path, capsys):
    from PIL import Image

    stale = tmp_path / "gone-390.png"
    stale.write_bytes(b"")
    assert shots.main(["-o", str(tmp_path)]) == 0
    names = (*shots.STEPS, *shots.GENERATED, *shots.PREVIEW)
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(f"{n}-{w}.png" for n in names for w in (390, 1366))
    assert not stale.exists()
    for png in tmp_path.glob("*.png"):
        with Image.open(png) as image:
            assert image.size == shots.VIEWPORTS[int(png.stem.rsplit("-", 1)[1])]
            assert image.mode == "P"  # optimised to a palette
            assert len(image.convert("RGB").getcolors(1 << 16) or ()) > 8, png.name  # a page, not a blank screen
    assert f"{len(names) * 2} screenshots" in capsys.readouterr().out
