"""YAML loading that remembers line numbers and refuses duplicate keys.

PyYAML silently keeps the last of two equal keys, which hides real mistakes
(two offers called `starter`). Mappings come back as `LineDict`, lists as
`LineList`, each knowing the line of every entry so later stages can point
at the exact spot.
"""

from __future__ import annotations

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
    def __init__(self, line):
        self.line = line


class _Loader(_Base):  # type: ignore[misc, valid-type]
    pass


def _construct_mapping(loader, node):
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise _BadKey(line)
        key = loader.construct_object(key_node, deep=True)
        if key in result.lines:
            raise _DuplicateKey(key, line, result.lines[key])
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


def _construct_sequence(loader, node):
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
# Dates stay strings: a deadline's time zone matters and YAML's date parsing drops it.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in _Base.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str, file: Path | str, line_offset: int = 0):
    """Parse YAML text; raise BuildError naming file and line on any problem."""
    name = rel(file)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - safe loader subclass
    except _DuplicateKey as exc:
        raise BuildError([Problem(
            name, f"duplicate key '{exc.key}' (first defined on line {exc.first_line + line_offset})",
            key=str(exc.key), line=exc.line + line_offset,
            hint="YAML keeps only the last of two equal keys; rename or merge them.",
        )]) from None
    except _BadKey as exc:
        raise BuildError([Problem(name, "a key must be plain text, not a list or a mapping", line=exc.line + line_offset,
                                  hint="Remove the '? ' or brackets before the key.")]) from None
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


def load_yaml_file(path: Path):
    """Read and parse one YAML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildError([Problem(rel(path), "file not found",
                                  hint="Create it, or point funnelgen at the folder that holds site.yml.")]) from None
    except UnicodeDecodeError as exc:
        raise BuildError([Problem(rel(path), f"not UTF-8 text ({exc.reason})", hint="Save the file as UTF-8.")]) from None
    return parse_yaml(text, path)
