"""Keyboard only: the opt-in form can be found, completed and submitted without a mouse."""

from __future__ import annotations

import pytest

from e2e.e2e_helpers import UTM, Visitor, path_of, read_submissions

pytestmark = pytest.mark.browser

FOCUSED = "() => { const e = document.activeElement; return e ? (e.id || e.getAttribute('name') || e.tagName) : null; }"


def tab_to(page, target_id: str, limit: int = 80) -> list[str]:
    """Press Tab until `target_id` has focus; returns what got focus on the way."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        current = page.evaluate(FOCUSED)
        seen.append(current)
        if current == target_id:
            return seen
    raise AssertionError(f"{target_id} never got focus with Tab; focus went through {seen}")


@pytest.mark.parametrize("viewport", ["mobile", "desktop"])
def test_optin_form_with_the_keyboard_alone(open_context, preview, e2e_site, front_matter, viewport):
    _context, page, guard = open_context(viewport)
    v = Visitor(page, guard, preview.url, front_matter)
    v.enter("/optin/", UTM)
    v.at("/optin/", "optin.md")

    # the first Tab lands on the skip link, which takes focus straight to the content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip')")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"

    seen = tab_to(page, "fg-lead-name")
    assert "website" not in seen and "bot-field" not in seen  # the honeypot is out of the tab order
    # Enter on an empty form: nothing is sent, the error is announced next to the field, focus stays on it
    page.keyboard.press("Enter")
    assert path_of(page) == "/optin/"
    assert page.get_attribute("#fg-lead-name", "aria-invalid") == "true"
    assert page.locator("#fg-lead-name-error").inner_text().strip()
    assert page.evaluate(FOCUSED) == "fg-lead-name"

    email = f"keyboard.{viewport}@example.jp"
    page.keyboard.type("鍵盤 操作")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "fg-lead-email"
    page.keyboard.type(email)
    tab_to(page, "fg-lead-consent", limit=3)
    page.keyboard.press("Space")
    assert page.is_checked("#fg-lead-consent")
    # then on to the submit button (past the privacy link), which shows where focus is
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    assert page.evaluate("document.activeElement.closest('form[data-fg-form=lead]') !== null")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    v.at("/gift/", "gift.md")
    sent = [s for s in read_submissions(e2e_site) if s["fields"].get("email") == email]
    assert len(sent) == 1
    assert sent[0]["fields"]["name"] == "鍵盤 操作" and sent[0]["fields"]["consent"] == "yes"
    assert sent[0]["fields"]["utm_source"] == "newsletter"
    assert [e["event"] for e in v.layer()] == ["generate_lead"]
