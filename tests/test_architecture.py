"""The shape of the package: layers that only point down, no import cycles (imports inside functions
count), no module over 400 lines. docs/architecture.md draws the same layers."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "funnelgen"

# Lowest first. A module may import from its own layer and the layers below it, never from above.
LAYERS = [
    ("base", ["errors", "escaping", "reporter", "dates", "urls", "i18n", "recording"]),
    ("tables", ["yamlsource", "schema", "kinds", "vendors", "hosts", "settings", "videohosts"]),
    ("load", ["config", "pages", "frontcache"]),
    ("model", ["model", "plans", "variants", "graph", "prices", "schedule", "recipients", "redirects"]),
    ("validate", ["validate"]),
    ("render", ["typeset", "compact", "pagecss", "formfields", "layout", "markdown", "media", "theme", "tracking", "planview", "splitpage", "render", "functions", "diagram", "csp"]),
    ("rules", ["rules"]),
    ("write", ["output", "inplace", "deploy", "buildcache", "sitefolder", "unchanged"]),
    ("pipeline", ["build", "failures"]),
    ("tools", ["ui", "browser"]),
    ("commands", ["check", "serve", "verify", "report", "scaffold", "cli", "__main__"]),
]


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every funnelgen module `name` imports, at the top or inside functions."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            candidates = [base] + [f"{base}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        else:
            continue
        out |= {c for c in candidates if c in known and c != name}
    return out


def layer_of(name: str) -> int:
    top = name.split(".")[1] if name.count(".") else "funnelgen"
    for i, (_label, tops) in enumerate(LAYERS):
        if top in tops:
            return i
    if name == "funnelgen":
        return 0
    raise AssertionError(f"{name} belongs to no layer: add it to LAYERS and to docs/architecture.md")


def test_imports_only_point_down():
    mods = modules()
    wrong = []
    for name, path in mods.items():
        for target in imports(name, path, set(mods)):
            if target == "funnelgen":  # the package itself holds only __version__
                continue
            if layer_of(target) > layer_of(name):
                wrong.append(f"{name} ({LAYERS[layer_of(name)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})")
    assert wrong == []


def test_no_import_cycles():
    mods = modules()
    graph = {name: imports(name, path, set(mods)) for name, path in mods.items()}
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in graph[node]:
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for name in graph:
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_no_module_over_400_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}
