"""Video hosts a `video` block may load after a click: how a pasted address becomes the player's address,
and who receives the visitor's data once it plays (for the 外部送信 notice, 電気通信事業法27条の12).

YouTube is embedded from youtube-nocookie.com, its privacy-enhanced mode
(https://support.google.com/youtube/answer/171780); Vimeo with `dnt=1`, which stops it from tracking the
session (https://help.vimeo.com/hc/en-us/articles/12426260232977). A self-hosted file needs no host.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

US = {"ja": "米国", "en": "United States"}


@dataclass(frozen=True)
class VideoHost:
    key: str
    names: dict[str, str]  # the recipient, by language
    country: dict[str, str]
    player_host: str  # where the iframe loads from (verify's stubs, CSP)


HOSTS = {
    "youtube": VideoHost("youtube", {"ja": "Google LLC（YouTube 動画の埋め込み）", "en": "Google LLC (embedded YouTube video)"},
                         US, "www.youtube-nocookie.com"),
    "vimeo": VideoHost("vimeo", {"ja": "Vimeo.com, Inc.（Vimeo 動画の埋め込み）", "en": "Vimeo.com, Inc. (embedded Vimeo video)"},
                       US, "player.vimeo.com"),
}

_YT_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YT_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "www.youtube-nocookie.com",
             "youtube-nocookie.com"}
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
VIDEO_FILES = (".mp4", ".webm", ".m4v", ".mov")


@dataclass(frozen=True)
class Video:
    host: str  # "youtube", "vimeo" or "file"
    id: str  # the host's video id, or the site path of the file
    player: str  # what the facade loads after the click (iframe src, or the file's URL)
    link: str  # where the facade links without JavaScript (the video's own page, or the file)


def parse_video(url: str) -> Video | str:
    """A pasted YouTube/Vimeo address or a site path to a video file; a str says why it is not one."""
    url = (url or "").strip()
    if url.startswith("/") and not url.startswith("//"):
        if not url.lower().split("?")[0].endswith(VIDEO_FILES):
            return f"'{url}' is not a video file (use {', '.join(VIDEO_FILES)})"
        return Video("file", url, url, url)
    parts = urlsplit(url)
    host = parts.netloc.lower()
    if parts.scheme not in ("https", "http"):
        return f"'{url}' is neither a YouTube or Vimeo address nor a site path to a video file"
    if host in _YT_HOSTS:
        video_id = ""
        path = parts.path.strip("/").split("/")
        if host.endswith("youtu.be"):
            video_id = path[0]
        elif path and path[0] in ("embed", "shorts", "live", "v") and len(path) > 1:
            video_id = path[1]
        else:
            video_id = (parse_qs(parts.query).get("v") or [""])[0]
        if not _YT_ID.match(video_id):
            return f"'{url}' has no YouTube video id (expected https://www.youtube.com/watch?v=XXXXXXXXXXX)"
        return Video("youtube", video_id, f"https://www.youtube-nocookie.com/embed/{video_id}?autoplay=1&rel=0",
                     f"https://www.youtube.com/watch?v={video_id}")
    if host in _VIMEO_HOSTS:
        segments = [p for p in parts.path.split("/") if p]
        digits = [i for i, p in enumerate(segments) if p.isdigit()]
        if not digits:
            return f"'{url}' has no Vimeo video number (expected https://vimeo.com/123456789)"
        number = segments[digits[0]]
        # an unlisted video's address carries its privacy hash: vimeo.com/123456789/abcdef1234 (or ?h=…)
        after = segments[digits[0] + 1] if len(segments) > digits[0] + 1 else ""
        secret = after if re.fullmatch(r"[0-9a-f]{6,20}", after) else (parse_qs(parts.query).get("h") or [""])[0]
        secret = secret if re.fullmatch(r"[0-9a-f]{6,20}", secret) else ""
        player = f"https://player.vimeo.com/video/{number}?autoplay=1&dnt=1" + (f"&h={secret}" if secret else "")
        return Video("vimeo", number, player, f"https://vimeo.com/{number}" + (f"/{secret}" if secret else ""))
    return f"'{url}' is not a YouTube or Vimeo address (other hosts are not supported yet)"


_ANY_BLOCK = re.compile(r":::[ \t]*video\b")  # unanchored: found by a fast literal scan, unlike _BLOCK_SRC's ^
_BLOCK_SRC = re.compile(r"^[ \t]{0,3}:::+[ \t]*video\b[^\n]*?\bsrc=[\"']?([^\"'\s]+)", re.M)


def hosts_in_page(text: str, meta: dict) -> set[str]:
    """The video hosts a page's `video` blocks and its `video:` front matter play from."""
    urls = [m.group(1) for m in _BLOCK_SRC.finditer(text)] if _ANY_BLOCK.search(text) else []  # every page, every build
    if isinstance(meta.get("video"), str):
        urls.append(meta["video"])
    found = set()
    for url in urls:
        video = parse_video(url)
        if isinstance(video, Video) and video.host in HOSTS:
            found.add(video.host)
    return found
