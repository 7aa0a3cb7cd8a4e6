"""`funnelgen build` with nothing changed since the last build (funnelgen/unchanged.py): the last result is
reported without loading the site, and any change to what the build read or wrote means a real build."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from helpers import MINIMAL_CONFIG, copy_example, same_tree, write_site

from funnelgen import build as build_module
from funnelgen.cli import main


def cli_build(*args: str):
    return CliRunner().invoke(main, ["build", *args], catch_exceptions=False)


@pytest.fixture
def example(tmp_path):
    src = copy_example(tmp_path / "site")
    first = cli_build(str(src))
    assert first.exit_code == 0, first.output
    return src


def count_builds(monkeypatch) -> list:
    """Every real build from now on (the site loaded, the cache consulted page by page) appends to the list."""
    called, real = [], build_module.build
    monkeypatch.setattr(build_module, "build", lambda *a, **k: called.append(1) or real(*a, **k))
    return called


def test_nothing_changed_reports_the_last_result_without_building(example, monkeypatch, tmp_path):
    before = cli_build(str(example))  # a real build again: its output is what a replay must repeat
    builds = count_builds(monkeypatch)
    again = cli_build(str(example))
    assert again.exit_code == 0 and builds == []
    assert "built 8 pages into" in again.output and "(nothing changed since the last build)" in again.output
    tail = lambda text: text[text.index("after-payment"):]  # noqa: E731 - the URLs to paste, the same
    assert tail(again.output) == tail(before.output)
    assert "upsell/?fg_offer=starter&session_id={CHECKOUT_SESSION_ID}" in again.output


@pytest.mark.parametrize("change", ["touch a page", "edit the output", "add to the output", "other base url",
                                    "delete the saved URLs", "a symbolic link"])
def test_any_change_means_a_real_build(example, monkeypatch, change, tmp_path):
    args = [str(example)]
    page = example / "pages" / "gift.md"
    if change == "touch a page":
        os.utime(page, ns=(page.stat().st_atime_ns, page.stat().st_mtime_ns + 1000))
    elif change == "edit the output":
        target = example / "dist" / "gift" / "index.html"
        target.write_text(target.read_text(encoding="utf-8") + "<!-- x -->", encoding="utf-8")
    elif change == "add to the output":
        (example / "dist" / "extra.html").write_text("x", encoding="utf-8")
    elif change == "other base url":
        args += ["--base-url", "https://preview.example.com/"]
    elif change == "delete the saved URLs":
        (example / ".funnelgen" / "success-urls.txt").unlink()
    elif change == "a symbolic link":
        (example / "static" / "link.txt").symlink_to(tmp_path / "outside.txt")
        (tmp_path / "outside.txt").write_text("x", encoding="utf-8")
    called = count_builds(monkeypatch)
    result = cli_build(*args)
    assert called, f"{change}: the last result was replayed"
    if change in ("edit the output", "add to the output", "delete the saved URLs"):
        assert result.exit_code == 0 and "(nothing changed" not in result.output
        fresh = tmp_path / "fresh"
        assert cli_build(str(example), "-o", str(fresh), "--no-cache").exit_code == 0
        same_tree(example / "dist", fresh)  # the real build repaired the output
        assert (example / ".funnelgen" / "success-urls.txt").is_file()


def test_a_failed_build_is_never_skipped_over(example, monkeypatch):
    config = example / "site.yml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good + "\nnot: [valid\n", encoding="utf-8")
    assert cli_build(str(example)).exit_code == 1
    config.write_text(good, encoding="utf-8")  # back as it was (another change time): a real build
    called = count_builds(monkeypatch)
    assert cli_build(str(example)).exit_code == 0 and called


def test_a_site_whose_page_reads_the_clock_always_builds(tmp_path, monkeypatch):
    page = '---\ntitle: 講座\n---\n\n::: countdown ends_at="2099-12-31 23:59"\n:::\n\n本文\n'
    src = write_site(tmp_path / "site", MINIMAL_CONFIG, {"starter.md": page})
    assert cli_build(str(src)).exit_code == 0
    assert cli_build(str(src)).exit_code == 0
    assert not list((src / ".funnelgen").glob("last-build*"))  # a deadline may pass between two builds
    called = count_builds(monkeypatch)
    assert cli_build(str(src)).exit_code == 0 and called


def test_no_cache_always_builds_and_another_output_folder_keeps_its_own_record(example, monkeypatch, tmp_path):
    called = count_builds(monkeypatch)
    assert cli_build(str(example), "--no-cache").exit_code == 0 and called == [1]
    assert cli_build(str(example)).exit_code == 0 and called == [1, 1]  # the --no-cache build wrote the output
    assert cli_build(str(example), "-o", str(tmp_path / "other"), "--no-cache").exit_code == 0
    assert "(nothing changed" in cli_build(str(example)).output and called == [1, 1, 1]


def test_warnings_are_reported_again(tmp_path, monkeypatch):
    """The replayed result carries the same warnings and the same hint to list them."""
    page = "---\ntitle: 講座\n---\n\n価格は【要記入】円です。\n"  # a site-wide check warns about it
    src = write_site(tmp_path / "site", MINIMAL_CONFIG, {"starter.md": page})
    cli_build(str(src))
    second = cli_build(str(src))
    builds = count_builds(monkeypatch)
    third = cli_build(str(src))
    assert second.exit_code == third.exit_code == 0 and builds == []
    warned = lambda text: [line for line in text.splitlines() if not line.startswith("built ")]  # noqa: E731 - no time
    assert warned(third.output) == warned(second.output)
    assert any("要記入" in w for w in warned(third.output)) and any("funnelgen check" in w for w in warned(third.output))


def test_server_functions_the_build_writes_into_the_site_folder_do_not_count_as_edits(tmp_path, monkeypatch):
    """tracking.server_events writes the host function inside the site folder; a build that writes the same text
    leaves the file alone, so the next build still finds nothing changed."""
    import copy

    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["tracking"] = {"ga4": "G-K7T2Q9X4LM", "server_events": "netlify", "browser_purchase": False}
    src = write_site(tmp_path / "site", cfg)
    assert cli_build(str(src)).exit_code == 0
    entry = src / "netlify" / "functions" / "fg-stripe-webhook" / "fg-stripe-webhook.mjs"
    stamp = entry.stat().st_mtime_ns
    (src / "pages" / "optin.md").touch()  # a real build, which writes the functions again
    assert cli_build(str(src)).exit_code == 0
    assert entry.stat().st_mtime_ns == stamp
    builds = count_builds(monkeypatch)
    assert "(nothing changed" in cli_build(str(src)).output and builds == []


def test_a_file_that_vanishes_while_walked_means_no_record_and_no_crash(example, monkeypatch):
    """An editor's temporary file can disappear between listing a folder and reading its size."""
    import funnelgen.unchanged as unchanged_module

    (example / "pages" / ".gift.md.swp").write_text("x", encoding="utf-8")
    real = os.scandir

    class Vanishing:
        def __init__(self, entry):
            self._entry = entry

        def __getattr__(self, name):
            return getattr(self._entry, name)

        def stat(self, *a, **k):
            if self._entry.name.endswith(".swp"):
                raise FileNotFoundError(self._entry.path)
            return self._entry.stat(*a, **k)

    class Listing:
        def __init__(self, path):
            self._it = real(path)

        def __enter__(self):
            return self

        def __iter__(self):
            return (Vanishing(e) for e in self._it)

        def __exit__(self, *exc):
            self._it.close()

    import types

    only_here = types.SimpleNamespace(**{k: getattr(os, k) for k in dir(os) if not k.startswith("__")})
    only_here.scandir = Listing  # the walks of unchanged.py see it vanish; the build itself does not
    monkeypatch.setattr(unchanged_module, "os", only_here)
    result = cli_build(str(example))
    assert result.exit_code == 0 and "(nothing changed" not in result.output
    assert not list((example / ".funnelgen").glob("last-build*"))
