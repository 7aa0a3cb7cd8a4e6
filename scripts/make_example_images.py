"""Draw the example site's pictures (site_src/static/images/) with Pillow: no stock photos, nothing copied.

    python3 scripts/make_example_images.py

Shapes only, plus Japanese text set in Noto Sans CJK (SIL Open Font License; Debian: fonts-noto-cjk). The
output is committed; run this again only to change a picture. Everything is drawn at twice the size and
scaled down, which smooths the edges.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

OUT = Path(__file__).resolve().parent.parent / "site_src" / "static" / "images"
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/noto-cjk", "/System/Library/Fonts")
ACCENT, INK, PAPER, CREAM = (194, 65, 12), (31, 41, 55), (255, 255, 255), (255, 247, 237)
S = 2  # supersampling


def font(size: int, bold: bool = True):
    name = "NotoSansCJK-Bold.ttc" if bold else "NotoSansCJK-Regular.ttc"
    for folder in FONT_DIRS:
        if (Path(folder) / name).is_file():
            return ImageFont.truetype(str(Path(folder) / name), size * S, index=0)
    sys.exit(f"{name} not found: install fonts-noto-cjk")


def canvas(w: int, h: int, color=(0, 0, 0, 0)):
    im = Image.new("RGBA", (w * S, h * S), color)
    return im, ImageDraw.Draw(im)


def done(im, name: str, w: int, h: int) -> None:
    im = im.resize((w, h), Image.Resampling.LANCZOS)
    if name.endswith(".jpg"):
        im.convert("RGB").save(OUT / name, "JPEG", quality=88, optimize=True)
    else:
        im.save(OUT / name, "PNG", optimize=True)
    print(f"{OUT / name}: {w}x{h}, {(OUT / name).stat().st_size // 1024} KB")


def box(d, xy, r, **kw):
    d.rounded_rectangle([v * S for v in xy], radius=r * S, **kw)


def text(d, xy, s, size, fill=INK, bold=True, anchor="la"):
    d.text((xy[0] * S, xy[1] * S), s, font=font(size, bold), fill=fill, anchor=anchor)


def shadow(im, xy, r, blur=18, alpha=70):
    layer = Image.new("RGBA", im.size, (0, 0, 0, 0))
    ImageDraw.Draw(layer).rounded_rectangle([v * S for v in xy], radius=r * S, fill=(0, 0, 0, alpha))
    im.alpha_composite(layer.filter(ImageFilter.GaussianBlur(blur * S)))


def cover(im, d, x, y, w, h):
    """The PDF's cover: title, subtitle, seven envelope lines."""
    shadow(im, (x + 10, y + 16, x + w + 10, y + h + 16), 8)
    for i in (3, 2, 1):  # page edges
        box(d, (x + i * 4, y + i * 3, x + w + i * 4, y + h + i * 3), 6, fill=(235, 229, 220), outline=(214, 206, 195))
    box(d, (x, y, x + w, y + h), 6, fill=PAPER)
    box(d, (x, y, x + w, y + h * 0.42), 6, fill=ACCENT)
    d.rectangle([x * S, (y + h * 0.3) * S, (x + w) * S, (y + h * 0.42) * S], fill=ACCENT)
    text(d, (x + w * 0.08, y + h * 0.07), "無料PDF・42ページ", round(w * 0.055), fill=(255, 237, 213))
    text(d, (x + w * 0.08, y + h * 0.15), "売り込まずに売れる", round(w * 0.09), fill=PAPER)
    text(d, (x + w * 0.08, y + h * 0.27), "メール7通", round(w * 0.115), fill=PAPER)
    text(d, (x + w * 0.08, y + h * 0.47), "テンプレート", round(w * 0.085))
    for i in range(7):  # seven letters
        ly = y + h * (0.58 + i * 0.043)
        box(d, (x + w * 0.08, ly, x + w * 0.14, ly + h * 0.03), 2, fill=(253, 186, 116))
        box(d, (x + w * 0.18, ly + h * 0.008, x + w * (0.55 + (i % 3) * 0.1), ly + h * 0.022), 3, fill=(229, 231, 235))
    text(d, (x + w * 0.08, y + h * 0.94), "ことのは舎", round(w * 0.045), fill=(107, 114, 128), anchor="ls")


def envelope(d, x, y, w, color=ACCENT, flap=None):
    h = w * 0.66
    box(d, (x, y, x + w, y + h), w * 0.08, fill=PAPER, outline=color, width=max(2, round(w * 0.04)) * S)
    d.line([(x + w * 0.06) * S, (y + h * 0.1) * S, (x + w / 2) * S, (y + h * 0.55) * S, (x + w * 0.94) * S,
            (y + h * 0.1) * S], fill=flap or color, width=max(2, round(w * 0.04)) * S, joint="curve")


def hero_optin():
    w, h = 1200, 900
    im, d = canvas(w, h, CREAM + (255,))
    d.ellipse([700 * S, 80 * S, 1180 * S, 560 * S], fill=(254, 215, 170))
    d.ellipse([60 * S, 560 * S, 360 * S, 860 * S], fill=(255, 237, 213))
    cover(im, d, 330, 110, 470, 660)
    for i, (ex, ey, ew) in enumerate(((880, 200, 190), (930, 470, 150), (120, 250, 140))):
        shadow(im, (ex, ey + 8, ex + ew, ey + ew * 0.66 + 8), 12, blur=10, alpha=40)
        envelope(d, ex, ey, ew, ACCENT if i != 1 else (234, 88, 12))
    box(d, (860, 700, 1120, 790), 45, fill=INK)
    text(d, (990, 745), "登録後すぐ届く", 30, fill=PAPER, anchor="mm")
    done(im, "ebook-hero.png", w, h)


def pdf_cover():
    w, h = 800, 1000
    im, d = canvas(w, h, (0, 0, 0, 0))
    cover(im, d, 110, 90, 560, 790)
    done(im, "pdf-cover.png", w, h)


def person(d, cx, cy, r, skin, hair, shirt, long_hair=False, glasses=False):
    """A flat head-and-shoulders figure centred at (cx, cy) in a circle of radius r."""
    sh = r * 0.95
    d.ellipse([(cx - sh) * S, (cy + r * 0.45) * S, (cx + sh) * S, (cy + r * 2.2) * S], fill=shirt)
    d.rectangle([(cx - r * 0.16) * S, (cy + r * 0.1) * S, (cx + r * 0.16) * S, (cy + r * 0.55) * S], fill=skin)
    if long_hair:
        d.rounded_rectangle([(cx - r * 0.5) * S, (cy - r * 0.55) * S, (cx + r * 0.5) * S, (cy + r * 0.5) * S],
                            radius=r * 0.3 * S, fill=hair)
    d.ellipse([(cx - r * 0.38) * S, (cy - r * 0.5) * S, (cx + r * 0.38) * S, (cy + r * 0.35) * S], fill=skin)
    d.chord([(cx - r * 0.42) * S, (cy - r * 0.62) * S, (cx + r * 0.42) * S, (cy + r * 0.2) * S], 180, 360, fill=hair)
    for ex in (-0.14, 0.14):
        d.ellipse([(cx + r * ex - r * 0.035) * S, (cy - r * 0.04) * S, (cx + r * ex + r * 0.035) * S,
                   (cy + r * 0.03) * S], fill=INK)
        if glasses:
            d.ellipse([(cx + r * ex - r * 0.11) * S, (cy - r * 0.1) * S, (cx + r * ex + r * 0.11) * S,
                       (cy + r * 0.09) * S], outline=INK, width=max(1, round(r * 0.025)) * S)
    d.arc([(cx - r * 0.12) * S, (cy + r * 0.05) * S, (cx + r * 0.12) * S, (cy + r * 0.2) * S], 20, 160, fill=INK,
          width=max(1, round(r * 0.025)) * S)


def avatar(name, bg, skin, hair, shirt, **kw):
    w = 240
    im, d = canvas(w, w)
    d.ellipse([0, 0, w * S - 1, w * S - 1], fill=bg)
    mask = Image.new("L", im.size, 0)
    ImageDraw.Draw(mask).ellipse([0, 0, w * S - 1, w * S - 1], fill=255)
    fig, fd = canvas(w, w)
    person(fd, w / 2, w * 0.48, w * 0.5, skin, hair, shirt, **kw)
    im.paste(fig, (0, 0), Image.composite(fig, Image.new("RGBA", im.size), mask))
    done(im, name, w, w)


def author():
    w = 600
    im, d = canvas(w, w)
    d.ellipse([0, 0, w * S - 1, w * S - 1], fill=(254, 215, 170))
    mask = Image.new("L", im.size, 0)
    ImageDraw.Draw(mask).ellipse([0, 0, w * S - 1, w * S - 1], fill=255)
    fig, fd = canvas(w, w)
    person(fd, w / 2, w * 0.46, w * 0.5, (252, 222, 196), (68, 44, 36), ACCENT, long_hair=True)
    envelope(fd, w * 0.64, w * 0.7, w * 0.22, INK)
    im.paste(fig, (0, 0), Image.composite(fig, Image.new("RGBA", im.size), mask))
    done(im, "author-misaki.png", w, w)


def course_poster():
    w, h = 1280, 720
    im, d = canvas(w, h, (30, 41, 59, 255))
    box(d, (90, 80, 790, 560), 18, fill=PAPER)
    text(d, (140, 140), "動画講座 サンプル", 30, fill=ACCENT)
    text(d, (140, 200), "はじめての", 60)
    text(d, (140, 280), "ステップメール設計", 60)
    for i, label in enumerate(("登録直後", "3日目", "7日目")):
        bx = 140 + i * 205
        box(d, (bx, 400, bx + 175, 490), 14, fill=CREAM, outline=(253, 186, 116), width=3 * S)
        text(d, (bx + 87, 445), label, 26, anchor="mm")
    fig, fd = canvas(w, h)
    person(fd, 1010, 330, 230, (252, 222, 196), (68, 44, 36), ACCENT, long_hair=True)
    im.alpha_composite(fig)
    text(d, (90, 640), "第1回　売り込まない自己紹介メール（約12分）", 32, fill=(226, 232, 240))
    done(im, "course-poster.jpg", w, h)


def course_cover():
    w, h = 1200, 800
    im, d = canvas(w, h, CREAM + (255,))
    d.ellipse([760 * S, 60 * S, 1160 * S, 460 * S], fill=(254, 215, 170))
    shadow(im, (170, 150, 1030, 640), 24)
    box(d, (150, 120, 1050, 640), 24, fill=INK)
    box(d, (180, 150, 1020, 590), 10, fill=PAPER)
    text(d, (230, 200), "動画6本・約90分", 28, fill=ACCENT)
    text(d, (230, 255), "はじめての", 56)
    text(d, (230, 330), "ステップメール設計", 56)
    for i in range(6):
        bx = 230 + i * 125
        box(d, (bx, 450, bx + 105, 530), 10, fill=CREAM, outline=(253, 186, 116), width=3 * S)
        d.polygon([((bx + 42) * S, 475 * S), ((bx + 42) * S, 505 * S), ((bx + 68) * S, 490 * S)], fill=ACCENT)
    box(d, (520, 640, 680, 700), 6, fill=(55, 65, 81))
    box(d, (420, 690, 780, 712), 10, fill=(75, 85, 99))
    done(im, "course-cover.png", w, h)


def mark(d, x, y, s):
    """The brand mark: a speech bubble holding an envelope (言の葉 + mail)."""
    box(d, (x, y, x + s, y + s * 0.8), s * 0.2, fill=ACCENT)
    d.polygon([((x + s * 0.22) * S, (y + s * 0.75) * S), ((x + s * 0.2) * S, (y + s) * S),
               ((x + s * 0.45) * S, (y + s * 0.75) * S)], fill=ACCENT)
    envelope(d, x + s * 0.22, y + s * 0.16, s * 0.56, PAPER, flap=ACCENT)


def icon():
    w = 512
    im, d = canvas(w, w)
    box(d, (0, 0, w, w), 110, fill=CREAM)
    mark(d, 86, 110, 340)
    done(im, "icon.png", w, w)


def logo():
    w, h = 440, 110
    im, d = canvas(w, h)
    mark(d, 6, 14, 86)
    text(d, (112, 57), "ことのは舎", 50, anchor="lm")
    done(im, "logo.png", w, h)


def share():
    w, h = 1200, 630
    im, d = canvas(w, h, CREAM + (255,))
    d.ellipse([820 * S, -120 * S, 1320 * S, 380 * S], fill=(254, 215, 170))
    mark(d, 90, 90, 130)
    text(d, (90, 330), "売り込まずに売れる", 64)
    text(d, (90, 420), "メールマーケティング", 64)
    text(d, (90, 530), "ことのは舎", 36, fill=ACCENT)
    cover(im, d, 840, 140, 260, 370)
    done(im, "share.png", w, h)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    hero_optin()
    pdf_cover()
    author()
    course_poster()
    course_cover()
    icon()
    logo()
    share()
    avatar("avatar-yamada.png", (219, 234, 254), (252, 222, 196), (41, 37, 36), (59, 130, 246), long_hair=True)
    avatar("avatar-takahashi.png", (252, 231, 243), (250, 214, 190), (120, 53, 15), (219, 39, 119), long_hair=True)
    avatar("avatar-nakamura.png", (220, 252, 231), (240, 205, 175), (28, 25, 23), (22, 163, 74), glasses=True)
    avatar("avatar-kobayashi.png", (254, 243, 199), (252, 222, 196), (87, 83, 78), (217, 119, 6), long_hair=True)
