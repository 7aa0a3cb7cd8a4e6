"""Helpers for tests: copies of the example site and small sites written from dicts."""

from __future__ import annotations

import filecmp
import functools
import http.server
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "site_src"


_IMAGE_CACHE: list[Path] = []


def copy_example(dest: Path) -> Path:
    """A private copy of site_src (without build output or cache). Its image cache is shared by every copy in
    this test run (content-addressed, written atomically), so the example's pictures are encoded once per run,
    not once per test; tests of the cache itself use sites of their own."""
    import tempfile

    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("dist", ".funnelgen", ".*.staging-*", ".*.old-*"))
    if not _IMAGE_CACHE:
        import atexit

        _IMAGE_CACHE.append(Path(tempfile.mkdtemp(prefix="funnelgen-test-images-")))
        atexit.register(shutil.rmtree, _IMAGE_CACHE[0], True)
    (dest / ".funnelgen").mkdir()
    (dest / ".funnelgen" / "images").symlink_to(_IMAGE_CACHE[0], target_is_directory=True)
    return dest


MINIMAL_CONFIG = {
    "site": {"title": "Test Shop", "base_url": "https://shop.example.com/", "language": "ja"},
    "legal": {
        "seller": "株式会社テスト商店", "representative": "山田 太郎", "address": "東京都千代田区丸の内1-2-3",
        "phone": "03-1234-5678", "email": "info@shop.example.com",
        "extra_charges": "通信料はお客様のご負担です。", "payment_methods": "クレジットカード",
        "payment_timing": "ご注文時", "delivery_timing": "決済後すぐ", "returns": "30日間返金保証",
        "privacy": {"purposes": ["特典のお届け"]},
    },
    "offers": {"starter": {"name": "入門講座", "price": 1980, "checkout": "https://buy.stripe.com/abc123"}},
    "forms": {"lead": {"fields": ["name", "email"], "consent": "テスト商店からメールをお送りします。"}},
    "funnels": {"main": {"steps": [
        {"id": "optin", "kind": "optin", "page": "optin.md", "form": "lead", "next": "gift"},
        {"id": "gift", "kind": "thankyou", "page": "gift.md", "next": "starter"},
        {"id": "starter", "kind": "sales", "page": "starter.md", "offer": "starter", "next": "thanks"},
        {"id": "thanks", "kind": "thankyou", "page": "thanks.md"},
    ]}},
}


def write_site(dest: Path, config: dict | None = None, pages: dict[str, str] | None = None) -> Path:
    """Write a site folder: site.yml from a dict plus pages (default: one short page per step)."""
    import copy

    config = copy.deepcopy(config or MINIMAL_CONFIG)
    (dest / "pages").mkdir(parents=True, exist_ok=True)
    (dest / "site.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    steps = [s for f in config.get("funnels", {}).values() for s in f["steps"] if isinstance(s, dict)]
    steps += config.get("pages", [])
    for step in steps:
        text = (pages or {}).get(step["page"], f"---\ntitle: {step['id']}\nheadline: {step['id']} headline\n---\n\n本文です。\n")
        (dest / "pages" / step["page"]).write_text(text, encoding="utf-8")
    return dest


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a built folder like a static host, without a log line per request."""

    def log_message(self, *args):
        pass


@contextmanager
def serve_folder(folder: Path, handler=QuietHandler):
    """A built site on loopback, on a free port, for the browser tests; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def same_tree(a: Path, b: Path) -> None:
    """Every file of two output folders, compared byte for byte."""
    cmp = filecmp.dircmp(a, b)
    stack, diffs = [cmp], []
    while stack:
        c = stack.pop()
        diffs += [f"{c.left}/{n}" for n in c.left_only + c.right_only + c.funny_files]
        diffs += [f"{c.left}/{n}" for n in filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)[1]]
        stack += c.subdirs.values()
    assert not diffs, diffs
