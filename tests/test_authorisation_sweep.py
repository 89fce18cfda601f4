"""The authorisation sweep: every address the project defines, visited as an anonymous visitor
and as each role, with objects the visitor may and may not see, against docs/access.md.

Each refusal must be the one declared (a 403, a redirect to sign in, or the API's 401), never a
500; a refused POST writes nothing; and no page shows a visitor text planted in an object their
role may not see (tests/sweep_world.py). Each decision address is then sent the same decision
by someone out of the step's scope (refused, writing nothing) and someone within it (recorded).
The same council then has every form the sweep finds posted hostile values (hypothesis).
"""

import html
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from gateways.models import GatewayReview, StepDecision
from gateways.selectors import reviews_with_route
from gateways.services import current_step
from procurement.admin import site as admin_site
from procurement.models import User
from procurement.roles import Role
from tests import sweep_world
from tests.test_bad_input import hostile_cell as hostile_value

TABLE = Path(settings.BASE_DIR) / "docs" / "access.md"
VISITORS = ["anonymous", *[role.value for role in Role]]
HEADINGS = {
    "Anonymous": "anonymous",
    "Officer": Role.PROCUREMENT_OFFICER.value,
    "Manager": Role.CONTRACT_MANAGER.value,
    "Partner": Role.BUSINESS_PARTNER.value,
    "Head": Role.HEAD_OF_PROCUREMENT.value,
    "Legal": Role.CONSULTEE_LEGAL.value,
    "Finance": Role.CONSULTEE_FINANCE.value,
    "Comms": Role.CONSULTEE_COMMUNICATIONS.value,
    "Director": Role.EXECUTIVE_DIRECTOR.value,
    "Board": Role.OFFICER_BOARD_MEMBER.value,
    "Member": Role.LEAD_MEMBER.value,
    "Leadership": Role.LEADERSHIP_TEAM.value,
    "HoPS": Role.HEAD_OF_PAID_SERVICE.value,
    "CFO": Role.CHIEF_FINANCE_OFFICER.value,
    "Auditor": Role.AUDITOR.value,
    "Admin": Role.ADMINISTRATOR.value,
}


def _contract(c):
    return {"pk": c.pk}


# For each address naming objects: the kind of object A and B are, and its URL arguments.
ARGUMENTS = {
    "accounts:api_token_revoke": ("token", lambda t: {"pk": t.pk}),
    "procurement:person": ("person", lambda u: {"pk": u.pk}),
    "accounts:password_reset_confirm": (
        "departed",
        lambda u: {"uidb64": urlsafe_base64_encode(str(u.pk).encode()), "token": "set-password"},
    ),
    "contracts:import_preview": (None, lambda _: {"token": "an-upload-never-made"}),
    "contracts:import_progress": (None, lambda _: {"token": "an-upload-never-made"}),
    "contracts:import_problems": (None, lambda _: {"token": "an-upload-never-made"}),
    "procurement:cpv_import_preview": (None, lambda _: {"token": "an-upload-never-made"}),
    "procurement:cpv_import_progress": (None, lambda _: {"token": "an-upload-never-made"}),
    "procurement:cpv_import_problems": (None, lambda _: {"token": "an-upload-never-made"}),
    "procurement:export_job": (None, lambda _: {"token": "an-export-never-made"}),
    "procurement:export_progress": (None, lambda _: {"token": "an-export-never-made"}),
    "procurement:export_download": (None, lambda _: {"token": "an-export-never-made"}),
    "contracts:supplier_edit": ("supplier", lambda s: {"pk": s.pk}),
    "performance:supplier": ("resilience_supplier", lambda s: {"pk": s.pk}),
    "performance:health_check_create": ("resilience_supplier", lambda s: {"pk": s.pk}),
    "performance:supplier_plan": ("resilience_supplier", lambda s: {"pk": s.pk}),
    "performance:plan_download": ("resilience_plan", lambda p: {"pk": p.pk}),
    "contracts:download": (
        "contract_attachment",
        lambda a: {"pk": a.contract_id, "attachment_pk": a.pk},
    ),
    "gateways:propose_extension": ("contract", lambda c: {"contract_pk": c.pk}),
    "gateways:delegation_end": ("delegation", lambda d: {"pk": d.pk}),
    "gateways:weighting": ("strategy", lambda r: {"pk": r.pk}),
    "gateways:measures": ("strategy", lambda r: {"pk": r.pk}),
    "gateways:themes": ("strategy", lambda r: {"pk": r.pk}),
    "procurement:plan_theme": ("plan_theme", lambda t: {"pk": t.pk}),
    "procurement:plan_theme_edit": ("plan_theme", lambda t: {"pk": t.pk}),
    "api:plan-theme-detail": ("plan_theme", lambda t: {"pk": t.pk}),
    "gateways:kpi_remove": ("proposed_kpi", lambda k: {"pk": k.review_id, "kpi_pk": k.pk}),
    "gateways:download": (
        "report_attachment",
        lambda a: {"pk": a.review_id, "attachment_pk": a.pk},
    ),
    "gateways:bid_offers": ("bid", lambda b: {"pk": b.project_id, "bid_pk": b.pk}),
    "gateways:bid_score": ("bid", lambda b: {"pk": b.project_id, "bid_pk": b.pk}),
    "gateways:bid_moderate": ("bid", lambda b: {"pk": b.project_id, "bid_pk": b.pk}),
    "performance:kpi_edit": ("kpi", lambda k: {"pk": k.contract_id, "kpi_pk": k.pk}),
    "performance:kpi_return": ("kpi", lambda k: {"pk": k.contract_id, "kpi_pk": k.pk}),
    "performance:action_done": (
        "action",
        lambda a: {"pk": a.review.contract_id, "action_pk": a.pk},
    ),
    "socialvalue:library": ("library", lambda m: {"pk": m.pk}),
    "socialvalue:import_preview": (None, lambda _: {"token": "an-upload-never-made"}),
    "socialvalue:import_progress": (None, lambda _: {"token": "an-upload-never-made"}),
    "socialvalue:import_problems": (None, lambda _: {"token": "an-upload-never-made"}),
    "spend:import_preview": (None, lambda _: {"token": "an-upload-never-made"}),
    "spend:import_progress": (None, lambda _: {"token": "an-upload-never-made"}),
    "spend:import_problems": (None, lambda _: {"token": "an-upload-never-made"}),
    "socialvalue:commitment_change": (
        "commitment",
        lambda c: {"pk": c.contract_id, "commitment_pk": c.pk},
    ),
    "socialvalue:return_create": (
        "commitment",
        lambda c: {"pk": c.contract_id, "commitment_pk": c.pk},
    ),
    "socialvalue:evidence": (
        "evidence",
        lambda r: {"pk": r.commitment.contract_id, "return_pk": r.pk},
    ),
    "maturity:key_area": (
        "assessment",
        lambda a: {"pk": a.pk, "area_pk": sweep_world.first_key_area().pk},
    ),
    "maturity:score": (
        "assessment",
        lambda a: {"pk": a.pk, "area_pk": sweep_world.first_key_area().pk},
    ),
    "maturity:agree": (
        "assessment",
        lambda a: {"pk": a.pk, "area_pk": sweep_world.first_key_area().pk},
    ),
    "maturity:item": ("item", lambda i: {"pk": i.plan_id, "item_pk": i.pk}),
    "maturity:item_change": ("item", lambda i: {"pk": i.plan_id, "item_pk": i.pk}),
    "maturity:progress": ("item", lambda i: {"pk": i.plan_id, "item_pk": i.pk}),
    "alerts:notification": ("notification", lambda n: {"pk": n.pk}),
    "alerts:send_again": ("notification", lambda n: {"pk": n.pk}),
    "alerts:reassign_manager": ("departed", lambda u: {"user_pk": u.pk}),
    "reporting:figure": (None, lambda _: {"key": "running"}),
    "reporting:section": (None, lambda _: {"section": "savings"}),
    "api:contract-kpis": ("contract", lambda c: {"contract_pk": c.pk}),
    "api:contract-commitments": ("contract", lambda c: {"contract_pk": c.pk}),
    "api:supplier-detail": ("supplier", lambda s: {"pk": s.pk}),
    "api:measure-detail": ("library", lambda m: {"pk": m.measures.first().pk}),
    "api:not-found": (None, lambda _: {"rest": "no-such-thing/"}),
    "spend:queue_payee": ("payee", lambda p: {"source_pk": p.source_id, "key": p.payee_key}),
    "spend:queue_supplier": (
        "waiting_supplier",
        lambda p: {"pk": p.supplier_id, "directorate_pk": p.directorate_id},
    ),
    "opendata:record": ("contract", lambda c: {"ocid": sweep_world.ocid(c)}),
    "training:rule_edit": (None, lambda _: {"activity": "contract_management"}),
    "training:person": ("person", lambda u: {"pk": u.pk}),
    "opendata:notice": ("notifiable", lambda item: {"key": item.key}),
    "public_review:read": ("social_value_review", lambda r: {"year": r.year}),
    "public_review:pdf": ("social_value_review", lambda r: {"year": r.year}),
}
# Addresses whose single ``pk`` names the app's main object.
BY_PREFIX = [
    ("contracts:", "contract"),
    ("performance:", "contract"),
    ("socialvalue:return", "return"),
    ("socialvalue:", "contract"),
    ("gateways:project", "project"),
    ("gateways:start_report", "project"),
    ("gateways:evaluat", "tender"),
    ("gateways:declaration", "tender"),
    ("gateways:bid_add", "tender"),
    ("gateways:summary", "tender"),
    ("gateways:", "review"),
    ("maturity:plan", "plan"),
    ("maturity:tracker", "plan"),
    ("maturity:item_create", "plan"),
    ("maturity:", "assessment"),
    ("reporting:", "annual_report"),
    ("assurance:", "quarter"),
    ("public_report:", "annual_report"),
    ("training:course", "course"),
    ("api:contract", "contract"),
    ("api:project", "project"),
    ("api:review", "review"),
    ("api:assessment", "assessment"),
]
EXCEPTIONS_BY_NAME = {
    "performance:exception",
    "performance:exception_respond",
    "performance:exception_meeting",
    "performance:exception_close",
}
RETURN_ROUTES = {
    "socialvalue:return",
    "socialvalue:return_verify",
    "socialvalue:return_query",
    "socialvalue:return_correct",
}


def routes(resolver=None, prefix="", namespace=""):
    """Every (name, route, params) the project defines outside the admin."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from routes(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            params = sorted(pattern.pattern.regex.groupindex)
            yield namespace + (pattern.name or ""), route, params


def argument_maker(name: str, params: list[str]):
    """(kind, make kwargs from the object) for an address, or (None, None) if it names nothing."""
    if not params:
        return None, None
    if name in ARGUMENTS:
        return ARGUMENTS[name]
    if name in EXCEPTIONS_BY_NAME:
        return "exception", lambda e: {"pk": e.contract_id, "exception_pk": e.pk}
    if name in RETURN_ROUTES:
        return "return", lambda r: {"pk": r.commitment.contract_id, "return_pk": r.pk}
    assert params == ["pk"], f"{name} names {params}: say how the sweep fills them in"
    for start, kind in BY_PREFIX:
        if name.startswith(start):
            return kind, lambda obj: {"pk": obj.pk}
    raise AssertionError(f"{name}: say which object its pk names")


def declared_table() -> dict[str, dict[str, str]]:
    """docs/access.md as {address name: {visitor: cell}}."""
    rows: dict[str, dict[str, str]] = {}
    headings: list[str] = []
    for line in TABLE.read_text().splitlines():
        if not line.startswith("|"):
            headings = [] if not line.strip() else headings
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] == "Address":
            headings = [HEADINGS.get(cell, cell) for cell in cells]
            continue
        if not headings or set(cells[0]) <= {"-", ":", " "}:
            continue  # another table (the legend), or the heading's rule
        name = cells[1].strip("`")
        assert name not in rows, f"docs/access.md lists {name} twice"
        rows[name] = dict(zip(headings[3:], cells[3:], strict=True))
    return rows


SIGN_OUT = "accounts:sign_out"
REFUSED = {"403", "login", "401"}
WRITES = ("INSERT", "UPDATE", "DELETE")


def writes(queries) -> list[str]:
    """The statements that changed anything but the visitor's own session."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(WRITES) and "django_session" not in q["sql"]
    ]


def outcome(response, sign_in_urls) -> str:
    status = response.status_code
    if status in {301, 302, 303}:
        location = response["Location"].split("?")[0]
        return "login" if location in sign_in_urls else "302"
    return str(status)


def visitor_user(world, visitor):
    return None if visitor == "anonymous" else world.users[Role(visitor)]


def objects_for(world, kind, user):
    if kind is None:
        return [("A", None)]
    if kind in world.personal:
        own = world.personal[kind].get(user.pk if user else None)
        other = world.personal[kind][world.outsider.pk]
        return [("A", own or other), ("B", other)]
    a, b = world.objects[kind]
    return [("A", a)] + ([("B", b)] if b is not None else [])


def test_the_table_lists_every_address_once():
    defined = {name for name, _, _ in routes()}
    declared = set(declared_table())
    assert sorted(defined - declared) == [], "addresses missing from docs/access.md"
    assert sorted(declared - defined) == [], "docs/access.md lists addresses that do not exist"


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_address_answers_each_visitor_as_declared(world, db, visitor):
    """GET each address (an address that only takes POST is posted to, empty); then POST to every
    address the visitor was refused. Each answer must be the declared one, and a refusal writes
    nothing."""
    table = declared_table()
    user = visitor_user(world, visitor)
    client = Client()
    if user is not None:
        client.force_login(user)
    sign_in_urls = {reverse("accounts:sign_in"), reverse("admin:login")}
    secrets = [text for text, may_see in world.secrets if user is None or not may_see(user)]
    wrong, leaks, refused = [], [], []

    def visit(method, label, url, allowed):
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(url)
        got = outcome(response, sign_in_urls)
        if got not in allowed:
            declared = " or ".join(sorted(allowed))
            wrong.append(f"{method.upper()} {label} ({url}): declared {declared}, answered {got}")
        if got in REFUSED | {"405"} and writes(queries.captured_queries):
            wrong.append(f"{method.upper()} {label} ({url}): refused, but wrote to the database")
        if response.status_code == 200 and not response.streaming:
            body = response.content.decode(errors="replace")
            leaks.extend(f"{label} shows {text}" for text in secrets if text in body)
        return got

    for name, _route, params in routes():
        kind, make = argument_maker(name, params)
        cell = table[name][visitor]
        post_only = cell.startswith("POST ")
        parts = [part.strip() for part in cell.removeprefix("POST ").split("/")]
        for variant, obj in objects_for(world, kind, user):
            url = reverse(name, kwargs=make(obj) if make else None)
            want = parts[1] if variant == "B" and len(parts) > 1 else parts[0]
            got = visit("post" if post_only else "get", f"{name} {variant}", url, {want})
            if name == SIGN_OUT and user is not None:
                client.force_login(user)  # signing out is what the address does
            if got in REFUSED and not post_only:
                refused.append((f"{name} {variant}", url, got))
    for label, url, got in refused:
        # The same refusal, or 405 from an address that takes only GET; writing nothing.
        visit("post", label, url, {got, "405"})
    assert wrong == []
    assert leaks == []


def admin_addresses():
    """Every admin page: the index, each app, and each registered model's list, add, change,
    history and delete pages for its first row."""
    yield reverse("admin:index")
    labels = set()
    for model in admin_site._registry:
        meta = model._meta
        labels.add(meta.app_label)
        base = f"admin:{meta.app_label}_{meta.model_name}"
        yield reverse(f"{base}_changelist")
        yield reverse(f"{base}_add")
        first = model.objects.order_by("pk").first()
        if first is not None:
            for page in ("change", "history", "delete"):
                yield reverse(f"{base}_{page}", args=[first.pk])
    for label in sorted(labels):
        yield reverse("admin:app_list", args=[label])


@pytest.mark.parametrize("visitor", VISITORS)
def test_the_admin_is_for_administrators_alone(world, db, visitor):
    """docs/access.md: anonymous visitors are sent to sign in, administrators are served (or
    refused an action a read-only page does not offer), everyone else is refused."""
    user = visitor_user(world, visitor)
    client = Client()
    if user is not None:
        client.force_login(user)
    sign_in_urls = {reverse("accounts:sign_in"), reverse("admin:login")}
    wrong = []
    for url in admin_addresses():
        got = outcome(client.get(url), sign_in_urls)
        if visitor == "anonymous":
            allowed = {"login"}
        elif visitor == Role.ADMINISTRATOR.value:
            allowed = {"200", "403"}
        else:
            allowed = {"403"}
        if got not in allowed:
            wrong.append(f"{url}: answered {got}")
    assert wrong == []


# --- Every form, given hostile values -----------------------------------------------------------

POST_FORM = re.compile(r"<form([^>]*method=\"post\"[^>]*)>(.*?)</form>", re.S | re.I)
FORM_ACTION = re.compile(r"\baction=\"([^\"]*)\"", re.I)
FIELD_NAME = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)
# Who fills in each form: the first of these the table serves the page to.
FILLERS = [
    Role.ADMINISTRATOR,
    Role.HEAD_OF_PROCUREMENT,
    Role.PROCUREMENT_OFFICER,
    Role.CONTRACT_MANAGER,
    Role.BUSINESS_PARTNER,
    Role.EXECUTIVE_DIRECTOR,
]
# Found once for each world: the addresses name that world's objects, which another module's
# world (built and rolled back on the same worker) does not have.
_found: dict = {"world": None, "forms": []}


def form_pages(world) -> list[tuple[Role, str, list[str]]]:
    """(who, address, field names) for every signed-in page with a form that posts."""
    if _found["world"] is world:
        return _found["forms"]
    _forms: list[tuple[Role, str, list[str]]] = []
    _found.update(world=world, forms=_forms)
    table = declared_table()
    for name, _route, params in routes():
        cells = table[name]
        if cells["anonymous"] != "login":
            continue  # public pages: signing in and resetting passwords have their own tests
        filler = next(
            (role for role in FILLERS if cells[role.value].split("/")[0].strip() == "200"), None
        )
        if filler is None:
            continue
        kind, make = argument_maker(name, params)
        user = world.users[filler]
        obj = objects_for(world, kind, user)[0][1]
        url = reverse(name, kwargs=make(obj) if make else None)
        client = Client()
        client.force_login(user)
        response = client.get(url)
        if response.streaming or "text/html" not in response["Content-Type"]:
            continue
        for attributes, form in POST_FORM.findall(response.content.decode()):
            action = FORM_ACTION.search(attributes)
            target = html.unescape(action.group(1)) if action and action.group(1) else url
            fields = sorted(set(FIELD_NAME.findall(form)) - {"csrfmiddlewaretoken"})
            known = {(who, address) for who, address, _ in _forms}
            if (filler, target) in known or not fields or not target.startswith("/"):
                continue
            if not target.startswith("/accounts/sign-out"):
                _forms.append((filler, target, fields))
    return _forms


@given(data=st.data())
@hypothesis_settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # a failure names its form; no slow shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_form_answers_hostile_values_with_its_errors(world, db, data):
    """Each form, posted hostile values, either takes them (a redirect) or shows the GOV.UK error
    summary and writes nothing; it never fails."""
    forms = form_pages(world)
    assert len(forms) > 40
    problems = []
    for filler, url, fields in forms:
        client = Client()
        client.force_login(world.users[filler])
        values = {field: data.draw(hostile_value, label=f"{url} {field}") for field in fields}
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, values)
        if response.status_code in {302, 403}:
            continue  # taken, or refused because an earlier example changed what is allowed
        page = response.content.decode(errors="replace")
        if response.status_code != 200 or "govuk-error-summary" not in page:
            problems.append(f"{url}: answered {response.status_code} with no error summary")
        elif writes(queries.captured_queries):
            problems.append(f"{url}: showed errors but wrote to the database")
    assert problems == []


# --- Decisions in and out of scope --------------------------------------------------------------


def _as_form(decision: dict) -> dict:
    """A decision as the report page's form posts it (a GOV.UK date input is three fields)."""
    data = {}
    for key, value in decision.items():
        if isinstance(value, date):
            data |= {f"{key}_{part}": getattr(value, part) for part in ("day", "month", "year")}
        else:
            data[key] = value.pk if isinstance(value, User) else value
    return data


def _as_json(decision: dict) -> dict:
    def value(v):
        return v.isoformat() if isinstance(v, date) else v.pk if isinstance(v, User) else v

    return {key: value(v) for key, v in decision.items()}


# Every address that records a decision at a gateway step: how it is sent the decision, and what
# it answers when the decision is taken (a refusal is a 403 from both).
def _confirmed(client, url, decision: dict):
    """The decision as its check page confirms it: with the step and round it was checked at."""
    review = reviews_with_route().get(pk=resolve(url).kwargs["pk"])
    step = current_step(review)
    checked = {"confirm": "yes", "step": step.pk if step else "", "round": review.round}
    return client.post(url, _as_form(decision) | checked)


DECISION_ENDPOINTS = {
    "gateways:decide": (_confirmed, 302),
    "api:review-decide": (
        lambda client, url, d: client.post(url, _as_json(d), content_type="application/json"),
        201,
    ),
}


def test_every_decision_endpoint_is_checked_in_and_out_of_scope():
    deciding = {name for name, _route, _params in routes() if "decide" in name}
    assert deciding == set(DECISION_ENDPOINTS)


@pytest.mark.parametrize("case_name", sweep_world.DECISION_CASES)
@pytest.mark.parametrize("endpoint", sorted(DECISION_ENDPOINTS))
def test_a_decision_is_refused_out_of_scope_and_taken_within_it(world, db, endpoint, case_name):
    """The same decision at a scoped step, sent first by someone of the step's role who may not
    take it here (an executive director of another directorate; a Lead Member whose portfolio
    lacks the directorate; a delegate for a colleague who has not delegated that role), then by
    someone who may: refused with a 403 (the API saying why) and nothing written, then taken."""
    send, taken = DECISION_ENDPOINTS[endpoint]
    case = sweep_world.decision_case(world, case_name)
    review = case.review
    review.refresh_from_db()
    url = reverse(endpoint, kwargs={"pk": review.pk})
    decisions = StepDecision.objects.filter(step__review=review)
    before = (review.state, review.round, decisions.count())

    client = Client()
    client.force_login(case.outside.person)
    with CaptureQueriesContext(connection) as queries:
        response = send(client, url, case.decision)
    assert response.status_code == 403
    if endpoint.startswith("api:"):
        assert response.json() == {"detail": case.outside.refusal}
    assert writes(queries.captured_queries) == []
    review.refresh_from_db()
    assert (review.state, review.round, decisions.count()) == before

    if case.within.first is not None:
        case.within.first()
    client = Client()
    client.force_login(case.within.person)
    response = send(client, url, case.decision)
    assert response.status_code == taken, response.content.decode(errors="replace")[:2000]
    decision = decisions.get(decided_by=case.within.person)
    on_behalf_of = case.decision.get("on_behalf_of")
    assert (decision.outcome, decision.role, decision.on_behalf_of) == (
        "approved",
        case.role,
        on_behalf_of,
    )
    if endpoint.startswith("api:"):
        assert response.json()["on_behalf_of"] == (
            on_behalf_of.get_full_name() if on_behalf_of else None
        )
    else:
        assert response["Location"] == reverse("gateways:review", args=[review.pk])
    review.refresh_from_db()
    assert review.state == GatewayReview.State.APPROVED
