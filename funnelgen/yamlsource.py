"""YAML loading that remembers line numbers and refuses duplicate keys.

PyYAML silently keeps the last of two equal keys, which hides real mistakes
(two offers called `starter`). Mappings come back as `LineDict`, lists as
`LineList`, each knowing the line of every entry so later stages can point
at the exact spot.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .errors import BuildError, Problem, rel

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):
    """A dict with `.line` (its own line) and `.lines[key]` (each key's line)."""

    line: int | None = None
    lines: dict


class LineList(list):
    """A list with `.line` and `.lines[index]`."""

    line: int | None = None
    lines: list


class _DuplicateKey(Exception):
    def __init__(self, key, line, first_line):
        self.key, self.line, self.first_line = key, line, first_line


class _BadKey(Exception):
    def __init__(self, line, text=None):
        self.line, self.text = line, text


class _RunawayQuote(Exception):
    def __init__(self, line):
        self.line = line


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_KEY_LINE = re.compile(r"\n[ \t]*[\w-]+:[ \t\n]")


class _Loader(_Base):  # type: ignore[misc, valid-type]
    pass


def _construct_mapping(loader, node):
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    explicit = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE_TAG)
    loader.flatten_mapping(node)
    merged = len(node.value) - explicit  # `<<:` entries come first; explicit keys override them (YAML 1.1)
    from_merge = set()
    for i, (key_node, value_node) in enumerate(node.value):
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise _BadKey(line)
        if key_node.tag != _STR_TAG:  # 1, true, null, 2026-01-01: 1 and true would even be one key
            raise _BadKey(line, key_node.value)
        key = loader.construct_object(key_node, deep=True)
        if key in result.lines and key not in from_merge:
            if i >= merged:
                raise _DuplicateKey(key, line, result.lines[key])
            continue  # two merged mappings: the first listed wins
        from_merge.discard(key)
        if i < merged:
            from_merge.add(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


def _construct_str(loader, node):
    """A quoted value running over lines that look like `key:` is an unclosed quote, not a long text."""
    if node.style in ('"', "'") and node.end_mark.line > node.start_mark.line:
        raw = getattr(loader, "source_text", "")[node.start_mark.index:node.end_mark.index]
        if _KEY_LINE.search(raw):
            raise _RunawayQuote(node.start_mark.line + 1)
    return loader.construct_scalar(node)


def _construct_sequence(loader, node):
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor(_STR_TAG, _construct_str)
# Dates stay strings: a deadline's time zone matters and YAML's date parsing drops it.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in _Base.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str, file: Path | str, line_offset: int = 0):
    """Parse YAML text; raise BuildError naming file and line on any problem."""
    name = rel(file)
    try:
        loader = _Loader(text)  # a safe loader subclass
        loader.source_text = text
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except _DuplicateKey as exc:
        raise BuildError([Problem(
            name, f"duplicate key '{exc.key}' (first defined on line {exc.first_line + line_offset})",
            key=str(exc.key), line=exc.line + line_offset,
            hint="YAML keeps only the last of two equal keys; rename or merge them.",
        )]) from None
    except _BadKey as exc:
        if exc.text is not None:
            raise BuildError([Problem(name, f"key '{exc.text}' is not text (YAML reads it as a number, true/false, "
                                      "null or a date)", key=exc.text, line=exc.line + line_offset,
                                      hint=f'Quote it ("{exc.text}":) or use a name made of letters.')]) from None
        raise BuildError([Problem(name, "a key must be plain text, not a list or a mapping", line=exc.line + line_offset,
                                  hint="Remove the '? ' or brackets before the key.")]) from None
    except RecursionError:
        raise BuildError([Problem(name, "YAML nested too deeply (thousands of [ or { inside each other)",
                                  hint="Check the brackets; site.yml needs only a few levels.")]) from None
    except _RunawayQuote as exc:
        raise BuildError([Problem(name, "YAML syntax error: a quoted value is never closed (it runs on over the "
                                  "next keys)", line=exc.line + line_offset,
                                  hint="Add the closing quote at the end of the value.")]) from None
    except yaml.reader.ReaderError as exc:
        bad = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        line = text.count("\n", 0, text.find(bad)) + 1 + line_offset if bad in text else None
        char = "a NUL byte" if bad == "\0" else f"the control character {bad!r}"
        raise BuildError([Problem(name, f"YAML syntax error: the file contains {char}, which is not text", line=line,
                                  hint="Remove it, or save the file again as UTF-8 text.")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 + line_offset if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
        raise BuildError([Problem(
            name, message, line=line,
            hint="Check indentation (spaces, not tabs) and quote values that contain ': ' or start with '{', '[', '*' or '&'.",
        )]) from None


def decode_error_line(path: Path | str) -> int | None:
    """The line of the first byte that is not UTF-8."""
    try:
        Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.object[:exc.start].count(b"\n") + 1
    except OSError:
        pass
    return None


def load_yaml_file(path: Path, parse=parse_yaml):
    """Read and parse one YAML file (`parse`: parse_yaml or a cache's parse, frontcache.py)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildError([Problem(rel(path), "file not found",
                                  hint="Create it, or point funnelgen at the folder that holds site.yml.")]) from None
    except UnicodeDecodeError as exc:
        raise BuildError([Problem(rel(path), f"not UTF-8 text ({exc.reason})", line=decode_error_line(path),
                                  hint="Save the file as UTF-8 (Shift_JIS and UTF-16 are not read).")]) from None
    return parse(text, path, 0)
