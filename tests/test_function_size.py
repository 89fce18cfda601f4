"""No function in the apps' services, views and selectors runs over 60 lines or a McCabe
complexity of 15: a longer one is doing several jobs, and each job wants a name of its own.

Complexity is counted as McCabe's (and ruff's C901) is: one, plus one for each ``if``/``elif``,
loop, ``except`` clause, ``try``'s ``else`` and ``case``, plus a nested function's own count.
``ruff check --select C901 --config 'lint.mccabe.max-complexity=15'`` reports the same functions."""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app_code import APPS, ROOT

LAYERS = ("services", "views", "selectors")
MAX_LINES = 60
MAX_COMPLEXITY = 15

# "file:function" allowed over a limit, with the reason.
EXCEPTIONS: dict[str, str] = {}


def modules() -> Iterator[Path]:
    """The services, views and selectors modules of every app, single files or packages."""
    for app in APPS:
        for layer in LAYERS:
            single = ROOT / app / f"{layer}.py"
            if single.exists():
                yield single
            package = ROOT / app / layer
            if package.is_dir():
                yield from sorted(package.glob("*.py"))


def functions(tree: ast.AST) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method in ``tree`` with its dotted name (``Class.method``)."""

    def walk(node: ast.AST, prefix: str):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield f"{prefix}{child.name}", child
                yield from walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)

    yield from walk(tree, "")


def complexity(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """McCabe's count: the decision points in ``function`` (nested functions included) plus one."""
    points = 0
    for node in ast.walk(function):
        if isinstance(node, ast.If | ast.For | ast.AsyncFor | ast.While):
            points += 1
        elif isinstance(node, ast.ExceptHandler | ast.match_case):
            points += 1
        elif isinstance(node, ast.Try | ast.TryStar) and node.orelse:
            points += 1
        elif node is not function and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            points += 1
    return points + 1


def sizes_in(source: str, where: str) -> Iterator[tuple[str, int, int]]:
    """Each function in ``source`` as ``where:function`` with its length in lines (decorators
    and docstring included) and its complexity."""
    for name, function in functions(ast.parse(source, filename=where)):
        start = min([function.lineno, *(d.lineno for d in function.decorator_list)])
        yield f"{where}:{name}", function.end_lineno - start + 1, complexity(function)


def over_limits(measured: Iterator[tuple[str, int, int]]) -> dict[str, str]:
    """The functions over a limit, each with what it measures."""
    return {
        name: f"{lines} lines, complexity {mccabe}"
        for name, lines, mccabe in measured
        if lines > MAX_LINES or mccabe > MAX_COMPLEXITY
    }


def apps_over_limits() -> dict[str, str]:
    """The functions over a limit in the apps' services, views and selectors."""
    return over_limits(
        measured
        for path in modules()
        for measured in sizes_in(path.read_text(), path.relative_to(ROOT).as_posix())
    )


def test_no_function_is_over_the_limits():
    allowed = EXCEPTIONS.keys()
    found = {name: size for name, size in apps_over_limits().items() if name not in allowed}
    assert not found, "Over 60 lines or complexity 15 (split into named steps):\n" + "\n".join(
        f"{name}: {size}" for name, size in sorted(found.items())
    )


def test_every_exception_is_still_needed():
    """An exception that no longer exceeds a limit (or no longer exists) is taken off the list."""
    over = apps_over_limits()
    stale = EXCEPTIONS.keys() - over.keys()
    assert not stale, f"No longer over the limits: {sorted(stale)}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n    return 1\n", 1),
        ("def f(x):\n    if x:\n        return 1\n    elif x > 2:\n        return 2\n", 3),
        ("def f(xs):\n    for x in xs:\n        while x:\n            x -= 1\n", 3),
        (
            "def f():\n    try:\n        g()\n    except A:\n        pass\n    except B:\n"
            "        pass\n",
            3,
        ),
        ("def f(x):\n    return 1 if x else 2\n", 1),
        (
            "def f():\n    try:\n        g()\n    except A:\n        pass\n    else:\n"
            "        h()\n",
            3,
        ),
        ("def f():\n    def g(x):\n        if x:\n            return 1\n    return g\n", 3),
    ],
)
def test_complexity_counts_decision_points_plus_one(source, expected):
    function = ast.parse(source).body[0]
    assert complexity(function) == expected


def test_a_function_over_either_limit_is_reported():
    long = "def long():\n" + "    x = 1\n" * 60
    branchy = "def branchy(x):\n" + "    if x:\n        pass\n" * 15
    short = "def short(x):\n" + "    if x:\n        pass\n" * 14 + "    x = 1\n" * 30
    found = over_limits(sizes_in(long + branchy + short, "app/views.py"))
    assert found == {
        "app/views.py:long": "61 lines, complexity 1",
        "app/views.py:branchy": "31 lines, complexity 16",
    }
