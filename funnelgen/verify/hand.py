"""The visitor's eyes and hand: what verify reads on a page and how it clicks and types, in as few round trips
to the browser as it can.

Each Playwright locator call is a round trip to its driver and into the page, and the first one on every new
document builds Playwright's injected script; a locator click also waits two animation frames for the element
to be stable. On the example site those calls cost about as much as the page loads themselves
(docs/verify.md, "Where verify's time goes"). So verify reads what it needs in one `evaluate` per page
(`LOOK_JS`), finds what it will act on in one more, and clicks as a visitor does: the element is scrolled to
the middle of the screen (a sticky bar at the bottom cannot cover it), must be visible, enabled and the
topmost element at its centre (what `document.elementFromPoint` returns, or something inside it or its label),
and is then clicked with real mouse events at that point (`page.mouse`, trusted input like a person's). Text
goes in with `keyboard.insert_text` (the input events a person's typing or an IME commit fires, the same call
Playwright's own `fill` makes); dates and selects get their value set and `input`/`change` fired, as
Playwright's `fill` and `select_option` do.
"""

from __future__ import annotations

import asyncio
import json

from .recorder import DOC, READ_EXPR

# On arrival: the first h1 (visible as Playwright's `is_visible` decides: rendered, visibility visible, a
# non-empty box; and its text), the recorder's document id, whether funnel.js ran, the recorded calls so far
# and the return parameters the page's head took off the address bar.
# Visible as Playwright's `is_visible` decides: rendered, visibility visible, a non-empty box (one definition for
# every script below).
VISIBLE = """const visible = el => {
    const box = el.getBoundingClientRect();
    return (!el.checkVisibility || el.checkVisibility()) && getComputedStyle(el).visibility === 'visible'
      && box.width > 0 && box.height > 0;
  };"""

LOOK_JS = f"""() => {{
  {VISIBLE}
  const h = document.querySelector('h1');
  const shown = !!h && visible(h);
  const records = {READ_EXPR};
  return {{visible: shown, text: shown ? h.innerText : '', doc: window.{DOC} || null,
           runtime: typeof window.funnelgen === 'object', records, returned: window.__fgReturn || {{}}}};
}}"""

# The first of `selectors` that matches inside `scope` (a CSS selector, or the document): which, its text, whether
# it is visible and ticked; focused when asked (as tabbing to it would).
FIND_JS = f"""([scope, selectors, focus]) => {{
  {VISIBLE}
  const root = scope ? document.querySelector(scope) : document;
  if (!root) return null;
  for (const css of selectors) {{
    const el = root.querySelector(css);
    if (!el) continue;
    if (focus) el.focus();
    return {{css, text: (el.innerText || el.value || '').trim(), visible: visible(el), checked: !!el.checked}};
  }}
  return null;
}}"""

# Scroll the element to the middle of the screen and say where a visitor would click it, or why they cannot.
AIM_JS = """([scope, css]) => {
  VISIBLE
  const root = scope ? document.querySelector(scope) : document;
  const el = root && root.querySelector(css);
  if (!el) return {problem: 'is not on the page'};
  el.scrollIntoView({block: 'center', inline: 'nearest', behavior: 'instant'});
  if (!visible(el)) return {problem: 'is not visible'};
  const box = el.getBoundingClientRect();
  if (el.disabled || el.closest('fieldset[disabled]')) return {problem: 'is disabled'};
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  const hit = document.elementFromPoint(x, y);
  const mine = hit && (hit === el || el.contains(hit)
    || Array.from(el.labels || []).some(label => label === hit || label.contains(hit)));
  if (!mine) {
    const what = hit ? hit.tagName.toLowerCase() + (hit.id ? '#' + hit.id : '')
      + (hit.className && typeof hit.className === 'string' ? '.' + hit.className.trim().split(/\\s+/).join('.') : '')
      : 'nothing';
    return {problem: 'is covered by ' + what};
  }
  return {x, y};
}""".replace("VISIBLE", VISIBLE)

# Put the caret in an emptied text field (what is typed then replaces what was there), or set the value of a
# field a person does not type into (date, time, select, range) and fire input and change.
FIELD_JS = """([scope, css, value, how]) => {
  const root = scope ? document.querySelector(scope) : document;
  const el = root && root.querySelector(css);
  if (!el) return 'is not on the page';
  if (el.disabled || el.readOnly) return 'is not editable';
  el.scrollIntoView({block: 'center', inline: 'nearest', behavior: 'instant'});
  el.focus();
  if (how === 'type') {  // what the page put there (a remembered e-mail) is replaced, as select-all and typing would
    el.value = '';
    return '';
  }
  if (how === 'select') {
    const option = Array.from(el.options).find(o => o.label === value || o.text.trim() === value);
    if (!option) return 'has no option ' + JSON.stringify(value);
    option.selected = true;
  } else {
    el.value = value;
    if (el.value !== value) return 'does not take the value ' + JSON.stringify(value);
  }
  el.dispatchEvent(new Event('input', {bubbles: true}));
  el.dispatchEvent(new Event('change', {bubbles: true}));
  return '';
}"""
SET_TYPES = frozenset({"date", "datetime", "datetime-local", "time", "month", "week", "color", "range"})

RETRY = 0.1  # seconds between aims while something covers the element (a toast, a banner sliding away)


class CannotClick(Exception):
    """The element is missing, hidden, disabled or covered: the message says which."""


async def look(page) -> dict:
    """What the walker reads on every page, in one round trip (LOOK_JS); {} on an error page or one going away."""
    try:
        return await page.evaluate(LOOK_JS) or {}
    except Exception:  # noqa: BLE001
        return {}


async def find(page, selectors: list[str], scope: str = "", focus: bool = False) -> dict | None:
    try:
        return await page.evaluate(FIND_JS, [scope, selectors, focus])
    except Exception:  # noqa: BLE001 - a page going away has nothing to find
        return None


async def aim(page, css: str, scope: str = "", patience: float = 1.0) -> tuple[float, float]:
    """Where to click the element; retried for `patience` seconds while it is covered or not yet visible."""
    waited = 0.0
    while True:
        got = await page.evaluate(AIM_JS, [scope, css])
        if "problem" not in got:
            return got["x"], got["y"]
        if got["problem"] == "is not on the page" or waited >= patience:
            raise CannotClick(got["problem"])
        await asyncio.sleep(RETRY)
        waited += RETRY


async def click(page, css: str, scope: str = "") -> None:
    x, y = await aim(page, css, scope)
    await page.mouse.click(x, y)


async def fill(page, css: str, value: str, field_type: str, scope: str = "") -> str:
    """Enter `value` as a visitor would; '' when done, else what is wrong with the field."""
    how = "select" if field_type == "select" else ("set" if field_type in SET_TYPES else "type")
    problem = await page.evaluate(FIELD_JS, [scope, css, value, how])
    if not problem and how == "type":
        await page.keyboard.insert_text(value)
    return problem


def attr(name: str, value: str) -> str:
    """A CSS attribute selector with `value` quoted (names and ids may hold any character)."""
    return f"[{name}={json.dumps(value)}]"
