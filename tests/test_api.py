"""The API: personal tokens, permissions that match the pages, the register's filters, the
gateway actions under the same rules as the pages, errors as JSON, throttling and the schema."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.tests.factories import ContractOverFiftyThousandFactory
from gateways.models import GatewayReview
from gateways.services import review_create, review_submit
from gateways.tests.factories import G1_REPORT, ProjectFactory, TierBProjectFactory
from procurement.models import ApiToken
from procurement.roles import Role
from procurement.services import ProcurementError
from procurement.tokens import api_token_create, api_token_revoke, token_hash

pytestmark = pytest.mark.django_db


def token_for(user, name="Finance system", days=30) -> str:
    _, key = api_token_create(
        user=user, name=name, expires_on=timezone.localdate() + timedelta(days=days), by=user
    )
    return key


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


# --- Tokens -----------------------------------------------------------------------------------


def test_a_token_is_shown_once_kept_as_a_hash_and_acts_as_its_owner(make_user):
    officer = make_user(Role.PROCUREMENT_OFFICER)
    key = token_for(officer)
    token = ApiToken.objects.get()
    assert key.startswith("pgv_")
    assert len(key) > 40
    assert token.key_hash == token_hash(key)
    assert key.startswith(token.prefix)
    assert token.history.get().history_change_reason == "Token made"
    response = client_with(key).get("/api/v1/contracts/")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert client_with(key).get("/api/v1/contracts/?problem=no_manager").status_code == 200
    # The officer's roles and nothing more: another directorate's contract's KPIs are refused.
    elsewhere = ContractOverFiftyThousandFactory()
    assert client_with(key).get(f"/api/v1/contracts/{elsewhere.pk}/kpis/").status_code == 403


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Bearer pgv_not-a-real-token", "The token is not known, has expired or was revoked."),
        ("Bearer", "Give the token after “Bearer ” and nothing else."),
    ],
)
def test_a_bad_token_is_refused_with_a_json_error(header, detail):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/contracts/")
    assert response.status_code == 401
    assert response.json() == {"detail": detail}


def test_expired_revoked_and_leavers_tokens_stop_working(make_user):
    officer = make_user(Role.PROCUREMENT_OFFICER)
    key = token_for(officer, days=1)
    token = ApiToken.objects.get()
    token.expires_on = timezone.localdate() - timedelta(days=1)
    token.save()
    assert client_with(key).get("/api/v1/contracts/").status_code == 401
    key = token_for(officer, name="Portal")
    token = ApiToken.objects.get(name="Portal")
    api_token_revoke(token=token, by=officer)
    assert client_with(key).get("/api/v1/contracts/").status_code == 401
    assert token.history.first().history_change_reason == "Token revoked"
    key = token_for(officer, name="Portal")  # the name is free again once revoked
    officer.is_active = False
    officer.save()
    assert client_with(key).get("/api/v1/contracts/").status_code == 401


def test_making_a_token_refuses_bad_terms(make_user):
    officer, other = make_user(Role.PROCUREMENT_OFFICER), make_user(Role.PROCUREMENT_OFFICER)
    today = timezone.localdate()
    for name, expires, message in (
        (" ", today + timedelta(days=1), "Name the token"),
        ("X", today, "must be in the future"),
        ("X", today + timedelta(days=367), "a year at most"),
    ):
        with pytest.raises(ProcurementError, match=message):
            api_token_create(user=officer, name=name, expires_on=expires, by=officer)
    with pytest.raises(ProcurementError, match="Only the owner"):
        api_token_create(user=officer, name="X", expires_on=today + timedelta(1), by=other)
    token_for(officer, name="X")
    with pytest.raises(ProcurementError, match="already have a token called"):
        token_for(officer, name="x")
    assert ApiToken.objects.count() == 1


def test_the_tokens_page_makes_shows_once_and_revokes(client, make_user):
    officer = make_user(Role.PROCUREMENT_OFFICER)
    other = make_user(Role.PROCUREMENT_OFFICER)
    client.force_login(officer)
    url = reverse("accounts:api_tokens")
    expires = timezone.localdate() + timedelta(days=90)
    response = client.post(
        url,
        {
            "name": "Finance system",
            "expires_on_day": expires.day,
            "expires_on_month": expires.month,
            "expires_on_year": expires.year,
        },
    )
    assert response.status_code == 302  # a refresh does not post again
    response = client.get(response["Location"])
    body = response.content.decode()
    token = ApiToken.objects.get()
    assert "Copy it now: it will not be shown again." in body
    key = re.search(r'id="new-token"\s+type="text"\s+value="([^"]+)"', body).group(1)
    assert token.key_hash == token_hash(key)
    assert response["Cache-Control"] == "no-store"
    assert key not in client.get(url).content.decode()
    bad = client.post(url, {"name": ""})
    assert "Name the token after what will use it" in bad.content.decode()
    assert ApiToken.objects.count() == 1
    client.force_login(other)
    assert client.post(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 403
    client.force_login(officer)
    client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_new_tokens_key_left_in_the_session_is_dropped_unseen_after_a_minute(client, make_user):
    import time

    from procurement.views import NEW_TOKEN

    officer = make_user(Role.PROCUREMENT_OFFICER)
    client.force_login(officer)
    token, key = api_token_create(
        user=officer,
        name="Left behind",
        expires_on=timezone.localdate() + timedelta(days=30),
        by=officer,
    )
    session = client.session
    session[NEW_TOKEN] = {"id": token.pk, "key": key, "at": time.time() - 61}
    session.save()
    page = client.get(reverse("accounts:api_tokens")).content.decode()
    assert key not in page
    assert NEW_TOKEN not in client.session


# --- Permissions match the pages --------------------------------------------------------------


PAIRS = [
    ("/contracts/", "/api/v1/contracts/"),
    ("/contracts/suppliers/", "/api/v1/suppliers/"),
    ("/gateways/", "/api/v1/projects/"),
    ("/social-value/measures/", "/api/v1/measures/"),
    ("/maturity/", "/api/v1/assessments/"),
]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_through_the_api_what_it_reaches_on_the_pages(client, make_user, role):
    user = make_user(role)
    client.force_login(user)
    api = client_with(token_for(user))
    for page, endpoint in PAIRS:
        assert client.get(page).status_code == api.get(endpoint).status_code, (role, endpoint)


def test_anonymous_callers_are_refused_with_a_json_error(client):
    for _, endpoint in PAIRS:
        response = APIClient().get(endpoint)
        assert response.status_code in (401, 403)
        assert "detail" in response.json()


def test_a_kpi_list_follows_who_may_see_the_contracts_performance(make_user):
    contract = ContractOverFiftyThousandFactory()
    manager = contract.contract_manager
    manager.groups.add(*make_user(Role.CONTRACT_MANAGER).groups.all())
    url = f"/api/v1/contracts/{contract.pk}/kpis/"
    assert client_with(token_for(manager)).get(url).status_code == 200
    outsider = make_user(Role.CONTRACT_MANAGER)
    assert client_with(token_for(outsider)).get(url).status_code == 403
    assert (
        client_with(token_for(manager, name="2")).get("/api/v1/contracts/999999/kpis/").status_code
        == 404
    )


def _draft(author):
    project = ProjectFactory(directorate=author.directorate)
    return review_create(
        author=author, stage="G1", summary="Strategy", project=project, report=G1_REPORT
    )


def test_an_officer_cannot_read_another_directorates_draft(client, make_user):
    author = make_user(Role.PROCUREMENT_OFFICER)
    draft = _draft(author)
    colleague = make_user(Role.PROCUREMENT_OFFICER, directorate=author.directorate)
    outsider = make_user(Role.PROCUREMENT_OFFICER)
    auditor = make_user(Role.AUDITOR)
    for user, allowed in ((author, True), (colleague, True), (outsider, False), (auditor, True)):
        api = client_with(token_for(user))
        listed = [row["id"] for row in api.get("/api/v1/reviews/").json()["results"]]
        assert (draft.pk in listed) is allowed, user
        assert api.get(f"/api/v1/reviews/{draft.pk}/").status_code == (200 if allowed else 403)
        client.force_login(user)
        page = client.get(reverse("gateways:review", args=[draft.pk]))
        assert page.status_code == (200 if allowed else 403)
    submitted = review_submit(review=draft, by=author)
    assert (
        client_with(token_for(outsider, name="2"))
        .get(f"/api/v1/reviews/{submitted.pk}/")
        .status_code
        == 200
    )


def test_each_step_says_who_must_act_any_one_or_each(make_user):
    author = make_user(Role.PROCUREMENT_OFFICER)
    project = TierBProjectFactory(directorate=author.directorate)
    review = review_create(
        author=author, stage="G1", summary="Strategy", project=project, report=G1_REPORT
    )
    review_submit(review=review, by=author)
    steps = client_with(token_for(author)).get(f"/api/v1/reviews/{review.pk}/").json()["steps"]
    assert [(step["must"], step["roles"]) for step in steps[:2]] == [
        ("any", ["Business partner", "Head of procurement"]),
        (
            "all",
            [
                "Statutory consultee (communications)",
                "Statutory consultee (finance)",
                "Statutory consultee (legal)",
            ],
        ),
    ]


def test_gateway_actions_follow_the_services_rules(make_user):
    author = make_user(Role.PROCUREMENT_OFFICER, Role.BUSINESS_PARTNER)
    draft = _draft(author)
    api = client_with(token_for(author))
    auditor = client_with(token_for(make_user(Role.AUDITOR)))
    assert auditor.post(f"/api/v1/reviews/{draft.pk}/submit/").status_code == 403
    submitted = api.post(f"/api/v1/reviews/{draft.pk}/submit/")
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "in_review"
    assert len(submitted.json()["steps"]) == 2
    # Segregation of duties: the author, though a business partner, cannot approve it. A refusal
    # of the person, as on the pages: 403, saying why.
    refused = api.post(
        f"/api/v1/reviews/{draft.pk}/decide/", {"outcome": "approved"}, format="json"
    )
    assert refused.status_code == 403
    assert refused.json() == {"detail": "You wrote this report, so you cannot decide on it."}
    assert (
        auditor.post(
            f"/api/v1/reviews/{draft.pk}/decide/", {"outcome": "approved"}, format="json"
        ).status_code
        == 403
    )
    partner = client_with(token_for(make_user(Role.BUSINESS_PARTNER)))
    bad = partner.post(f"/api/v1/reviews/{draft.pk}/decide/", {"outcome": "maybe"}, format="json")
    assert bad.status_code == 400
    assert "outcome" in bad.json()
    decided = partner.post(
        f"/api/v1/reviews/{draft.pk}/decide/", {"outcome": "approved"}, format="json"
    )
    assert decided.status_code == 201
    assert decided.json()["outcome"] == "approved"
    draft.refresh_from_db()
    assert draft.state == GatewayReview.State.IN_REVIEW  # on to the executive director's step


def test_session_callers_need_the_csrf_token_to_act(make_user):
    author = make_user(Role.PROCUREMENT_OFFICER)
    draft = _draft(author)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(author)
    assert client.post(f"/api/v1/reviews/{draft.pk}/submit/").status_code == 403


# --- The register's filters, the CSV, errors, throttling and the schema ------------------------


def test_the_register_filters_and_sorts_as_the_page_does(make_user):
    small = ContractOverFiftyThousandFactory(whole_life_value=60000)
    large = ContractOverFiftyThousandFactory(whole_life_value=2000000)
    api = client_with(token_for(make_user(Role.AUDITOR)))
    rows = api.get("/api/v1/contracts/?value=over_1_5m").json()
    assert [r["reference"] for r in rows["results"]] == [large.reference]
    ordered = api.get("/api/v1/contracts/?sort=value&order=desc").json()["results"]
    assert [r["reference"] for r in ordered] == [large.reference, small.reference]
    detail = api.get(f"/api/v1/contracts/{large.pk}/").json()
    assert (detail["status"], detail["events"]) == ("active", [])
    bad = api.get("/api/v1/contracts/?value=huge&sort=colour")
    assert bad.status_code == 400
    assert "value" in bad.json()
    csv = api.get("/api/v1/transparency.csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert large.reference in b"".join(csv.streaming_content).decode()


def test_a_person_is_throttled_whichever_of_their_tokens_they_use(settings, make_user):
    settings.API_RATE = "3/minute"
    cache.clear()
    user = make_user(Role.AUDITOR)
    first, second = client_with(token_for(user)), client_with(token_for(user, name="Other"))
    assert [first.get("/api/v1/suppliers/").status_code for _ in range(3)] == [200, 200, 200]
    refused = second.get("/api/v1/suppliers/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"]
    # Someone else's requests are their own.
    someone_else = client_with(token_for(make_user(Role.AUDITOR)))
    assert someone_else.get("/api/v1/suppliers/").status_code == 200
    cache.clear()


def test_the_schema_and_its_documentation_are_served_here(client, make_user):
    api = client_with(token_for(make_user(Role.AUDITOR)))
    schema = api.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/reviews/{id}/decide/" in paths
    assert "400" in paths["/api/v1/reviews/{id}/decide/"]["post"]["responses"]
    assert APIClient().get("/api/schema/").status_code in (401, 403)
    client.force_login(make_user(Role.LEAD_MEMBER))
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert "https://" not in docs.replace("https://www.w3.org", "")


def test_the_documentation_keeps_scripts_strict(client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    policy = client.get("/api/docs/")["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "style-src 'self' 'unsafe-inline'" in policy
