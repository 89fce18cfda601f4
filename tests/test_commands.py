"""Every command the README tells people to run, run as the README writes it: ``python manage.py
<command> ...`` in a process of its own, against the test database.

``call_command`` skips the system checks and the command line's own parsing, so a command could
fail for its users while its tests passed. Here each one starts as it does for them, and the test
looks at what it did to the database or said. Each command's ``--help`` is read too, and the README
is parsed so that a command it mentions and this module does not run fails the suite.
"""

import csv
import os
import pty
import re
import select
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import global_settings, settings
from django.core.management import get_commands, load_command_class
from django.db import connection
from django.utils import timezone
from openpyxl import Workbook

from alerts.tests.factories import contract_ending
from contracts.models import Contract
from maturity.toolkit import FRAMEWORK_FILE
from procurement.models import ApiToken, CpvCode, Notification, User
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory
from procurement.tokens import api_token_create
from reporting.models import AnnualReport
from socialvalue.importing import COLUMNS as MEASURE_COLUMNS
from socialvalue.models import Measure, MeasureLibrary

README = Path(settings.BASE_DIR) / "README.md"
# The documentation a council reads: the README and the guides it links to. The architecture
# page is for developers, and names Django's own commands (makemigrations, startapp).
DOCUMENTATION = [
    README,
    *sorted(
        path
        for path in (Path(settings.BASE_DIR) / "docs").glob("*.md")
        if path.name != "architecture.md"
    ),
]
# The project's own apps: their commands are the ones whose --help is read.
PROJECT_APPS = {path.parent.name for path in Path(settings.BASE_DIR).glob("*/apps.py")}
PASSWORD = "lantern-orchard-tributary-42"
STRONG_KEY = "k3y-" + "a1B2c3D4e5F6g7H8i9J0" * 3

# The commands this module runs as the README writes them, filled in by ``@runs``.
RUN: set[str] = set()


def runs(*commands: str) -> Callable:
    """Mark a test as the one running ``commands`` as the README writes them."""
    RUN.update(commands)
    return lambda test: test


commits = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# --- Running a command as a person does ---------------------------------------------------------


def environment(**overrides: str) -> dict[str, str]:
    """This process's environment pointed at the test database, with DEBUG on as a developer's
    copy has it and tasks run in-process."""
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    # Not what the browser tests set for their own process (a user's shell never has it).
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    result = {**inherited, "DATABASE_URL": url, "DEBUG": "true", "REDIS_URL": ""}
    if database["PASSWORD"]:
        result["PGPASSWORD"] = database["PASSWORD"]
    result.update(overrides)
    return result


def manage(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python manage.py <arguments>``, as typed at the command line."""
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env=env if env is not None else environment(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def converse(
    *arguments: str, answers: list[tuple[str, str]], env: dict[str, str]
) -> tuple[int, str]:
    """``python manage.py <arguments>`` on a terminal of its own, typing each answer once its
    prompt appears (the commands that ask for a password refuse a pipe). Returns the exit status
    and everything the terminal showed."""
    terminal, command_side = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env=env,
        stdin=command_side,
        stdout=command_side,
        stderr=command_side,
        # A session of its own has no controlling terminal but this one, so getpass reads it.
        start_new_session=True,
    )
    os.close(command_side)
    shown, answered_up_to, waiting = "", 0, list(answers)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([terminal], [], [], 0.2)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # the command has closed its side: it has finished
                break
            if not chunk:
                break
            shown += chunk.decode(errors="replace")
            if waiting and waiting[0][0] in shown[answered_up_to:]:
                answered_up_to = len(shown)
                os.write(terminal, f"{waiting.pop(0)[1]}\n".encode())
        else:
            process.kill()
            pytest.fail(f"manage.py {' '.join(arguments)} did not finish; it showed:\n{shown}")
        return process.wait(timeout=60), shown
    finally:
        os.close(terminal)


@pytest.fixture
def database(postgres):
    """The commands share the test database through DATABASE_URL; SQLite's test database is in
    this process's memory, so they need PostgreSQL."""
    return postgres


@pytest.fixture
def hashers(settings):
    """The hashers the commands store passwords with (the suite's own are faster)."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


# --- The README and the commands agree ----------------------------------------------------------


def readme_commands() -> dict[str, list[str]]:
    """Every ``manage.py <command> ...`` the README and the guides mention, by command: the ways
    it is written (a mention may break across lines)."""
    text = " ".join(" ".join(path.read_text(encoding="utf-8").split()) for path in DOCUMENTATION)
    found: dict[str, list[str]] = {}
    for match in re.finditer(r"manage\.py ([a-z_]+)([^`|#]*)", text):
        found.setdefault(match[1], []).append(f"{match[1]}{match[2]}".strip())
    return found


def readme_table_commands() -> dict[str, str]:
    """The rows of the README's table of commands that run ``manage.py``: command, usage."""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| `python manage\.py (([a-z_]+)[^`]*)` \|", line)
        if match:
            rows[match[2]] = match[1]
    return rows


def options_in(usage: str) -> list[str]:
    return re.findall(r"--[a-z][a-z-]*", usage)


def project_commands() -> list[str]:
    return sorted(name for name, app in get_commands().items() if app in PROJECT_APPS)


def test_the_readme_table_lists_commands_and_each_is_run_here():
    table = readme_table_commands()
    assert {"seed_demo", "import_contracts", "build_annual_report"} <= set(table)
    not_run = sorted(set(table) - RUN)
    assert not not_run, f"The README's command table lists {not_run}: run them in this module"


def test_every_command_the_readme_mentions_is_run_here():
    not_run = sorted(set(readme_commands()) - RUN)
    assert not not_run, f"The documentation mentions manage.py {not_run}: run them in this module"


def test_every_project_command_is_in_the_readme():
    missing = sorted(set(project_commands()) - set(readme_commands()))
    assert not missing, f"Neither the README nor the guides mention {missing}"


def test_a_command_explains_itself_on_a_server_too():
    """As the README says: with a server's environment (DEBUG off, its own key) and no database,
    ``--help`` works as well."""
    env = environment(DEBUG="false", SECRET_KEY=STRONG_KEY, HTTPS_ONLY="true")
    del env["DATABASE_URL"]
    done = manage("import_contracts", "--help", env=env)
    assert done.returncode == 0, done.stderr
    assert "--mapping" in done.stdout


@pytest.mark.parametrize("command", project_commands())
def test_a_command_explains_itself(command):
    """``--help`` works without a database and names every argument the command takes."""
    # Wide enough that argparse breaks no line (it breaks at hyphens too: "--dry-" "run").
    env = {**environment(), "DATABASE_URL": "sqlite://:memory:", "COLUMNS": "500"}
    done = manage(command, "--help", env=env)
    assert done.returncode == 0, done.stderr
    help_text = " ".join(done.stdout.split())
    own = load_command_class(get_commands()[command], command)
    assert " ".join(str(own.help).split()) in help_text
    default = {action.dest for action in own.create_parser("manage.py", "base")._actions}
    parser = own.create_parser("manage.py", command)
    for action in parser._actions:
        names = action.option_strings or [action.dest]
        assert any(name in help_text for name in names), f"{command} --help omits {names}"
        assert action.dest in default or action.help, f"{command}: {names} has no help"
    for usage in readme_commands()[command]:
        for option in options_in(usage):
            assert option in help_text, f"The README gives {command} {option}; it has none"


# --- seed_demo ----------------------------------------------------------------------------------


@commits
@runs("seed_demo")
def test_seed_demo_loads_the_demo_council(database, hashers):
    done = manage("seed_demo", "--contracts", "12")
    assert done.returncode == 0, done.stderr
    assert "Every demo user's password is: northmere-demo-2026" in done.stdout
    officer = User.objects.get(email="officer@northmere.example")
    assert officer.check_password("northmere-demo-2026")
    assert Contract.objects.count() == 12
    refused = manage("seed_demo", env=environment(DEBUG="false", SECRET_KEY=STRONG_KEY))
    assert refused.returncode == 1
    assert "seed_demo refuses to run with DEBUG off" in refused.stderr


# --- import_contracts and import_measures -------------------------------------------------------
# A saved column mapping (`--mapping NAME`) is to join these commands' options; give it here when
# it does, beside `--as` and `--dry-run`.


@pytest.fixture
def central_team(make_user):
    DirectorateFactory(name="Adult Social Care", code="asc")
    return {
        "partner": make_user(Role.BUSINESS_PARTNER, email="partner@council.example"),
        "manager": make_user(Role.CONTRACT_MANAGER, email="manager@council.example"),
        "director": make_user(Role.EXECUTIVE_DIRECTOR, email="director@council.example"),
    }


# A register as councils keep one: their own headings, dates and money written their way.
CONTRACTS = [
    {
        "Contract Ref": "C-1",
        "Title": "Home care (north)",
        "Department": "Adult Social Care",
        "Supplier": "Caring Ltd",
        "Total Value": "£1,234.50",
        "Start Date": "01/04/2024",
        "End Date": "2027-03-31",
        "Route": "Published tender",
    },
    {
        "Contract Ref": "C-2",
        "Title": "Day centres",
        "Department": "Adult Social Care",
        "Supplier": "Other Ltd",
        "Total Value": "£250,000",
        "Start Date": "2025-04-01",
        "End Date": "31/03/2028",
        "Route": "Published tender",
        "Contract Manager": "manager@council.example",
        "Lead Director": "director@council.example",
    },
]
REGISTER = [list(CONTRACTS[1])] + [[c.get(h, "") for h in CONTRACTS[1]] for c in CONTRACTS]


@commits
@runs("import_contracts")
def test_import_contracts_checks_then_imports_a_register(database, central_team, tmp_path):
    as_csv = tmp_path / "register.csv"
    with as_csv.open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows(REGISTER)
    as_xlsx = tmp_path / "register.xlsx"
    workbook = Workbook()
    for line in REGISTER:
        workbook.active.append(line)
    workbook.save(as_xlsx)
    email = central_team["partner"].email

    done = manage("import_contracts", str(as_csv), "--as", email, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "2 rows: 2 contracts would be added, 0 updated, 0 unchanged." in done.stdout
    assert not Contract.objects.exists()

    done = manage("import_contracts", str(as_xlsx), "--as", email)
    assert done.returncode == 0, done.stderr
    assert "2 rows: 2 contracts were added, 0 updated, 0 unchanged." in done.stdout
    contract = Contract.objects.get(reference="C-1")
    assert (contract.title, contract.start_date) == ("Home care (north)", date(2024, 4, 1))
    assert contract.history.get().history_change_reason == (
        "Imported from register.xlsx (import_contracts)"
    )
    assert contract.history.get().history_user == central_team["partner"]

    # The same file again changes nothing; without --as the command refuses, writing nothing.
    done = manage("import_contracts", str(as_csv), "--as", email)
    assert "2 rows: 0 contracts were added, 0 updated, 2 unchanged." in done.stdout
    done = manage("import_contracts", str(as_csv))
    assert done.returncode == 2
    assert "the following arguments are required: --as" in done.stderr


def measures_file(path: Path, version: str) -> Path:
    headings = [column.name for column in MEASURE_COLUMNS]
    library = ["Our measures", version, "2026", "Council policy", "Our own"]
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(headings)
        writer.writerow([*library, "Skills", "Training", "SK1", "Apprentice weeks", "weeks", ""])
        writer.writerow([*library, "Skills", "Training", "SK2", "Training hours", "hours", "12"])
    return path


@commits
@runs("import_measures")
def test_import_measures_checks_then_imports_a_library(database, central_team, tmp_path):
    first = measures_file(tmp_path / "measures.csv", "2026/27")

    done = manage("import_measures", str(first), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "2 rows: 1 libraries would be added; 2 measures would be added" in done.stdout
    assert not MeasureLibrary.objects.filter(name="Our measures").exists()

    done = manage("import_measures", str(first))
    assert done.returncode == 0, done.stderr
    library = MeasureLibrary.objects.get(name="Our measures", version="2026/27")
    assert sorted(library.measures.values_list("code", flat=True)) == ["SK1", "SK2"]
    assert library.history.get().history_user is None  # made at the command line

    second = measures_file(tmp_path / "measures-2027.csv", "2027/28")
    done = manage("import_measures", str(second), "--as", central_team["partner"].email)
    assert done.returncode == 0, done.stderr
    library = MeasureLibrary.objects.get(name="Our measures", version="2027/28")
    assert library.history.get().history_user == central_team["partner"]
    assert Measure.objects.filter(code="SK2").count() == 2


@commits
@runs("import_cpv")
def test_import_cpv_checks_then_loads_the_cpv_list(database, central_team, tmp_path):
    path = tmp_path / "cpv_2008_ver_2013.csv"
    path.write_text(
        "\ufeffCODE,BG,EN\r\n3000000-1,BG,Agricultural products\r\n"
        "45000000-7,BG,Construction work\r\n",
        encoding="utf-8",
    )
    done = manage("import_cpv", str(path), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "2 rows: 2 CPV codes would be added, 0 updated, 0 unchanged" in done.stdout
    assert not CpvCode.objects.exists()

    done = manage("import_cpv", str(path))
    assert done.returncode == 0, done.stderr
    code = CpvCode.objects.get(code="03000000-1")
    assert code.history.get().history_user is None  # made at the command line

    done = manage("import_cpv", str(path), "--as", central_team["partner"].email)
    assert done.returncode == 1
    assert "may not import CPV codes" in done.stderr


# --- import_payments ----------------------------------------------------------------------------

PAYMENTS = Path(settings.BASE_DIR) / "spend" / "tests" / "files" / "no_line_column.csv"


@commits
@runs("import_payments")
def test_import_payments_checks_then_imports_a_finance_systems_file(database, central_team):
    from spend.models import Payment, PaymentImport, PaymentSource

    DirectorateFactory(name="Housing", code="hsg")
    done = manage("import_payments", str(PAYMENTS), "--source", "Oracle Fusion", "--check")
    assert done.returncode == 0, done.stderr
    assert "4 rows: 4 payments would be added, 0 already imported" in done.stdout
    assert not Payment.objects.exists()
    assert not PaymentSource.objects.exists()

    email = central_team["partner"].email
    done = manage("import_payments", str(PAYMENTS), "--source", "Oracle Fusion", "--as", email)
    assert done.returncode == 0, done.stderr
    assert "Added the finance system Oracle Fusion." in done.stdout
    assert "4 rows: 4 payments were added, 0 already imported" in done.stdout
    batch = PaymentImport.objects.get()
    assert (batch.source.name, batch.imported_by, batch.added) == (
        "Oracle Fusion",
        central_team["partner"],
        4,
    )
    assert batch.reason == "Imported from no_line_column.csv (import_payments)"

    # The same file again adds nothing; a saved mapping that does not exist is refused.
    done = manage("import_payments", str(PAYMENTS), "--source", "oracle fusion")
    assert "4 rows: 0 payments were added, 4 already imported" in done.stdout
    assert Payment.objects.count() == 4
    done = manage(
        "import_payments", str(PAYMENTS), "--source", "Oracle Fusion", "--mapping", "Nowhere"
    )
    assert done.returncode == 1
    assert "No mapping is saved as 'Nowhere'" in done.stderr


# --- The alert jobs -----------------------------------------------------------------------------


@commits
@runs("send_renewal_alerts")
def test_send_renewal_alerts_sends_a_days_alerts_once(database):
    contract = contract_ending(date(2027, 8, 31))

    done = manage("send_renewal_alerts", "--date", "2026-11-30", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert contract.reference in done.stdout
    assert "2 would be sent (dry run: nothing sent)" in done.stdout
    assert not Notification.objects.exists()

    done = manage("send_renewal_alerts", "--date", "2026-11-30")
    assert done.returncode == 0, done.stderr
    assert "2 renewal alerts due, 0 already sent; 2 sent now." in done.stdout
    assert Notification.objects.filter(kind="renewal", subject_id=contract.pk).count() == 2
    done = manage("send_renewal_alerts", "--date", "2026-11-30")
    assert "2 already sent; 0 sent now." in done.stdout
    assert Notification.objects.count() == 2

    done = manage("send_renewal_alerts", "--date", "30/11/2026")
    assert done.returncode == 1
    assert "--date must be a date as YYYY-MM-DD" in done.stderr
    # Without --date: today, and nothing sent twice.
    done = manage("send_renewal_alerts")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{timezone.localdate():%d/%m/%Y}: ")
    assert "; 0 sent now." in done.stdout
    assert Notification.objects.count() == 2


@commits
@runs("send_health_check_alerts")
def test_send_health_check_alerts_sends_each_check_due_once(database, make_user):
    from contracts.tests.factories import ContractFactory
    from performance.services import health_check_record

    head, manager = make_user(Role.HEAD_OF_PROCUREMENT), make_user(Role.CONTRACT_MANAGER)
    contract = ContractFactory(
        start_date=date(2025, 1, 1), end_date=date(2028, 1, 1), contract_manager=manager
    )
    health_check_record(
        supplier=contract.supplier,
        checked_on=date(2025, 5, 1),
        source="credit_reference",
        rating="adequate",
        notes="Credit score 62",
        by=head,
        today=date(2025, 5, 1),
    )
    done = manage("send_health_check_alerts", "--date", "2026-05-02", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert not Notification.objects.exists()
    done = manage("send_health_check_alerts", "--date", "2026-05-02")
    assert done.returncode == 0, done.stderr
    assert Notification.objects.filter(kind=Notification.Kind.HEALTH_CHECK).count() == 1
    done = manage("send_health_check_alerts", "--date", "2026-05-02")
    assert done.returncode == 0, done.stderr
    assert "0 sent now." in done.stdout
    assert Notification.objects.count() == 1


@commits
@runs("send_escalation_digests")
def test_send_escalation_digests_sends_a_weeks_digests_once(database, make_user):
    on = timezone.localdate() + timedelta(days=21)
    make_user(Role.HEAD_OF_PROCUREMENT)
    running_on = contract_ending(on - timedelta(days=10))
    told = {running_on.directorate.business_partner.email, running_on.lead_director.email}

    done = manage("send_escalation_digests", "--date", f"{on:%Y-%m-%d}", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "would be sent (dry run: nothing sent)" in done.stdout
    assert not Notification.objects.exists()

    done = manage("send_escalation_digests", "--date", f"{on:%Y-%m-%d}")
    assert done.returncode == 0, done.stderr
    digests = Notification.objects.filter(kind="escalation_digest")
    assert told <= set(digests.values_list("recipient__email", flat=True))
    sent = digests.count()
    assert f"{sent} escalation digests due, 0 already sent; {sent} sent now." in done.stdout
    done = manage("send_escalation_digests", "--date", f"{on:%Y-%m-%d}")
    assert f"{sent} already sent; 0 sent now." in done.stdout
    assert digests.count() == sent


@commits
@runs("match_payments")
def test_match_payments_matches_every_payment_again(database):
    from contracts.tests.factories import SupplierFactory
    from spend.models import Payment
    from spend.tests.factories import PaymentFactory

    payment = PaymentFactory(payee="Northmere Gardens Ltd")
    assert payment.supplier_match == Payment.SupplierMatch.WAITING
    supplier = SupplierFactory(name="NORTHMERE GARDENS LIMITED")

    done = manage("match_payments")
    assert done.returncode == 0, done.stderr
    assert "1 payments matched again." in done.stdout
    assert "Suppliers: Name: 1." in done.stdout
    payment.refresh_from_db()
    assert (payment.supplier, payment.supplier_match) == (supplier, Payment.SupplierMatch.NAME)

    done = manage("match_payments", "--source", payment.source.name)
    assert done.returncode == 0, done.stderr
    done = manage("match_payments", "--source", "No such system")
    assert done.returncode == 1
    assert "There is no payment source named 'No such system'." in done.stderr


# --- The annual report and the maturity framework -----------------------------------------------


@commits
@runs("build_annual_report")
def test_build_annual_report_builds_and_stores_a_version(database, tmp_path):
    media = environment(MEDIA_ROOT=str(tmp_path))
    reason = ["--reason", "For the committee"]
    done = manage("build_annual_report", "--year", "2025", *reason, env=media)
    assert done.returncode == 0, done.stderr
    report = AnnualReport.objects.get()
    assert (report.version, report.state, report.reason) == (1, "ready", "For the committee")
    assert done.stdout.startswith(f"Built Annual report 2025/26, version 1: {report.pages} pages")
    assert (tmp_path / report.file.name).read_bytes().startswith(b"%PDF")
    # As the README's example has it: no reason.
    done = manage("build_annual_report", "--year", "2025", env=media)
    assert done.returncode == 0, done.stderr
    assert AnnualReport.objects.filter(version=2, state="ready").exists()


def test_the_toolkit_script_writes_and_checks_the_framework(seeds_dir, tmp_path):
    source = seeds_dir / "004_f8a86b5e1766ee99.txt"
    output = tmp_path / "framework.json"
    env = {**environment(), "DATABASE_URL": "sqlite://:memory:"}

    def script(*arguments: str) -> subprocess.CompletedProcess:
        """``python -m scripts.parse_nps_toolkit <arguments>``, as the guide writes it."""
        return subprocess.run(
            [sys.executable, "-m", "scripts.parse_nps_toolkit", *arguments],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    done = script(str(source), "--output", str(output))
    assert done.returncode == 0, done.stderr
    assert "3 themes, 9 key areas, 51 behaviours" in done.stdout
    assert output.read_text(encoding="utf-8") == FRAMEWORK_FILE.read_text(encoding="utf-8")
    done = script(str(source), "--check")
    assert done.returncode == 0, done.stderr
    assert "matches" in done.stdout
    output.write_text("{}\n", encoding="utf-8")
    done = script(str(source), "--output", str(output), "--check")
    assert done.returncode == 1
    assert "differs from what" in done.stderr


# --- Django's own commands the README names -----------------------------------------------------


@commits
@runs("migrate")
def test_migrate_after_a_restore_has_nothing_to_do_and_retires_the_cached_pages(
    database, redis_url
):
    from procurement.caching import generation

    before = generation()
    done = manage("migrate", "--noinput", env=environment(REDIS_URL=redis_url))
    assert done.returncode == 0, done.stderr
    assert "No migrations to apply." in done.stdout
    assert generation() != before


@runs("check")
def test_check_deploy_is_clean_for_a_production_configuration():
    production = {
        name: value for name, value in environment().items() if name not in {"HTTPS_ONLY"}
    }
    production |= {
        "DEBUG": "false",
        "SECRET_KEY": STRONG_KEY,
        "ALLOWED_HOSTS": "procurement.example.gov.uk",
        "REDIS_URL": "redis://cache.internal:6379/0",  # named, not reached
        "SITE_URL": "https://procurement.example.gov.uk",
        "OCDS_PREFIX": "ocds-b5fd17",
        "COUNCIL_ID": "PMZV-7732-XZPV",
    }
    done = manage("check", "--deploy", "--fail-level", "WARNING", env=production)
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


@commits
@runs("changepassword")
def test_changepassword_sets_the_password_and_revokes_the_api_tokens(database, hashers, make_user):
    person = make_user(Role.PROCUREMENT_OFFICER, email="priya.shah@council.example")
    token, _ = api_token_create(
        user=person, name="Reports", expires_on=timezone.localdate() + timedelta(days=30), by=person
    )
    status, shown = converse(
        "changepassword",
        person.email,
        answers=[("Password: ", PASSWORD), ("Password (again): ", PASSWORD)],
        env=environment(),
    )
    assert status == 0, shown
    assert "Password changed successfully for user" in shown
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


@commits
@runs("createsuperuser")
def test_createsuperuser_makes_the_first_administrator(database, hashers):
    email = "first.admin@council.example"
    status, shown = converse(
        "createsuperuser",
        answers=[
            ("Email address: ", email),
            ("Password: ", PASSWORD),
            ("Password (again): ", PASSWORD),
        ],
        env=environment(),
    )
    assert status == 0, shown
    assert "Superuser created successfully." in shown
    administrator = User.objects.get(email=email)
    assert (administrator.is_superuser, administrator.is_staff) == (True, True)
    assert administrator.check_password(PASSWORD)
