"""End-to-end fixtures: the example site behind the preview server, in Debian's Chromium.

- one browser for the whole folder (pytest-playwright's `browser`, launched with
  the binary funnelgen.browser picks: $FUNNELGEN_CHROMIUM or /usr/bin/chromium);
- one preview server for the folder on a private copy of site_src (form
  posts land in the copy's .funnelgen/submissions.jsonl, never the repo's);
- a fresh, guarded browser context per test: vendor scripts are answered with
  an empty script, every other request that is not to 127.0.0.1 is aborted
  and fails the test; tracking calls are recorded across navigations.

Run alone with `python -m pytest -m browser`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from helpers import copy_example

from e2e.e2e_helpers import guarded_context
from funnelgen.browser import ENV_VAR

E2E_DIR = Path(__file__).parent
MOBILE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
VIEWPORTS = {"mobile": MOBILE, "desktop": DESKTOP}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches this (its --headed/--slowmo options still apply)."""
    from funnelgen.browser import CHROMIUM_ARGS, BrowserError, find_chromium, launch_args

    try:
        choice = find_chromium(bundled=False)
    except BrowserError:
        if os.environ.get(ENV_VAR):
            raise  # a wrong $FUNNELGEN_CHROMIUM must not be papered over
        # Playwright's own Chromium, when `playwright install chromium` was run (launch says so if not)
        return {**browser_type_launch_args, "args": list(CHROMIUM_ARGS)}
    args = launch_args(choice, headless=browser_type_launch_args.get("headless", True))
    return {**browser_type_launch_args, **args}


# pytest-playwright's playwright/browser fixtures live for the whole session; here they live for this folder
# only, so that other browser tests that start their own sync_playwright() (one per thread at a time) can
# run after this folder is done. Everything else of pytest-playwright (options, page/context) still applies.
@pytest.fixture(scope="package")
def playwright():
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    yield pw
    pw.stop()


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def browser(browser_type, browser_type_launch_args):
    b = browser_type.launch(**browser_type_launch_args)
    yield b
    b.close()


# -- the site under test ----------------------------------------------------------------------
@pytest.fixture(scope="package")
def e2e_site(tmp_path_factory) -> Path:
    return copy_example(tmp_path_factory.mktemp("e2e") / "site")


@pytest.fixture(scope="package")
def preview(e2e_site):
    from funnelgen.serve import Preview

    p = Preview(e2e_site, port=0, debounce=0.01)
    outcome = p.start()
    assert outcome.ok, [x.format() for x in outcome.problems]
    yield p
    p.close()


@pytest.fixture(scope="package")
def front_matter(e2e_site) -> dict[str, dict]:
    """Page file name -> front matter, read straight from the Markdown (the headline the page must show)."""
    out = {}
    for path in (e2e_site / "pages").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        out[path.name] = yaml.safe_load(text.split("---", 2)[1])
    return out


# -- guarded contexts ---------------------------------------------------------------------------
@pytest.fixture
def open_context(browser, preview):
    """open_context("mobile") -> (context, page, guard); closed after the test, which must have stayed clean."""
    opened = []

    def make(viewport: str = "mobile"):
        context, page, guard = guarded_context(browser, preview.url, **VIEWPORTS[viewport], locale="ja-JP",
                                               service_workers="block")
        opened.append((context, guard))
        return context, page, guard

    yield make
    for context, guard in opened:
        context.close()
        assert guard.outside == [], f"requests left 127.0.0.1: {guard.outside}"

