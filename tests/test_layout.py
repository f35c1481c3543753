"""The package's shape, checked: no import circle, a few top-level modules, short modules,
one source of "today", and domain rules that never reach into a request.

Run alone with `pytest tests/test_layout.py` (README, "Layout"): it reads the source only.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "questionnaires"
MAX_TOP_LEVEL_MODULES = 12
MAX_LINES = 400
#: Packages and modules that hold rules: plain functions given `now`/`today` and data.
#: (privacy.audit is not one: the journal records who made the request, from the request.)
DOMAIN = ("engine", "followups", "impact", "stages", "archive", "privacy.anonymise",
          "privacy.retention", "referent.replies", "participant.bilan", "clock", "tokens", "text")
#: The only module that may read the clock
CLOCK = "questionnaires.clock"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}


def imports_of(name: str):
    """(imported module, line, inside a function) for each import of the package's own modules."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    functions = [node for node in ast.walk(TREES[name])
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    inner = {id(child) for f in functions for child in ast.walk(f) if child is not f}
    for node in ast.walk(TREES[name]):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                if target in MODULES:
                    yield target, node.lineno, id(node) in inner
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES:
                    yield alias.name, node.lineno, id(node) in inner


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_even_inside_functions():
    graph = {name: {target for target, _, _ in imports_of(name) if target != name}
             for name in MODULES}
    # A package's __init__ importing its own submodules is how Python packages work, not a
    # circle: a submodule importing "questionnaires.team.blueprint" does not run team/__init__.
    for name in graph:
        graph[name] = {t for t in graph[name] if not (MODULES[name].name == "__init__.py"
                                                      and t.startswith(name + "."))}
    assert cycles(graph) == []


def test_imports_inside_functions_say_why():
    lines = {name: MODULES[name].read_text(encoding="utf-8").splitlines() for name in MODULES}
    silent = [f"{name}:{line}" for name in MODULES for _, line, inner in imports_of(name)
              if inner and "#" not in lines[name][line - 1] and "#" not in lines[name][line - 2]]
    assert silent == []


def test_at_most_twelve_modules_at_the_top_and_none_too_long():
    top = [path.name for path in PACKAGE.glob("*.py") if path.name != "__init__.py"]
    assert len(top) <= MAX_TOP_LEVEL_MODULES, sorted(top)
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def _calls(tree, *dotted: str):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            value = node.func.value
            text = f"{getattr(value, 'id', getattr(value, 'attr', ''))}.{node.func.attr}"
            if text in dotted:
                yield node.lineno


def test_one_source_of_now_and_today():
    readers = [f"{name}:{line}" for name, tree in TREES.items() if name != CLOCK
               for line in _calls(tree, "date.today", "datetime.now", "datetime.utcnow",
                                  "datetime.today")]
    assert readers == []


def test_domain_rules_never_touch_the_request():
    forbidden = {"request", "session", "url_for", "g"}
    found = []
    for name, tree in TREES.items():
        short = name.removeprefix("questionnaires.")
        if not any(short == d or short.startswith(d + ".") for d in DOMAIN):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "flask":
                found += [f"{name}: {a.name}" for a in node.names if a.name in forbidden]
            if isinstance(node, ast.Attribute) and node.attr == "test_request_context":
                found.append(f"{name}: test_request_context")
    assert found == []
