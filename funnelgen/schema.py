"""A small declarative schema for YAML data, with errors people can act on.

Why hand-written instead of jsonschema or pydantic: we need the YAML line of
every key, a did-you-mean for unknown keys, and wording a marketer understands
("expected a number, got 'abc'") rather than Python type names. It is small
and imports nothing heavy, which keeps start-up fast.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import Problem, did_you_mean
from .yamlsource import LineDict, LineList


@dataclass
class Context:
    """Where we are (file) and what went wrong so far."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def error(self, path: str, line: int | None, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.file, message, key=path, line=line, hint=hint))


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


class Spec:
    """Base: `check` returns the cleaned value, or None after recording a problem."""

    kind = "a value"
    example = ""

    def check(self, value: Any, path: str, line: int | None, ctx: Context) -> Any:
        raise NotImplementedError

    def _bad(self, value, path, line, ctx, extra: str = "") -> None:
        hint = f"Write it like: {path.rsplit('.', 1)[-1]}: {self.example}" if self.example else ""
        ctx.error(path, line, f"expected {self.kind}, got {_describe(value)}{extra}", hint)
        return None


class Str(Spec):
    kind = "text"

    def __init__(self, pattern: str | None = None, example: str = "", message: str = "",
                 choices: tuple[str, ...] | None = None):
        self.pattern = re.compile(pattern) if pattern else None
        self.example = example
        self.message = message
        self.choices = choices

    def check(self, value, path, line, ctx):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not self.pattern and not self.choices:
            value = str(value)
        if not isinstance(value, str):
            return self._bad(value, path, line, ctx)
        value = value.strip()
        if self.choices is not None and value not in self.choices:
            ctx.error(path, line, f"'{value}' is not one of: {', '.join(self.choices)}.{did_you_mean(value, self.choices)}",
                      f"Use one of: {', '.join(self.choices)}.")
            return None
        if self.pattern and not self.pattern.fullmatch(value):
            ctx.error(path, line, f"'{value}' {self.message or 'has the wrong format'}",
                      f"Write it like: {self.example}" if self.example else "")
            return None
        if not value:
            ctx.error(path, line, "is empty", "Give it a value or remove the key.")
            return None
        return value


MAXIMUM = 10_000_000_000  # larger numbers are typos (or a 400-digit paste), not prices or counts


class Number(Spec):
    kind = "a number"

    def __init__(self, minimum: float | None = 0, integer: bool = False, example: str = "1980",
                 maximum: float = MAXIMUM):
        self.minimum = minimum
        self.maximum = maximum
        self.integer = integer
        self.example = example
        if integer:
            self.kind = "a whole number"

    def check(self, value, path, line, ctx):
        if isinstance(value, str):
            cleaned = value.replace(",", "").replace("_", "").strip()
            if len(cleaned) > 40:
                return self._too_large(path, line, ctx)
            try:
                value = int(cleaned) if cleaned.lstrip("-").isdigit() else float(cleaned)
            except ValueError:
                return self._bad(value, path, line, ctx, " (write digits only, no currency sign)")
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
            return self._too_large(path, line, ctx)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return self._bad(value, path, line, ctx)
        if abs(value) > self.maximum:
            return self._too_large(path, line, ctx)
        if self.integer and value != int(value):
            return self._bad(value, path, line, ctx)
        if self.minimum is not None and value < self.minimum:
            ctx.error(path, line, f"must be at least {self.minimum}, got {value}")
            return None
        return value


    def _too_large(self, path, line, ctx) -> None:
        ctx.error(path, line, f"is too large (at most {self.maximum:,})",
                  f"Write it like: {path.rsplit('.', 1)[-1]}: {self.example}")
        return None


class Bool(Spec):
    kind = "true or false"
    example = "true"

    def check(self, value, path, line, ctx):
        if not isinstance(value, bool):
            return self._bad(value, path, line, ctx)
        return value


class Url(Str):
    """An absolute http(s) URL; `javascript:` and friends are refused."""

    kind = "a URL"

    def __init__(self, example: str = "https://example.com/", allow_relative: bool = False):
        super().__init__(example=example)
        self.allow_relative = allow_relative

    def check(self, value, path, line, ctx):
        value = super().check(value, path, line, ctx)
        if value is None:
            return None
        from .urls import unsafe_url_reason

        reason = unsafe_url_reason(value, allow_relative=self.allow_relative)
        if reason:
            ctx.error(path, line, f"'{value}' {reason}", f"Use a full https:// address, e.g. {self.example}")
            return None
        return value


class ListOf(Spec):
    kind = "a list"

    def __init__(self, item: Spec, example: str = "[a, b]"):
        self.item = item
        self.example = example

    def check(self, value, path, line, ctx):
        if not isinstance(value, list):
            return self._bad(value, path, line, ctx)
        if not value:
            ctx.error(path, line, "is an empty list", "Add at least one entry or remove the key.")
            return None
        out = LineList()
        out.line = getattr(value, "line", line)
        out.lines = []
        lines = getattr(value, "lines", [line] * len(value))
        for i, item in enumerate(value):
            cleaned = self.item.check(item, f"{path}[{i}]", lines[i], ctx)
            if cleaned is not None:
                out.append(cleaned)
                out.lines.append(lines[i])
        return out


class MapOf(Spec):
    """A mapping of user-chosen ids (offers, forms, funnels) to one spec."""

    kind = "a mapping"

    def __init__(self, item: Spec, key_pattern: str = r"[a-z0-9][a-z0-9_-]*", example: str = "{id: ...}"):
        self.item = item
        self.key_re = re.compile(key_pattern)
        self.example = example

    def check(self, value, path, line, ctx):
        if not isinstance(value, dict):
            return self._bad(value, path, line, ctx)
        out = LineDict()
        out.line = getattr(value, "line", line)
        out.lines = {}
        lines = getattr(value, "lines", {})
        for key, item in value.items():
            kline = lines.get(key, line)
            if not isinstance(key, str) or not self.key_re.fullmatch(key):
                ctx.error(f"{path}.{key}", kline, f"'{key}' is not a valid id",
                          "Use lower-case letters, digits, '-' and '_', starting with a letter or digit.")
                continue
            cleaned = self.item.check(item, f"{path}.{key}", kline, ctx)
            if cleaned is not None:
                out[key] = cleaned
                out.lines[key] = kline
        return out


@dataclass
class Field:
    spec: Spec
    required: bool = False
    default: Any = None
    doc: str = ""


class Struct(Spec):
    """A mapping with known keys; unknown keys are errors with a did-you-mean."""

    kind = "a mapping"

    def __init__(self, fields: dict[str, Field], example: str = "", after: Callable | None = None):
        self.fields = fields
        self.example = example
        self.after = after  # cross-field checks: after(cleaned, path, ctx)

    def check(self, value, path, line, ctx):
        if not isinstance(value, dict):
            return self._bad(value, path, line, ctx)
        lines = getattr(value, "lines", {})
        own_line = getattr(value, "line", line)
        out = LineDict()
        out.line = own_line
        out.lines = {}
        for key in value:
            if key not in self.fields:
                ctx.error(f"{path}.{key}" if path else str(key), lines.get(key, own_line),
                          f"unknown key '{key}'.{did_you_mean(key, self.fields)}",
                          f"Known keys here: {', '.join(self.fields)}.")
        for name, f in self.fields.items():
            sub = f"{path}.{name}" if path else name
            if name in value and value[name] is not None:
                cleaned = f.spec.check(value[name], sub, lines.get(name, own_line), ctx)
                out[name] = cleaned
                out.lines[name] = lines.get(name, own_line)
            elif f.required:
                ctx.error(sub, own_line, f"required key '{name}' is missing",
                          f"Add `{name}: {f.spec.example}`" + (f" ({f.doc})" if f.doc else "") + ".")
                out[name] = None
            else:
                out[name] = f.default() if callable(f.default) else f.default
        if self.after:
            self.after(out, path, ctx)
        return out


class OneOf(Spec):
    """Try plain text first, then a struct (e.g. form fields: `email` or `{name: email, ...}`)."""

    def __init__(self, text: Spec, struct: Struct):
        self.text, self.struct = text, struct
        self.kind = "text or a mapping"

    def check(self, value, path, line, ctx):
        if isinstance(value, str):
            return self.text.check(value, path, line, ctx)
        return self.struct.check(value, path, line, ctx)
