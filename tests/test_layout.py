"""The tree is the pipeline: README's "How it works" names every module of every
package, and no two modules import each other (directly or round a loop)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import wiretrace

PACKAGE = Path(wiretrace.__file__).parent
README = PACKAGE.parents[1] / "README.md"


def module_names() -> dict[str, Path]:
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def module_level_imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Each module's imports of other wiretrace modules made when it is imported
    (imports inside functions are lazy: they cannot make a loop at import)."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                submodules = [f"{node.module}.{a.name}" for a in node.names
                              if f"{node.module}.{a.name}" in modules]
                # ``from package import submodule`` needs the submodule, not what the
                # package's __init__ defines
                targets = submodules if len(submodules) == len(node.names) \
                    else [node.module, *submodules]
            else:
                continue
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        order[v] = low[v] = len(order)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in order:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], order[w])
        if low[v] == order[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in order:
            visit(v)
    return found


def test_no_module_imports_itself_round_a_loop():
    assert loops(module_level_imports(module_names())) == []


def test_a_loop_is_found_when_there_is_one():
    assert loops({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_readme_names_every_module_of_every_stage_package():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## How it works"):text.index("### Large runs")]
    rows = {}  # package folder -> the row that names it
    for line in section.splitlines():
        found = re.match(r"\| [^|]+ \| `(\w+)/`", line)
        if found:
            rows[found.group(1)] = line
    packages = sorted(p.name for p in PACKAGE.iterdir()
                      if (p / "__init__.py").exists())
    assert sorted(rows) == packages, "a package without its row in How it works"
    for package, row in rows.items():
        for path in sorted((PACKAGE / package).glob("*.py")):
            if path.name != "__init__.py":
                assert f"`{path.name}`" in row, f"{package}/{path.name} is not in README"
