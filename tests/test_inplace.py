"""In-place updates (funnelgen/inplace.py): a warm build moves only what it wrote into the previous output,
removes what the site no longer has, and never leaves a half-updated folder looking finished."""

from __future__ import annotations

import os

import pytest
from helpers import copy_example, same_tree

from funnelgen import inplace
from funnelgen.build import build
from funnelgen.errors import BuildError
from funnelgen.output import MARKER, MARKER_BUSY, MARKER_TEXT
from funnelgen.reporter import RecordingReporter


def run(src, out) -> set:
    """Build; return the page keys rendered (not reused)."""
    rec = RecordingReporter()
    build(src, out, jobs=1, reporter=rec)
    return set(rec.written())


@pytest.fixture
def site(tmp_path):
    src, out = copy_example(tmp_path / "site"), tmp_path / "out"
    run(src, out)
    return src, out


def inode(path) -> int:
    return os.stat(path).st_ino


def matches_clean_build(src, out, tmp_path) -> None:
    fresh = tmp_path / "fresh"
    build(src, fresh, jobs=1, cache=False)
    same_tree(out, fresh)
    assert (out / MARKER).read_text(encoding="utf-8") == MARKER_TEXT


def test_an_unchanged_build_leaves_every_file_where_it_was(site, tmp_path):
    src, out = site
    folder, page, sitemap = inode(out), out / "thanks" / "index.html", out / "sitemap.xml"
    before = {p: (inode(p), os.stat(p).st_mtime_ns) for p in (page, sitemap)}
    assert run(src, out) == set()
    assert inode(out) == folder  # not swapped for a new folder
    assert {p: (inode(p), os.stat(p).st_mtime_ns) for p in (page, sitemap)} == before  # same bytes: untouched
    assert not list(tmp_path.glob(".out.*"))  # no staging folder left behind
    matches_clean_build(src, out, tmp_path)


def test_an_edited_page_replaces_only_its_own_file(site, tmp_path):
    src, out = site
    kept = out / "gift" / "index.html"
    kept_inode = inode(kept)
    page = src / "pages" / "thanks.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n追伸：返信で質問できます。\n", encoding="utf-8")
    assert run(src, out) == {("thanks", "a")}
    assert "追伸" in (out / "thanks" / "index.html").read_text(encoding="utf-8")
    assert inode(kept) == kept_inode
    matches_clean_build(src, out, tmp_path)


def test_files_added_by_hand_are_removed_as_a_whole_build_would(site, tmp_path):
    src, out = site
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "old" / "deep").mkdir(parents=True)
    (out / "old" / "deep" / "page.html").write_text("<p>old</p>", encoding="utf-8")
    (out / "gift" / "draft.html").write_text("<p>draft</p>", encoding="utf-8")
    (out / "linked").symlink_to(src / "pages")
    assert run(src, out) == set()
    assert not (out / "notes.txt").exists() and not (out / "old").exists() and not (out / "linked").is_symlink()
    assert not (out / "gift" / "draft.html").exists() and (out / "gift" / "index.html").is_file()
    assert (src / "pages" / "gift.md").is_file()  # the link went, not what it pointed at
    matches_clean_build(src, out, tmp_path)


def test_an_update_cut_short_is_marked_and_the_next_build_replaces_the_folder(site, tmp_path, monkeypatch):
    src, out = site
    page = src / "pages" / "thanks.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n追伸\n", encoding="utf-8")
    moved = []
    real_move = inplace._move

    def move_then_fail(source, target):
        if moved:
            raise OSError(28, "No space left on device", str(target))
        moved.append(target)
        real_move(source, target)

    monkeypatch.setattr(inplace, "_move", move_then_fail)
    with pytest.raises(BuildError) as exc:
        build(src, out, jobs=1)
    assert "marked incomplete" in exc.value.problems[0].message
    assert "next build replaces the folder whole" in exc.value.problems[0].hint
    assert (out / MARKER).read_text(encoding="utf-8") == MARKER_BUSY
    monkeypatch.setattr(inplace, "_move", real_move)
    folder = inode(out)
    run(src, out)
    assert inode(out) != folder  # swapped whole, not patched up
    matches_clean_build(src, out, tmp_path)


def test_a_folder_it_cannot_write_means_a_whole_swap_with_nothing_moved(site, tmp_path, monkeypatch):
    src, out = site
    monkeypatch.setattr(inplace.os, "access", lambda path, mode: False)
    folder = inode(out)
    assert run(src, out) == set()  # the cache still saves the rendering
    assert inode(out) != folder
    matches_clean_build(src, out, tmp_path)


def test_empty_folders_are_pruned_and_the_site_s_own_folders_kept(site, tmp_path):
    src, out = site
    (out / "empty" / "deeper").mkdir(parents=True)  # made by hand, empty
    (out / "assets" / "old").mkdir()
    (out / "assets" / "old" / "a.js").write_text("//", encoding="utf-8")  # a folder that only held stale files
    assert run(src, out) == set()
    assert not (out / "empty").exists() and not (out / "assets" / "old").exists()
    assert (out / "assets").is_dir() and (out / "gift" / "index.html").is_file()
    matches_clean_build(src, out, tmp_path)


def test_unchanged_static_files_are_neither_copied_nor_read_and_a_changed_one_is_replaced(site, tmp_path, monkeypatch):
    """A static file whose output copy has its size and time (every copy gets the source's time) stays as it is;
    a file edited to the same size but another time is copied again."""
    import shutil

    src, out = site
    pdfs = sorted((src / "static" / "downloads").iterdir())
    kept, edited = pdfs[0], src / "static" / "downloads" / "notes.txt"
    edited.write_text("version 1", encoding="utf-8")
    run(src, out)  # the new file is copied in
    kept_out, edited_out = out / "downloads" / kept.name, out / "downloads" / "notes.txt"
    before = inode(kept_out)
    copied, real = [], shutil.copyfile
    monkeypatch.setattr(shutil, "copyfile", lambda a, b, **k: copied.append(os.path.basename(a)) or real(a, b, **k))
    edited.write_text("version 2", encoding="utf-8")  # same size, another time
    page = src / "pages" / "thanks.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n追伸\n", encoding="utf-8")
    run(src, out)
    assert kept.name not in copied and "notes.txt" in copied
    assert inode(kept_out) == before
    assert edited_out.read_text(encoding="utf-8") == "version 2"
    matches_clean_build(src, out, tmp_path)
