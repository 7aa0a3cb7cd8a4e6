"""The repository's promises: README commands, CI, netlify.toml, docs coverage, packaging."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 (requires-python >= 3.10): the same parser from PyPI
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    return [b.strip() for b in blocks[:2]]


def test_readme_opens_with_two_commands_and_ci_runs_the_second():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = text.index("```sh")
    assert text[:first_block].strip().startswith("# funnelgen")
    run, tests = readme_commands()
    assert "funnelgen build site_src" in run
    assert "pytest" in tests and "chromium" in tests
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_japanese_readme_has_the_same_commands():
    ja = (ROOT / "README.ja.md").read_text(encoding="utf-8")
    for command in readme_commands():
        assert command in ja


def test_netlify_toml_builds_the_example_into_the_publish_folder():
    config = tomllib.loads((ROOT / "netlify.toml").read_text(encoding="utf-8"))
    build = config["build"]
    assert "funnelgen build site_src" in build["command"] and "-o " + build["publish"] in build["command"]
    assert re.fullmatch(r"3\.\d+", build["environment"]["PYTHON_VERSION"])


def schema_keys(spec, seen=None) -> set[str]:
    from funnelgen.schema import ListOf, MapOf, OneOf, Struct

    seen = set() if seen is None else seen
    if isinstance(spec, Struct):
        for name, field in spec.fields.items():
            seen.add(name)
            schema_keys(field.spec, seen)
    elif isinstance(spec, (ListOf, MapOf)):
        schema_keys(spec.item, seen)
    elif isinstance(spec, OneOf):
        schema_keys(spec.struct, seen)
    return seen


def test_format_reference_documents_every_key():
    from funnelgen.config import ROOT as SCHEMA
    from funnelgen.pages import FRONT_MATTER

    doc = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    missing = sorted(k for k in schema_keys(SCHEMA) | schema_keys(FRONT_MATTER) if f"`{k}:`" not in doc)
    assert missing == []


@pytest.mark.slow
def test_wheel_ships_themes_and_runtime(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("funnelgen-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "funnelgen/themes/default/templates/base.html" in names
    assert "funnelgen/themes/default/assets/style.css" in names
    assert "funnelgen/runtime/funnel.js" in names
    # `funnelgen new` copies its starters from the package: every starter in both languages, binaries too
    for starter in ("course", "trial", "webinar", "local"):
        for lang in ("ja", "en"):
            assert f"funnelgen/starters/{starter}/{lang}/site.yml" in names
    assert "funnelgen/starters/course/ja/static/files/guide.pdf" in names
    assert "funnelgen/starters/_common/ja/gitignore" in names and "funnelgen/starters/_common/en/netlify.toml" in names
