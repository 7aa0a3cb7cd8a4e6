"""Files made from one image: the 1200×630 share card (og:image) and the site's icons.

Sizes follow the platforms' own guidance: Open Graph / X cards at 1.91:1, 1200×630
(https://developers.facebook.com/docs/sharing/webmasters/images/), an apple-touch-icon of 180×180, a web app
manifest with 192 and 512 px icons (https://web.dev/articles/add-manifest), and favicon.ico at the site root,
where browsers look for it without being told.
"""

from __future__ import annotations

import json
from io import BytesIO

from .images import MEDIA_DIR, ImageStore

CARD = (1200, 630)
ICON_SIZES = (180, 192, 512)


def _flatten(im, background=(255, 255, 255)):
    """RGB on a plain background: JPEG has no alpha and iOS paints a transparent touch icon black."""
    from PIL import Image

    im = im.convert("RGBA")
    canvas = Image.new("RGBA", im.size, background + (255,))
    canvas.alpha_composite(im)
    return canvas.convert("RGB")


def _card(im) -> bytes:
    from PIL import ImageOps

    out = BytesIO()
    ImageOps.fit(_flatten(im), CARD, centering=(0.5, 0.4)).save(out, "JPEG", quality=85, progressive=True)
    return out.getvalue()


def share_card(store: ImageStore, ref: str) -> tuple[str, object]:
    """(output relpath, cached file) of the share card cropped from `ref`."""
    cached, digest, source = store.derived(ref, "card-1200x630.jpg", _card)
    return f"{MEDIA_DIR}/{store.stem(source)}.{digest[:10]}-og.jpg", cached


def _square(im, size: int, flatten: bool):
    from PIL import Image, ImageOps

    im = im.convert("RGBA")
    square = ImageOps.pad(im, (size, size), method=Image.Resampling.LANCZOS, color=(255, 255, 255, 0))
    return _flatten(square) if flatten else square


def _png(im) -> bytes:
    out = BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def _ico(im) -> bytes:
    out = BytesIO()
    _square(im, 48, False).save(out, "ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    return out.getvalue()


def site_icons(store: ImageStore, ref: str, title: str, color: str, prefix: str) -> tuple[dict[str, object], list]:
    """({output relpath: cached file or bytes}, [<link> attribute dicts]) for the favicon source `ref`."""
    files: dict[str, object] = {}
    links = []
    cached, digest, _source = store.derived(ref, "favicon.ico", _ico)
    files["favicon.ico"] = cached
    links.append({"rel": "icon", "href": f"{prefix}favicon.ico", "sizes": "48x48"})
    icons = []
    for size in ICON_SIZES:
        cached, _digest, _source = store.derived(ref, f"icon-{size}.png",
                                  lambda im, size=size: _png(_square(im, size, flatten=size == 180)))
        relpath = f"{MEDIA_DIR}/icon.{digest[:10]}-{size}.png"
        files[relpath] = cached
        if size == 180:
            links.append({"rel": "apple-touch-icon", "href": prefix + relpath, "sizes": "180x180"})
        else:
            icons.append({"src": prefix + relpath, "sizes": f"{size}x{size}", "type": "image/png"})
    manifest = {"name": title, "short_name": title[:12], "start_url": prefix, "display": "browser",
                "background_color": "#ffffff", "theme_color": color, "icons": icons}
    files["site.webmanifest"] = (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    links.append({"rel": "manifest", "href": f"{prefix}site.webmanifest"})
    return files, links
