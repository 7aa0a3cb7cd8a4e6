"""Images through the build: a site path becomes a set of resized, content-hashed copies (WebP plus the
original's format), cached between builds in <site>/.funnelgen/images/ by the original's content hash.

An unchanged original is never decoded again: a cache hit reads one small JSON file, so a warm build does
not even import Pillow. Originals are only read, never written. Encoding follows web.dev's advice on
responsive images (https://web.dev/articles/serve-responsive-images) and Pillow's WebP writer
(https://pillow.readthedocs.io/en/stable/handbook/image-file-formats.html#webp).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..recording import note_file

MEDIA_DIR = "assets/img"  # where every processed image is written (long cache: see build.HEADERS)
CACHE = "images"  # under <site>/.funnelgen/
VERSION = "1"  # part of every cache key: bump when the encoding below changes
WIDTHS = (480, 800, 1200, 1600)  # srcset steps; never upscaled (1600: a 40rem column on a 2x screen)
FALLBACK_MAX = 1200  # the <img src> for browsers without srcset
WEBP_QUALITY, JPEG_QUALITY = 80, 82
MAX_BYTES = 25_000_000  # an original this large is refused (and would be published as is from static/)
WARN_BYTES = 5_000_000
MAX_PIXELS = 40_000_000  # beyond this decoding alone takes seconds and hundreds of MB
RASTER = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".gif": "GIF"}
IMAGE_SUFFIXES = (*RASTER, ".svg")
MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif", "SVG": "image/svg+xml"}
EXT = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif", "SVG": "svg"}

ENCODED: list[str] = []  # cache keys encoded by this process (tests: a warm build encodes nothing)


class ImageProblem(Exception):
    """A reference that cannot become an image; `hint` says how to fix it."""

    def __init__(self, message: str, hint: str = "", severity: str = "error"):
        super().__init__(message)
        self.message, self.hint, self.severity = message, hint, severity


@dataclass(frozen=True)
class Variant:
    relpath: str  # in the output
    width: int
    height: int


@dataclass
class ImageInfo:
    """One original and its published copies (the largest first is not assumed: lists are by width)."""

    ref: str  # the site path as written
    source: Path
    width: int  # of the largest copy
    height: int
    format: str  # PNG, JPEG, WEBP, GIF, SVG
    fallback: list[Variant]  # in the original's format
    webp: list[Variant] = field(default_factory=list)  # empty when the original is WebP, GIF or SVG
    files: dict[str, Path] = field(default_factory=dict)  # output relpath -> cached file
    warnings: list[ImageProblem] = field(default_factory=list)

    @property
    def src(self) -> Variant:
        small = [v for v in self.fallback if v.width <= FALLBACK_MAX]
        return small[-1] if small else self.fallback[0]


def site_file(src: Path, prefix: str, ref: str) -> Path:
    """The file in static/ a site path names (`/images/a.png`, `images/a.png`, `/shop/images/a.png` under a
    sub-folder base_url); anything that would leave the site folder is refused."""
    from ..pages import link_problem

    ref = (ref or "").strip()
    if not ref:
        raise ImageProblem("empty image path", "Give a path to a file in static/, e.g. /images/hero.png.")
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//", ref):
        raise ImageProblem(f"'{ref}' is not a file of this site",
                           "Put the image in static/ (e.g. static/images/hero.png) and write /images/hero.png: "
                           "images from other sites cannot be resized and slow the page down.")
    path = ref.split("?")[0].split("#")[0]
    if prefix != "/" and path.startswith(prefix):
        path = path[len(prefix):]
    parts = PurePosixPath(path.lstrip("/")).parts
    if "\\" in path or ".." in parts or not parts:
        raise ImageProblem(f"'{ref}' points outside the site folder",
                           "Images must be files inside static/; write a path like /images/hero.png without '..'.")
    file = src / "static" / Path(*parts)
    if (problem := link_problem(file, src)) is not None:
        raise ImageProblem(f"'{ref}': {problem.message}", problem.hint)
    if not file.is_file():
        raise ImageProblem(f"image '{ref}' does not exist (looked for {file.relative_to(src).as_posix()})",
                           "Put the file in static/ or fix the path (site paths start at static/: "
                           "static/images/hero.png is /images/hero.png).")
    if file.suffix.lower() not in IMAGE_SUFFIXES:
        raise ImageProblem(f"'{ref}' is not an image file ({file.suffix or 'no extension'})",
                           f"Use one of {', '.join(IMAGE_SUFFIXES)}.")
    return file


class ImageStore:
    """Images of one site, processed once per process and cached on disk across builds."""

    def __init__(self, src: Path, prefix: str = "/"):
        self.src, self.prefix = Path(src), prefix
        self._root: Path | None = None
        self._seen: dict[tuple, ImageInfo] = {}
        self._hashes: dict[tuple, str] = {}

    @property
    def root(self) -> Path:
        """The cache folder; a read-only site folder gets a private temporary one."""
        if self._root is None:
            root = self.src / ".funnelgen" / CACHE
            try:
                root.mkdir(parents=True, exist_ok=True)
                if not os.access(root, os.W_OK):
                    raise PermissionError(root)
            except OSError:
                root = Path(tempfile.mkdtemp(prefix="funnelgen-images-"))
            self._root = root
        return self._root

    def digest(self, file: Path) -> str:
        st = file.stat()
        key = (str(file), st.st_mtime_ns, st.st_size)
        if key not in self._hashes:
            if st.st_size > MAX_BYTES:
                raise ImageProblem(f"'{file.name}' is {st.st_size / 1e6:.0f} MB; originals over "
                                   f"{MAX_BYTES // 1_000_000} MB are refused",
                                   "Export it smaller (2,000–3,000 px wide is plenty for a page).")
            h = hashlib.sha256(VERSION.encode())
            h.update(file.read_bytes())
            self._hashes[key] = h.hexdigest()
        return self._hashes[key]

    def get(self, ref: str) -> ImageInfo:
        """The published copies of the image `ref` names; raises ImageProblem."""
        file = site_file(self.src, self.prefix, ref)
        note_file(file)  # the page that placed it is rebuilt when it changes (funnelgen/recording.py)
        st = file.stat()
        key = (str(file), st.st_mtime_ns, st.st_size)
        if key not in self._seen:
            info = self._load(file, self.digest(file))
            info.ref = ref
            if st.st_size > WARN_BYTES:
                info.warnings.append(ImageProblem(
                    f"'{ref}' is {st.st_size / 1e6:.1f} MB: the page uses resized copies, but static/ publishes "
                    "the original as is too", "Export a smaller original (under 5 MB).", "warning"))
            self._seen[key] = info
        return self._seen[key]

    def stem(self, file: Path) -> str:
        return re.sub(r"[^a-z0-9]+", "-", file.stem.lower()).strip("-")[:40] or "image"

    def _load(self, file: Path, digest: str) -> ImageInfo:
        folder = self.root / digest[:20]
        meta = folder / "info.json"
        data = None
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
            if not all((folder / name).is_file() for name in data["files"]):
                data = None
        except (OSError, ValueError, KeyError):
            data = None
        if data is None:
            data = self._encode(file, folder)
            ENCODED.append(digest)
        return self._info(file, digest, folder, data)

    def _info(self, file: Path, digest: str, folder: Path, data: dict) -> ImageInfo:
        stem = f"{self.stem(file)}.{digest[:10]}"
        fallback, webp, files = [], [], {}
        for name, w, h in data["variants"]:
            ext = name.rsplit(".", 1)[1]
            relpath = f"{MEDIA_DIR}/{stem}-{w}.{ext}" if data["format"] not in ("SVG", "GIF") else \
                f"{MEDIA_DIR}/{stem}.{ext}"
            files[relpath] = folder / name
            (webp if ext == "webp" and data["format"] != "WEBP" else fallback).append(Variant(relpath, w, h))
        top = max(fallback, key=lambda v: v.width)
        return ImageInfo("", file, top.width, top.height, data["format"], fallback, webp, files)

    def _encode(self, file: Path, folder: Path) -> dict:
        if file.suffix.lower() == ".svg":
            data = svg_info(file)
        else:
            data = encode_raster(file, folder)
        folder.mkdir(parents=True, exist_ok=True)
        if data["format"] in ("SVG", "GIF"):  # published unchanged
            name = data["variants"][0][0]
            write_atomic(folder / name, file.read_bytes())
        write_atomic(folder / "info.json", json.dumps(data).encode())
        return data

    def derived(self, ref: str, name: str, make) -> tuple[Path, str, Path]:
        """A file made from an image (share card, icon), cached beside its variants: (cached file, digest,
        original).
        `make(image)` gets the decoded original and returns the bytes."""
        file = site_file(self.src, self.prefix, ref)
        digest = self.digest(file)
        target = self.root / digest[:20] / name
        if not target.is_file():
            if file.suffix.lower() == ".svg":
                raise ImageProblem(f"'{ref}' is an SVG; share images and icons are made from a PNG, JPEG or WebP",
                                   "Export the picture as a PNG (at least 512×512 for icons, 1200×630 for sharing).")
            with open_image(file) as im:
                payload = make(im)
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, payload)
            ENCODED.append(f"{digest}:{name}")
        return target, digest, file


def write_atomic(target: Path, payload: bytes) -> None:
    """Write through a temporary file so a parallel build never reads half a variant."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(payload)
    os.replace(tmp, target)


def open_image(file: Path):
    """The decoded image, upright (EXIF orientation applied); refuses unreadable and oversized files."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = None  # the size is checked below, from the header, before anything is decoded
    try:
        im = Image.open(file)
        if im.width * im.height > MAX_PIXELS:
            raise ImageProblem(f"'{file.name}' is {im.width}×{im.height} pixels; originals over "
                               f"{MAX_PIXELS // 1_000_000} megapixels are refused",
                               "Export it smaller (2,000–3,000 px wide is plenty for a page).")
        im.load()
    except ImageProblem:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageProblem(f"'{file.name}' cannot be read as an image ({type(exc).__name__}: {exc})",
                           "Open it in an image editor and export it again as PNG, JPEG or WebP.") from None
    return ImageOps.exif_transpose(im)


def encode_raster(file: Path, folder: Path) -> dict:
    """Resize to each width in WIDTHS (never up), as WebP and in the original's format; metadata is dropped
    (EXIF can hold the place a photo was taken)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open_image(file) as im:
        fmt = RASTER[file.suffix.lower()]
        if (im.format or fmt) not in MIME:
            fmt = "PNG"
        else:
            fmt = im.format or fmt
        if fmt == "GIF":  # may be animated: published unchanged
            return {"format": "GIF", "variants": [["original.gif", im.width, im.height]], "files": ["original.gif"]}
        # a step within 15 % of the original's width would only add bytes
        widths = sorted({w for w in WIDTHS if w < im.width * 0.85} | {min(im.width, WIDTHS[-1])})
        alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
        base = im.convert("RGBA" if alpha else "RGB")
        variants = []
        for w in widths:
            h = max(1, round(im.height * w / im.width))
            scaled = base if w == base.width else base.resize((w, h), resample=_lanczos())
            outputs = [("webp", "WEBP", {"quality": WEBP_QUALITY, "method": 4})]
            if fmt == "JPEG":
                outputs.append(("jpg", "JPEG", {"quality": JPEG_QUALITY, "progressive": True}))
            elif fmt == "PNG":
                outputs.append(("png", "PNG", {}))
            for ext, pil_format, options in outputs:
                name = f"{w}.{ext}"
                img = scaled.convert("RGB") if pil_format == "JPEG" else scaled
                from io import BytesIO

                buf = BytesIO()
                img.save(buf, pil_format, **options)
                write_atomic(folder / name, buf.getvalue())
                variants.append([name, w, h])
    return {"format": fmt, "variants": variants, "files": [v[0] for v in variants]}


def _lanczos():
    from PIL import Image

    return Image.Resampling.LANCZOS


_SVG_ROOT = re.compile(r"<svg\b([^>]*)>", re.S | re.I)
_SVG_UNSAFE = re.compile(r"<script|<foreignObject|\son[a-z]+\s*=|javascript:", re.I)


def svg_info(file: Path) -> dict:
    """SVGs pass through unchanged; their size comes from viewBox (else width/height in px)."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImageProblem(f"'{file.name}' cannot be read as SVG text ({exc})", "Save it as UTF-8 SVG.") from None
    root = _SVG_ROOT.search(text)
    if root is None:
        raise ImageProblem(f"'{file.name}' has no <svg> element", "Export it again as SVG.")
    if _SVG_UNSAFE.search(text):
        raise ImageProblem(f"'{file.name}' contains a script, an event handler or a javascript: URL",
                           "Remove them (an SVG opened on its own runs its scripts on your domain), or use a PNG.")
    attrs = dict(re.findall(r'([\w:-]+)\s*=\s*["\']([^"\']*)["\']', root.group(1)))
    box = attrs.get("viewBox", "").replace(",", " ").split()
    try:
        if len(box) == 4:
            width, height = float(box[2]), float(box[3])
        else:
            width = float(attrs["width"].removesuffix("px"))
            height = float(attrs["height"].removesuffix("px"))
    except (KeyError, ValueError):
        raise ImageProblem(f"'{file.name}' has neither a viewBox nor width/height in pixels",
                           'Add viewBox="0 0 W H" to its <svg> element.') from None
    if width <= 0 or height <= 0:
        raise ImageProblem(f"'{file.name}' has an empty viewBox", 'Give it a size: viewBox="0 0 W H".')
    return {"format": "SVG", "variants": [["original.svg", round(width), round(height)]], "files": ["original.svg"]}
