"""The house's rules that a reader cannot see from one file: no import cycle among the package's
modules at module level, and no module global that the suites read."""

import ast
from pathlib import Path

import conformance

PACKAGE = Path(conformance.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The package modules `name` imports when it is imported (not inside functions, not under
    TYPE_CHECKING). `from package import module` counts as importing the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(statements):
        for node in statements:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
                continue
            if isinstance(node, (ast.If, ast.Try, ast.With)):
                visit(node.body)
                visit(getattr(node, "orelse", []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
                visit(getattr(node, "finalbody", []))
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)

    visit(tree.body)
    imported = {module for module in found if module in known}
    # `from package import submodule` names the submodule, not the package's own code; and a
    # submodule's package is imported before it by Python itself, which is no cycle.
    imported -= {module for module in imported if any(other.startswith(module + ".") for other in imported)
                 and module not in explicit_packages(tree)}
    imported.discard(name)
    return imported


def explicit_packages(tree) -> set[str]:
    """Packages a module takes names from that are not submodules (their __init__'s own code)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if not (PACKAGE.parent / (node.module + "." + alias.name).replace(".", "/")).with_suffix(".py").exists() and not \
                        (PACKAGE.parent / (node.module + "." + alias.name).replace(".", "/")).is_dir():
                    names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    paths = {_module_name(path): path for path in PACKAGE.rglob("*.py") if "node_modules" not in path.parts}
    known = set(paths)
    return {name: _top_level_imports(path, name, known) for name, path in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle found by a depth-first walk (each reported once, from its smallest module)."""
    found, state = [], {}

    def walk(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycle = stack[stack.index(nxt):]
                found.append(cycle)
            elif nxt not in state:
                walk(nxt, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            walk(node, [])
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_at_module_level():
    assert cycles(import_graph()) == []


def test_the_report_package_is_no_facade():
    # Its __init__ imported render, which imported the package back (conformance.report ->
    # report.render -> conformance.report): the layers are imported by their own names instead.
    assert import_graph()["conformance.report"] == set()


def test_the_suites_read_no_module_global_of_the_run():
    for path in (PACKAGE / "suite").glob("test_*.py"):
        text = path.read_text(encoding="utf-8")
        assert "active()" not in text and "suite.RUN" not in text and "RUN." not in text, path.name


def test_the_plugin_keeps_to_hooks_and_fixtures():
    # What a hook does lives in conformance.lifecycle, judging or run_reports: the plugin delegates.
    lines = (PACKAGE / "plugin.py").read_text(encoding="utf-8").count("\n")
    assert lines < 350, f"plugin.py has {lines} lines: move the work of a hook to the module that owns it"
