"""The write stage: the swap is atomic, the old site comes back on every failure, the guard refuses folders."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from funnelgen import output
from funnelgen.errors import BuildError
from funnelgen.output import MARKER, Staging, check_output_dir


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def staged(final: Path, content: str) -> Staging:
    staging = Staging(final)
    staging.write("index.html", content)
    staging.write("sub/page.html", content * 2)
    return staging


def old_site(final: Path) -> dict[str, bytes]:
    staged(final, "old").commit()
    return tree(final)


def leftovers(final: Path) -> list[str]:
    return [p.name for p in final.parent.iterdir() if p != final]


def test_exchange_is_used_on_this_machine(tmp_path, monkeypatch):
    final = tmp_path / "out"
    old_site(final)
    monkeypatch.setattr(output.os, "rename", lambda *a: pytest.fail("fell back to two renames"))
    assert staged(final, "new").commit() == []
    assert (final / "index.html").read_text() == "new" and (final / MARKER).is_file()
    assert leftovers(final) == []


@pytest.mark.parametrize("point", [1, 2])
@pytest.mark.parametrize("exc", [KeyboardInterrupt(), OSError(errno.EXDEV, "cross-device"), SystemExit(1)])
def test_fallback_restores_the_old_site_on_every_failure(tmp_path, monkeypatch, point, exc):
    final = tmp_path / "out"
    before = old_site(final)
    staging = staged(final, "new")
    calls, real = [], os.rename

    def rename(a, b):
        calls.append(a)
        if len(calls) == point:
            raise exc
        return real(a, b)

    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    monkeypatch.setattr(output.os, "rename", rename)
    with pytest.raises(type(exc)):
        staging.commit()
    staging.abort()
    assert tree(final) == before
    assert leftovers(final) == []


def test_fallback_swaps_when_the_exchange_is_refused(tmp_path, monkeypatch):
    final = tmp_path / "out"
    old_site(final)
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    staged(final, "new").commit()
    assert (final / "index.html").read_text() == "new" and leftovers(final) == []


@pytest.mark.parametrize("code", [errno.ENOSYS, errno.EINVAL, errno.EPERM])
def test_refused_exchange_falls_back(tmp_path, monkeypatch, code):
    class Fn:
        argtypes = None

        def __call__(self, *args):
            return -1

    class Lib:
        renameat2 = Fn()

    monkeypatch.setattr(output.ctypes, "CDLL", lambda *a, **k: Lib())
    monkeypatch.setattr(output.ctypes, "get_errno", lambda: code)
    assert output._exchange(tmp_path / "a", tmp_path / "b") is False


def test_signals_wait_for_the_swap(tmp_path, monkeypatch):
    import signal

    final = tmp_path / "out"
    old_site(final)
    staging = staged(final, "new")
    real = output._exchange

    def exchange(a, b):
        os.kill(os.getpid(), signal.SIGINT)  # arrives mid-swap: held until the swap is done
        return real(a, b)

    monkeypatch.setattr(output, "_exchange", exchange)
    with pytest.raises(KeyboardInterrupt):
        staging.commit()
    assert (final / "index.html").read_text() == "new"


def test_old_folder_that_cannot_be_deleted_is_a_warning(tmp_path, monkeypatch):
    final = tmp_path / "out"
    old_site(final)

    def rmtree(path, onerror=None):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(output.shutil, "rmtree", rmtree)
    warnings = staged(final, "new").commit()
    assert (final / "index.html").read_text() == "new"
    assert [w.severity for w in warnings] == ["warning"] and "could not be deleted" in warnings[0].message


def test_read_only_subfolder_in_the_old_output_is_deleted(tmp_path):
    final = tmp_path / "out"
    old_site(final)
    os.chmod(final / "sub", 0o500)
    assert staged(final, "new").commit() == []
    assert leftovers(final) == []


def test_symlinks_in_static(tmp_path):
    site = tmp_path / "site"
    (site / "static").mkdir(parents=True)
    (site / "shared.txt").write_text("inside")
    (site / "static" / "ok.txt").symlink_to(site / "shared.txt")
    (site / "static" / "dir").symlink_to(site / "pages", target_is_directory=True)
    (site / "pages").mkdir()
    (site / "pages" / "a.pdf").write_text("pdf")
    staging = Staging(tmp_path / "out")
    staging.copy_tree(site / "static", root=site)
    assert tree(staging.root) == {"ok.txt": b"inside", "dir/a.pdf": b"pdf"}
    (site / "static" / "out.txt").symlink_to(tmp_path / "secret")
    (tmp_path / "secret").write_text("secret")
    with pytest.raises(BuildError, match="outside the site folder"):
        Staging(tmp_path / "out2").copy_tree(site / "static", root=site)


def test_output_guard(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    theme = tmp_path / "ext" / "themes" / "default"
    theme.mkdir(parents=True)
    with pytest.raises(BuildError, match="theme"):
        check_output_dir(tmp_path / "ext", site, theme)
    with pytest.raises(BuildError, match="theme"):
        check_output_dir(tmp_path / "ext", site, theme, force=True)
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "a.jpg").write_bytes(b"x")
    with pytest.raises(BuildError, match="--force"):
        check_output_dir(foreign, site)
    check_output_dir(foreign, site, force=True)
    (foreign / MARKER).write_text("")
    check_output_dir(foreign, site)
    check_output_dir(tmp_path / "new", site)
    (tmp_path / "empty").mkdir()
    check_output_dir(tmp_path / "empty", site)


def test_a_failed_delete_is_retried_after_making_the_parent_writable(tmp_path, monkeypatch):
    final = tmp_path / "out"
    old_site(final)
    failed, real = [], os.unlink

    def unlink(path, *args, **kwargs):
        if not failed:
            failed.append(path)
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(output.os, "unlink", unlink)
    assert staged(final, "new").commit() == [] and failed
    assert leftovers(final) == []
