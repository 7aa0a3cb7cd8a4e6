"""Data for the media blocks (`video`, `image`, `author`, `logos`, and `testimonial`'s photo): the block
templates in themes/default/templates/blocks/ lay it out.

A video is a click-to-load facade (https://web.dev/articles/embed-best-practices#use_click-to-load): a
poster and a play button that link to the video; funnel.js swaps in the player only when clicked, so the
page sends nothing to the video host before the visitor asks for it.
"""

from __future__ import annotations

from .images import ImageProblem

VIDEO_HOST_NAMES = {"youtube": "YouTube", "vimeo": "Vimeo"}
POSTER_SIZES = "(min-width: 42rem) 40rem, 100vw"
AVATAR_SIZES = "4rem"
AUTHOR_SIZES = "(min-width: 42rem) 12rem, 40vw"


def video_view(media, src: str, poster: str | None, title: str, line: int | None, priority: bool = False) -> dict | None:
    from ..videohosts import Video, parse_video

    video = parse_video(src)
    if not isinstance(video, Video):
        media.found.append((line, ImageProblem(
            f"video {video}", "Paste the video's address from YouTube (https://www.youtube.com/watch?v=…) or Vimeo "
                              "(https://vimeo.com/…), or a file in static/ (/videos/intro.mp4). See docs/blocks.md#video.")))
        return None
    poster_html = None
    if poster:
        poster_html = media.html(poster, "", line, sizes=POSTER_SIZES, priority=priority, cls="video-poster-img")
    return {"host": video.host, "host_name": VIDEO_HOST_NAMES.get(video.host), "player": video.player,
            "link": video.link, "external": video.host != "file", "title": title, "poster": poster_html}


def _need(media, call, key: str, example: str) -> str | None:
    value = call.attrs.get(key)
    if value is None:
        media.found.append((call.line, ImageProblem(f"{call.name} block needs {key}=", f"Write ::: {call.name} {example}")))
    return value


def block_context(media, call) -> dict:
    """Extra template variables for block `call` (a markdown.BlockCall)."""
    name, attrs, line = call.name, call.attrs, call.line
    media.used = media.used or name != "testimonial" or bool(attrs.get("photo"))  # the page needs media.css
    if name == "video":
        src = _need(media, call, "src", 'src="https://www.youtube.com/watch?v=…" title="…"')
        return {"video": video_view(media, src, attrs.get("poster"), attrs.get("title") or call.title, line)
                if src else None}
    if name == "image":
        src = _need(media, call, "src", 'src="/images/photo.png" alt="写真の説明"')
        alt = _need(media, call, "alt", f'src="{src or "/images/photo.png"}" alt="what the picture shows" '
                                        '(alt="" for a decorative picture)')
        return {"image": media.html(src, alt, line) if src and alt is not None else None}
    if name in ("testimonial", "author"):
        if not attrs.get("photo"):
            return {"photo": None}
        if name == "testimonial":  # the name is printed beside it: the photo adds nothing for a screen reader
            return {"photo": media.html(attrs["photo"], "", line, sizes=AVATAR_SIZES, cls="avatar")}
        person = attrs.get("name") or call.title
        return {"photo": media.html(attrs["photo"], person, line, sizes=AUTHOR_SIZES, cls="author-photo")}
    return {}
