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


def undocumented_keys(doc: Path) -> list[str]:
    from funnelgen.config import ROOT as SCHEMA
    from funnelgen.pages import FRONT_MATTER

    text = doc.read_text(encoding="utf-8")
    return sorted(k for k in schema_keys(SCHEMA) | schema_keys(FRONT_MATTER) if f"`{k}:`" not in text)


def test_format_reference_documents_every_key():
    assert undocumented_keys(ROOT / "docs" / "format.md") == []


def test_japanese_format_reference_documents_every_key():
    """docs/ja/format.md keeps the keys in English (as they are written in site.yml), explained in Japanese."""
    missing = undocumented_keys(ROOT / "docs" / "ja" / "format.md")
    assert missing == [], f"document {missing} in docs/ja/format.md too (Japanese, same place as in docs/format.md)"


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


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation (Japanese brackets too) dropped, spaces to '-'."""
    text = re.sub(r"`|\*\*", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def test_japanese_docs_links_and_pictures_resolve():
    """docs/ja and the READMEs link to files and headings that exist (the Japanese docs link the English ones)."""
    pages = [ROOT / "README.md", ROOT / "README.ja.md", *sorted((ROOT / "docs" / "ja").glob("*.md"))]
    assert {p.name for p in pages} >= {"README.md", "tutorial.md", "format.md"}
    broken = []
    for page in pages:
        text = re.sub(r"```.*?```|`[^`\n]*`", "", page.read_text(encoding="utf-8"), flags=re.S)  # code is not a link
        targets = re.findall(r"\]\(([^)\s]+)\)", text) + re.findall(r'src="([^"]+)"', text)
        for target in targets:
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and file.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", re.sub(r"```.*?```", "", file.read_text(encoding="utf-8"),
                                                           flags=re.S), re.M)
                if anchor not in {github_anchor(h) for h in headings}:
                    broken.append(f"{page.name}: {target}")
    assert broken == []
