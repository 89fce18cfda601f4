"""No money figure is written in the apps' code or templates outside ``procurement/thresholds.py``
(decision record 0008: policy is data, and a figure the rules turn on is written once).

Two things fail, each named by file and line:
- a number of 1,000 or more in an app's Python code: ``100000``, ``5_000_000``,
  ``Decimal("5000")``;
- a "£" followed by a figure other than £0 in a string (a message, a heading, a label) or in a
  template: "over £50,000", "£1.5m".

Docstrings and comments are documentation and are not read; tests, migrations and the benchmarks
are not app code. Everything else that is allowed is named below with its reason. The check reads
files only, so it needs no database: ``make lint`` and ``make test`` both run it.
"""

import ast
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from tests.app_code import APPS, ROOT

# The one place the figures are written.
THRESHOLDS = "procurement/thresholds.py"
NOT_APP_CODE = {"tests", "migrations"}
SMALLEST_CHECKED = 1000
# "£" and the figure after it: £5,000, £1,250,000.00, £1.5m, £100k.
MONEY_TEXT = re.compile(r"£\d+(?:,\d{3})*(?:\.\d+)?(?:bn|m|k)?")

# Whole files of sample data: the demonstration council's made-up contracts, procurements,
# returns and assessments, written as a council would, not rules.
SAMPLE_DATA = {
    "contracts/demo.py": "the demo register's made-up values and the bands they are drawn from",
    "performance/demo.py": "the demo's KPI targets, returns and savings",
    "gateways/demo.py": "the demo procurements' estimates and bids",
    "socialvalue/demo.py": "the demo's proxy values and commitments",
    "maturity/demo.py": "the demo self-assessments' evidence and actions, as a council wrote them",
    "spend/demo.py": "the demo payments' made-up amounts, as the finance system paid them",
}

# Numbers of 1,000 or more that are not money, by file: value -> why.
NOT_MONEY = {
    "procurement/downloads.py": {"2000": "rows a download writes at a time"},
    "procurement/models.py": {"2000": "characters of an export's query string kept"},
    "procurement/forms.py": {"1000": "the smallest four-digit year", "9999": "the largest"},
    "procurement/imports.py": {"5000": "problems an import keeps for its report"},
    "procurement/cpv_importing.py": {
        "20000": "rows past any edition of the CPV list",
        "1000": "codes written at a time",
    },
    "procurement/notifications.py": {
        "1000": "rows written at a time",
        "2000": "characters of a sending error kept",
    },
    "spend/matching.py": {"5000": "suppliers read at a time to match payees"},
    "procurement/tabular.py": {
        "1899": "Excel's date epoch, 30/12/1899",
        "9132": "the Excel serial day of 1925, the earliest date read",
        "73051": "the Excel serial day of 2100, past the latest date read",
        "1000": "the scale 'k' stands for in an amount typed as 30k",
        "1000000": "the scale 'm' stands for in an amount typed as £1.2m",
        "1000000000": "the scale 'bn' stands for",
        "1e12": "the largest amount read, past any contract, to refuse a mistyped one",
        "1024": "bytes in a kibibyte",
    },
    "procurement/throttles.py": {"1000": "counters kept before old ones are dropped"},
    "procurement/paging.py": {"1000": "rows a list counts exactly before it estimates"},
    "procurement/workbooks.py": {"1024": "bytes in a kibibyte"},
    "procurement/copying.py": {"1024": "bytes in a kibibyte"},
    "contracts/exports.py": {
        "2000": "rows an export writes at a time",
        "200000": "rows a CSV export writes while the page waits",
        "20000": "rows an XLSX export writes while the page waits",
    },
    "contracts/forms.py": {"2000": "a field's length in characters"},
    "training/forms.py": {"2000": "a field's length in characters"},
    "contracts/views.py": {"1000": "characters of a remembered query string"},
    "socialvalue/importing.py": {
        "5000": "rows an import of returns reads",
        "2000": "the earliest year of a financial year written 2025/26",
        "2100": "the latest",
    },
    "alerts/demo.py": {"5000": "contracts in the largest register the demo sends alerts for"},
    "alerts/services.py": {"1000": "contracts read at a time"},
    "reporting/dashboard.py": {"1000000": "a million, the unit a headline's £2.1m is written in"},
    "reporting/services.py": {"2000": "the earliest financial year an annual report covers"},
    "spend/services/matching.py": {"2000": "payments matched again at a time"},
    "spend/importing.py": {
        "2000": "payment lines read and written at a time",
        "5000": "notes an import of payments keeps for its report",
        "20000": "values an import of payments remembers parsed",
    },
}

# Figures in pounds that are not thresholds, by file: figure -> why.
NOT_THRESHOLDS = {
    "procurement/forms.py": {"£1,234.50": "an example of how to type an amount"},
    "procurement/tabular.py": {"£1,234.50": "an example of how to write an amount"},
    "contracts/views.py": {
        "£1,250,000.00": "the import template's example row",
        "£250,000.00": "the import template's example row",
        "£500,000.00": "the import template's example row",
    },
    "contracts/templates/contracts/import_upload.html": {
        "£1,234.50": "an example of how to write an amount",
        "£1.2m": "an example of how to write an amount",
    },
    "spend/templates/spend/import_upload.html": {
        "£1,234.50": "an example of how to write an amount",
    },
    "training/forms.py": {
        "£100,000": "an example of how to type an amount",
        "£100,000.50": "an example of how to type pounds and pence",
        "£1,000,000,000,000": "the largest amount the field holds, past any contract",
    },
    "gateways/forms.py": {
        "£1,500,000.01": "an example of how to type an amount",
        "£245,000": "an example of how to type a price",
    },
}

# The renewal lead times' value bands are policy data administrators edit (``RenewalBand``);
# these are the defaults it starts from, as the approval tiers are the approval policy's.
POLICY_DEFAULTS = {
    "contracts/lead_times.py": "the defaults of the renewal bands administrators edit",
}


def _is_zero(figure: str) -> bool:
    return not any(digit in "123456789" for digit in figure)


def _money_in(text: str, allowed: dict[str, str]) -> list[str]:
    """The figures in pounds in ``text`` that are neither £0 nor allowed."""
    return [
        figure
        for figure in MONEY_TEXT.findall(text)
        if not _is_zero(figure) and figure not in allowed
    ]


def _python_files() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if not NOT_APP_CODE & set(path.relative_to(ROOT).parts)
    )


def _templates() -> list[Path]:
    return sorted([*(ROOT / "templates").rglob("*.html"), *ROOT.glob("*/templates/**/*.html")])


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the nodes that are docstrings: a module's, a class's or a function's."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _dates(tree: ast.AST) -> set[int]:
    """The ids of the numbers written as a date's parts: date(2025, 2, 24) is no money."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in {"date", "datetime"}:
                found.update(id(arg) for arg in node.args)
    return found


def _number(node: ast.AST) -> Decimal | None:
    """The number a node writes: an int or float literal, or ``Decimal("…")``."""
    if isinstance(node, ast.Constant) and type(node.value) in {int, float}:
        return Decimal(str(node.value))
    if (
        isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) == "Decimal"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        try:
            return Decimal(node.args[0].value.replace("_", ""))
        except InvalidOperation:
            return None
    return None


def problems_in_python(relative: str, source: str) -> list[str]:
    """Each money figure written in one app module, as "file:line: what"."""
    if relative == THRESHOLDS or relative in SAMPLE_DATA or relative in POLICY_DEFAULTS:
        return []
    tree = ast.parse(source)
    skipped = _docstrings(tree) | _dates(tree)
    not_money = {Decimal(value) for value in NOT_MONEY.get(relative, {})}
    allowed = NOT_THRESHOLDS.get(relative, {})
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        number = _number(node)
        if number is not None and abs(number) >= SMALLEST_CHECKED and number not in not_money:
            found.append((node.lineno, f"the number {ast.get_source_segment(source, node)}"))
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [
                (node.lineno, f"{figure} in the text {node.value!r}")
                for figure in _money_in(node.value, allowed)
            ]
    return [f"{relative}:{line}: {what}" for line, what in sorted(found)]


def problems_in_template(relative: str, text: str) -> list[str]:
    """Each money figure written in one template, as "file:line: what"."""
    allowed = NOT_THRESHOLDS.get(relative, {})
    return [
        f"{relative}:{number}: {figure}"
        for number, line in enumerate(text.splitlines(), start=1)
        for figure in _money_in(line, allowed)
    ]


def test_no_money_figure_is_written_outside_the_thresholds_module():
    found = []
    for path in _python_files():
        relative = path.relative_to(ROOT).as_posix()
        found += problems_in_python(relative, path.read_text(encoding="utf-8"))
    for path in _templates():
        relative = path.relative_to(ROOT).as_posix()
        found += problems_in_template(relative, path.read_text(encoding="utf-8"))
    assert not found, (
        "Write these from procurement/thresholds.py (pounds(), pounds_short(), or "
        '{% threshold "NAME" %} in a template), or name them in an allow-list of '
        "tests/test_money_literals.py with the reason:\n" + "\n".join(found)
    )


def test_the_check_finds_a_figure_in_code_and_in_a_template():
    source = (
        '"""A docstring may say over £50,000."""\n'
        "from datetime import date\n"
        "from decimal import Decimal\n"
        "LIMIT = Decimal('50000.00')\n"
        "BIG = 5_000_000\n"
        "IN_FORCE = date(2025, 2, 24)\n"
        "SMALL = 999\n"
        "def message(n):\n"
        "    return f'{n} contracts over £1.5m, none under £0'\n"
    )
    assert problems_in_python("contracts/example.py", source) == [
        "contracts/example.py:4: the number Decimal('50000.00')",
        "contracts/example.py:5: the number 5_000_000",
        "contracts/example.py:9: £1.5m in the text ' contracts over £1.5m, none under £0'",
    ]
    assert problems_in_template("x/templates/x/page.html", "<p>\n  Over £5,000\n</p>") == [
        "x/templates/x/page.html:2: £5,000"
    ]


def test_every_file_allowed_exists():
    named = {*SAMPLE_DATA, *NOT_MONEY, *NOT_THRESHOLDS, *POLICY_DEFAULTS}
    assert not [name for name in named if not (ROOT / name).is_file()]


def test_every_allowance_is_still_needed():
    """An allowance whose figure has gone from its file is struck out, so the lists stay true."""
    stale = []
    for name, figures in NOT_THRESHOLDS.items():
        text = (ROOT / name).read_text(encoding="utf-8")
        stale += [f"{name}: {figure}" for figure in figures if figure not in text]
    for name, values in NOT_MONEY.items():
        tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
        written = {_number(node) for node in ast.walk(tree)}
        stale += [f"{name}: {value}" for value in values if Decimal(value) not in written]
    assert not stale
