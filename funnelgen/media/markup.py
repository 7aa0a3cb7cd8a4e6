"""The HTML of one processed image: <picture> with a WebP srcset and the original format as the fallback,
intrinsic width/height (no layout shift), lazy below the fold and `fetchpriority="high"` for the hero
(https://web.dev/articles/fetch-priority, https://developer.mozilla.org/docs/Web/HTML/Element/picture)."""

from __future__ import annotations

from html import escape

from .images import ImageInfo

CONTENT_SIZES = "(min-width: 42rem) 40rem, 100vw"  # the copy column (.wrap, 42rem less its padding)


def _attr(name: str, value) -> str:
    return f' {name}="{escape(str(value), quote=True)}"'


def srcset(prefix: str, variants) -> str:
    return ", ".join(f"{prefix}{v.relpath} {v.width}w" for v in variants)


def picture(info: ImageInfo, alt: str, prefix: str, *, sizes: str = CONTENT_SIZES, loading: str = "lazy",
            priority: bool = False, cls: str = "", width: int | None = None, height: int | None = None,
            attrs: dict | None = None) -> str:
    """`width`/`height` (from Markdown `{width=…}`) set the displayed size; the ratio stays the image's."""
    if width and not height:
        height = round(width * info.height / info.width)
    elif height and not width:
        width = round(height * info.width / info.height)
    width, height = width or info.width, height or info.height
    img = f'<img src="{escape(prefix + info.src.relpath, quote=True)}"'
    if len(info.fallback) > 1:
        img += _attr("srcset", srcset(prefix, info.fallback)) + _attr("sizes", sizes)
    img += _attr("width", width) + _attr("height", height) + _attr("alt", alt)
    if cls:
        img += _attr("class", cls)
    for name, value in (attrs or {}).items():
        img += _attr(name, value)
    if priority:
        img += ' loading="eager" fetchpriority="high"'
    else:
        img += _attr("loading", loading)
    img += ' decoding="async">' if not priority else ">"
    if not info.webp:
        return img
    source = f'<source type="image/webp"{_attr("srcset", srcset(prefix, info.webp))}{_attr("sizes", sizes)}>'
    return f"<picture>{source}{img}</picture>"
