"""Escaping for the places user data meets code: JSON inside an inline <script>."""

from __future__ import annotations

import json


def script_json(value) -> str:
    """JSON for an inline <script>: `<`, `>` and `&` escaped so nothing closes the tag, and the two line
    separators JavaScript treats as newlines escaped too."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
