from __future__ import annotations

import subprocess
import sys

from bs4 import BeautifulSoup
from click.testing import CliRunner

from funnelgen.cli import main


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and "funnelgen, version" in result.output


def test_build_reports_pages_and_success_urls(minimal_site, tmp_path):
    result = CliRunner().invoke(main, ["build", str(minimal_site), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "built 4 pages" in result.output
    assert "starter: https://shop.example.com/thanks/?fg_offer=starter&session_id={CHECKOUT_SESSION_ID}" in result.output


def test_default_output_is_dist_inside_the_site(minimal_site):
    assert CliRunner().invoke(main, ["build", str(minimal_site)]).exit_code == 0
    assert (minimal_site / "dist" / "optin" / "index.html").is_file()


def test_rebuild_replaces_output_whole(minimal_site, tmp_path):
    out = tmp_path / "out"
    CliRunner().invoke(main, ["build", str(minimal_site), "-o", str(out)])
    (out / "stale.html").write_text("old")
    assert CliRunner().invoke(main, ["build", str(minimal_site), "-o", str(out)]).exit_code == 0
    assert not (out / "stale.html").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_base_url_override(minimal_site, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(minimal_site), "-o", str(out), "--base-url",
                                       "https://deploy-preview-3--shop.netlify.app"])
    assert result.exit_code == 0, result.output
    doc = BeautifulSoup((out / "optin" / "index.html").read_text(), "html.parser")
    assert doc.find("link", rel="canonical")["href"] == "https://deploy-preview-3--shop.netlify.app/optin/"


def test_base_url_override_is_validated(minimal_site, tmp_path):
    result = CliRunner().invoke(main, ["build", str(minimal_site), "-o", str(tmp_path / "o"), "--base-url",
                                       "javascript:alert(1)"])
    assert result.exit_code == 1 and "unsafe" in result.output


def test_parallel_and_serial_builds_are_identical(tmp_path):
    import shutil

    from helpers import MINIMAL_CONFIG, write_site

    config = dict(MINIMAL_CONFIG)
    config["pages"] = [{"id": f"p{i}", "page": f"p{i}.md"} for i in range(60)]  # above the parallel threshold
    src = write_site(tmp_path / "site", config)
    for jobs in ("1", "2"):
        assert CliRunner().invoke(main, ["build", str(src), "-o", str(tmp_path / f"out{jobs}"), "-j", jobs]).exit_code == 0
    files1 = sorted(p.relative_to(tmp_path / "out1") for p in (tmp_path / "out1").rglob("*") if p.is_file())
    files2 = sorted(p.relative_to(tmp_path / "out2") for p in (tmp_path / "out2").rglob("*") if p.is_file())
    assert files1 == files2 and len(files1) > 60
    for rel in files1:
        assert (tmp_path / "out1" / rel).read_bytes() == (tmp_path / "out2" / rel).read_bytes()
    shutil.rmtree(tmp_path / "out2")


def test_no_traceback_from_the_real_command(tmp_path):
    (tmp_path / "site.yml").write_text("site: [\n")
    proc = subprocess.run([sys.executable, "-m", "funnelgen", "build", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "YAML syntax error" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_start_up_does_not_import_the_pipeline():
    code = ("import sys, funnelgen.cli; heavy = {'jinja2', 'markdown_it', 'yaml', 'watchdog', 'playwright'}; "
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_output_inside_a_source_folder_is_refused(minimal_site):
    for name in ("pages", "static", "templates", "pages/sub"):
        result = CliRunner().invoke(main, ["build", str(minimal_site), "-o", str(minimal_site / name)])
        assert result.exit_code == 1 and "refusing to use this folder" in result.output, name
    assert (minimal_site / "pages" / "optin.md").is_file()


def test_base_url_override_moves_pages_under_its_path(minimal_site, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(minimal_site), "-o", str(out), "--base-url",
                                       "https://example.github.io/preview/"])
    assert result.exit_code == 0, result.output
    doc = BeautifulSoup((out / "optin" / "index.html").read_text(), "html.parser")
    assert doc.find("form")["action"] == "/preview/gift/"


def test_strict_build_fails_on_warnings_and_keeps_old_output(minimal_site, tmp_path):
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(minimal_site), "-o", str(out)]).exit_code == 0
    cfg = (minimal_site / "site.yml").read_text()
    (minimal_site / "site.yml").write_text(cfg.replace("https://buy.stripe.com/abc123", "https://buy.stripe.com/test_abc123"))
    assert CliRunner().invoke(main, ["build", str(minimal_site), "-o", str(out)]).exit_code == 0  # a warning only
    result = CliRunner().invoke(main, ["build", str(minimal_site), "-o", str(out), "--strict"])
    assert result.exit_code == 1 and "test" in result.output
    assert (out / "optin" / "index.html").is_file()


def test_static_dotfiles_are_copied_and_a_site_headers_file_wins(minimal_site, tmp_path):
    static = minimal_site / "static"
    static.mkdir()
    (static / ".nojekyll").write_text("")
    (static / "_headers").write_text("/*\n  X-Custom: 1\n")
    (static / ".DS_Store").write_text("junk")
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(minimal_site), "-o", str(out)]).exit_code == 0
    assert (out / ".nojekyll").exists() and not (out / ".DS_Store").exists()
    assert "X-Custom" in (out / "_headers").read_text()


def test_exit_codes_problems_usage_internal_interrupt(minimal_site, tmp_path, monkeypatch):
    from funnelgen import build as build_module

    out = ["build", str(minimal_site), "-o", str(tmp_path / "out")]
    assert CliRunner().invoke(main, ["build", "--no-such-option"]).exit_code == 2  # click usage error

    def crash(*args, **kwargs):
        raise ZeroDivisionError("boom")
    monkeypatch.setattr(build_module, "_build", crash)
    result = CliRunner().invoke(main, out)
    assert result.exit_code == 3 and "internal error: ZeroDivisionError" in result.output

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(build_module, "_build", interrupt)
    result = CliRunner().invoke(main, out)
    assert result.exit_code == 130 and "interrupted" in result.output


def test_a_foreign_output_folder_needs_force(minimal_site, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "holiday.jpg").write_bytes(b"jpeg")
    result = CliRunner().invoke(main, ["build", str(minimal_site), "-o", str(photos)])
    assert result.exit_code == 1 and "--force" in result.output and (photos / "holiday.jpg").exists()
    result = CliRunner().invoke(main, ["build", str(minimal_site), "-o", str(photos), "--force"])
    assert result.exit_code == 0, result.output
    assert not (photos / "holiday.jpg").exists() and (photos / ".funnelgen-output").is_file()
    result = CliRunner().invoke(main, ["build", str(minimal_site), "-o", str(photos)])  # ours now
    assert result.exit_code == 0, result.output


def test_build_ends_with_the_warning_count_and_the_command_that_lists_them(minimal_site, tmp_path):
    """Warnings found by the checks (here a price without 税込 in the copy) do not stop the build, and the last
    warning line says how many there are and how to list them."""
    from funnelgen.check import check_source

    (minimal_site / "pages" / "starter.md").write_text("---\ntitle: 講座\n---\n\n今なら29,800円でご案内します。\n",
                                                        encoding="utf-8")
    expected = [p for p in check_source(minimal_site, preview=False) if p.severity == "warning"]
    result = CliRunner().invoke(main, ["build", str(minimal_site), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert any(p.rule == "jp.total-price" for p in expected)
    n = len(expected)
    assert f"{n} warning{'s' if n != 1 else ''}: run `funnelgen check {minimal_site}` to list them" in result.output
    assert "29,800円" in result.output  # and the warning itself is shown


def test_a_reader_that_goes_away_is_not_an_internal_error(tmp_path):
    """`funnelgen build | head -1`: the build is committed and the exit is 141 (SIGPIPE's), with no 'internal error'."""
    import subprocess
    import sys

    from helpers import copy_example

    src = copy_example(tmp_path / "site")
    proc = subprocess.Popen([sys.executable, "-m", "funnelgen", "build", str(src), "-o", str(tmp_path / "out")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # gone before the build prints anything
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, stderr
    assert "internal error" not in stderr and "Traceback" not in stderr
    assert (tmp_path / "out" / "optin" / "index.html").is_file()


def test_version_answers_before_the_commands_load():
    """The `funnelgen` script's --version is the click command's, without importing click."""
    import subprocess
    import sys

    from click.testing import CliRunner

    code = "import sys; sys.argv = ['funnelgen', '--version']; from funnelgen.__main__ import run; run(); " \
           "print('click' in sys.modules)"
    fast = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert fast == CliRunner().invoke(main, ["--version"]).output + "False\n"
