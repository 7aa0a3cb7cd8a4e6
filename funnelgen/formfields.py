"""One form field as the theme draws it: HTML type, keyboard, autofill, and its own error messages.

Browsers show their own validation bubbles in the browser's UI language ("Please fill out this field." on
an English Windows, whatever the page's language) and name no field. The runtime (funnel.js) switches that
off (`novalidate`) and shows the messages computed here instead: in the page's language, naming the field
(「メールアドレスを入力してください」), next to it. Every text-entry field gets `inputmode` and
`autocomplete` so phones open the right keyboard and autofill works (HTML Standard, "Autofill" and
"Input modalities: the inputmode attribute").
"""

from __future__ import annotations

# field type -> (HTML input type, inputmode, default autocomplete)
TYPES = {
    "text": ("text", "text", "on"),
    "email": ("email", "email", "email"),
    "tel": ("tel", "tel", "tel"),
    "url": ("url", "url", "url"),
    "number": ("text", "numeric", "off"),  # type=number drops what it cannot parse (「１２」); we normalise first
    "textarea": ("textarea", "text", "on"),
    "select": ("select", None, "off"),
    "checkbox": ("checkbox", None, "off"),
    "date": ("date", None, "off"),
    "datetime": ("datetime-local", None, "off"),
}
# Full-width input typed with a Japanese IME is normalised (NFKC) before validation and submission.
NORMALISED = {"email", "tel", "url", "number"}
# Checked after normalising (the HTML `pattern` attribute; the v-flag syntax of current browsers)
PATTERNS = {"email": r"[^@\s]+@[^@\s]+\.[^@\s]+", "tel": r"\+?[0-9\(\)\- ]{9,}", "number": r"-?[0-9]+(\.[0-9]+)?"}
DEFAULT_MIN_DAYS, DEFAULT_MAX_DAYS = 0, 365


def field_view(field, wire_name: str, form_id: str, t: dict) -> dict:
    """What partials/form.html needs for one field."""
    html_type, inputmode, autocomplete = TYPES.get(field.type, TYPES["text"])
    label = field.label
    if field.type == "select":
        required = t["err_select"]
    elif field.type == "checkbox":
        required = t["err_check"]
    else:
        required = t["err_required"]
    # Only these types can be filled in and still be wrong; the others are either empty or fine.
    invalid = {"email": t["err_email"], "tel": t["err_tel"], "url": t["err_url"], "number": t["err_number"],
               "date": t["err_date"], "datetime": t["err_date"]}.get(field.type, "")
    view = {
        "name": wire_name, "id": f"fg-{form_id}-{field.name}", "label": label, "type": field.type,
        "html_type": html_type, "required": field.required, "placeholder": field.placeholder,
        "options": field.options, "autocomplete": field.autocomplete or autocomplete,
        "inputmode": field.inputmode or inputmode, "normalise": field.type in NORMALISED,
        "pattern": PATTERNS.get(field.type),
        "msg_required": required.format(label=label), "msg_invalid": invalid.format(label=label, min="{min}",
                                                                                      max="{max}"),
        "min_days": None, "max_days": None,
    }
    if field.type in ("date", "datetime"):
        view["min_days"] = DEFAULT_MIN_DAYS if field.min_days is None else field.min_days
        view["max_days"] = DEFAULT_MAX_DAYS if field.max_days is None else field.max_days
    return view
