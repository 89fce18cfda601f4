"""Roles and access: every view is closed unless it declares who may use it."""

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from procurement.access import PUBLIC, access_rule_of
from procurement.roles import Role

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "accounts:sign_in",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_complete",
    "accounts:signed_out",
    "procurement:accessibility",
    "healthz",
]
SIGNED_IN_PAGES = [
    "procurement:home",
    "procurement:reference_data",
    "accounts:password_change",
    "accounts:password_change_done",
]


def all_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from all_patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def test_every_view_declares_an_access_rule():
    undeclared = [route for route, p in all_patterns() if access_rule_of(p.callback) is None]
    assert undeclared == []


def test_the_api_views_check_access_themselves():
    """The access middleware leaves them to DRF, where every view names a permission."""
    from config.api import not_found
    from procurement.access import API

    api = [(route, p) for route, p in all_patterns() if access_rule_of(p.callback) == API]
    assert api
    for route, pattern in api:
        assert route.startswith("api/"), route
        if pattern.callback is not_found:  # the API's own 404, for any other address
            continue
        assert getattr(pattern.callback.cls, "permission_required", None), route


def test_only_the_declared_pages_are_public():
    public = sorted(route for route, p in all_patterns() if access_rule_of(p.callback) == PUBLIC)
    assert public == sorted(
        [
            "accessibility/",
            "accounts/sign-in/",
            "accounts/sign-out/",
            "accounts/signed-out/",
            "accounts/password-reset/",
            "accounts/password-reset/sent/",
            "accounts/password-reset/<uidb64>/<token>/",
            "accounts/password-reset/done/",
            "healthz",
            "maturity/framework.json",
            "admin/login/",
            "register/",
            "register/transparency.csv",
            "open-data/ocds/releases.json",
            "open-data/ocds/records/<str:ocid>.json",
            # What the strategy promises the public (docs/decisions/0053).
            "annual-report/",
            "annual-report/<int:pk>/",
            "annual-report/<int:pk>/report.pdf",
            "forward-plan/",
            "forward-plan/forward-plan.csv",
            "social-value-review/",
            "social-value-review/<int:year>/",
            "social-value-review/<int:year>/review.pdf",
        ]
    )


def test_a_view_without_a_rule_is_refused(client, user_for_role, settings):
    # A deliberately undeclared view, mounted for this test only.
    settings.ROOT_URLCONF = "procurement.tests.urls_undeclared"
    client.force_login(user_for_role(Role.ADMINISTRATOR))
    response = client.get("/undeclared/")
    assert response.status_code == 403


def test_migration_creates_a_group_for_every_role():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.label for role in Role}


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_open_to_anyone(client, name):
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", [*SIGNED_IN_PAGES, "admin:index"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:sign_in')}?next={url}"


@pytest.mark.parametrize("name", [*SIGNED_IN_PAGES, "admin:index"])
def test_a_user_without_a_role_is_refused_everywhere_but_sign_in(client, make_user, name):
    client.force_login(make_user())
    assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("accounts:sign_in")).status_code in {200, 302}


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reaches_home_and_reference_data(client, user_for_role, role):
    client.force_login(user_for_role(role))
    for name in SIGNED_IN_PAGES:
        assert client.get(reverse(name)).status_code == 200, name


@pytest.mark.parametrize("role", list(Role))
def test_only_administrators_reach_the_admin(client, user_for_role, role):
    client.force_login(user_for_role(role))
    expected = 200 if role == Role.ADMINISTRATOR else 403
    assert client.get(reverse("admin:index")).status_code == expected
    assert client.get(reverse("admin:procurement_user_changelist")).status_code == expected


@pytest.mark.parametrize("role", list(Role))
def test_navigation_shows_each_role_only_what_it_may_use(client, user_for_role, role):
    client.force_login(user_for_role(role))
    navigation = client.get(reverse("procurement:home")).context["navigation"]
    labels = [item["text"] for item in navigation]
    performance = {
        Role.PROCUREMENT_OFFICER: ["Performance"],
        Role.CONTRACT_MANAGER: ["Performance"],
        Role.BUSINESS_PARTNER: ["Performance"],
        Role.HEAD_OF_PROCUREMENT: ["Performance"],
        Role.ADMINISTRATOR: ["Performance"],
        Role.AUDITOR: ["Performance"],
        Role.LEAD_MEMBER: ["Key contracts"],
        Role.LEADERSHIP_TEAM: ["Key contracts"],
        Role.EXECUTIVE_DIRECTOR: ["Key contracts"],
        Role.OFFICER_BOARD_MEMBER: ["Key contracts"],
        Role.HEAD_OF_PAID_SERVICE: ["Key contracts"],
        Role.CHIEF_FINANCE_OFFICER: ["Key contracts"],
    }.get(role, [])
    # Lead Members, the leadership, the central team and auditors read the dashboard and the
    # annual reports.
    readers = {
        Role.LEAD_MEMBER,
        Role.LEADERSHIP_TEAM,
        Role.EXECUTIVE_DIRECTOR,
        Role.OFFICER_BOARD_MEMBER,
        Role.BUSINESS_PARTNER,
        Role.HEAD_OF_PROCUREMENT,
        Role.HEAD_OF_PAID_SERVICE,
        Role.CHIEF_FINANCE_OFFICER,
        Role.AUDITOR,
    }
    # Every council role reads social value and the maturity results; none of the public does.
    # The roles a gateway route asks to review, comment or decide see what waits for them.
    approvers = {
        Role.BUSINESS_PARTNER,
        Role.HEAD_OF_PROCUREMENT,
        Role.CONSULTEE_LEGAL,
        Role.CONSULTEE_FINANCE,
        Role.CONSULTEE_COMMUNICATIONS,
        Role.EXECUTIVE_DIRECTOR,
        Role.OFFICER_BOARD_MEMBER,
        Role.LEAD_MEMBER,
        Role.LEADERSHIP_TEAM,
    }
    expected = [
        *(["Awaiting my decision (0)"] if role in approvers else []),
        *(["Dashboard"] if role in readers else []),
        "Contracts",
        *performance,
        "Social value",
        "Forward plan",
        "Reference data",
        "Maturity",
    ]
    # Spend: the central team, officers, the readers of summaries, auditors and administrators.
    if role in readers | {Role.PROCUREMENT_OFFICER, Role.ADMINISTRATOR}:
        expected.append("Spend")
    # Quarterly assurance: the central team compiles it, the two statutory officers sign it,
    # auditors read it.
    if role in {
        Role.BUSINESS_PARTNER,
        Role.HEAD_OF_PROCUREMENT,
        Role.HEAD_OF_PAID_SERVICE,
        Role.CHIEF_FINANCE_OFFICER,
        Role.AUDITOR,
    }:
        expected.append("Assurance")
    # The Procurement Act notices: the central team records them; administrators and auditors read.
    if role in {Role.BUSINESS_PARTNER, Role.HEAD_OF_PROCUREMENT, Role.ADMINISTRATOR, Role.AUDITOR}:
        expected.append("Procurement Act")
    # The training programme: the central team keeps it; auditors and the council's leadership
    # read it (administrators, whose bar is full, from their home page).
    if role in {
        Role.BUSINESS_PARTNER,
        Role.HEAD_OF_PROCUREMENT,
        Role.AUDITOR,
        Role.EXECUTIVE_DIRECTOR,
        Role.OFFICER_BOARD_MEMBER,
        Role.LEAD_MEMBER,
        Role.LEADERSHIP_TEAM,
        Role.HEAD_OF_PAID_SERVICE,
        Role.CHIEF_FINANCE_OFFICER,
    }:
        expected.append("Training")
    # The notification ledger is for administrators, and auditors read it.
    if role in {Role.ADMINISTRATOR, Role.AUDITOR}:
        expected.append("Notifications")
    if role in readers:
        expected.append("Annual reports")
    # The audit trail of each person: auditors and administrators.
    if role in {Role.ADMINISTRATOR, Role.AUDITOR}:
        expected.append("People")
    if role == Role.ADMINISTRATOR:
        expected.append("Administration")
    assert labels == expected


def test_a_deactivated_user_loses_their_roles(client, make_user):
    user = make_user(Role.BUSINESS_PARTNER)
    assert user.has_perm("procurement.use_service")
    user.is_active = False
    assert user.roles == frozenset()
    assert not user.has_perm("procurement.use_service")


def test_the_403_page_is_styled_and_says_why(client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()
    assert "govuk-template" in response.content.decode()


def test_the_404_page_is_styled(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_500_page_renders_without_the_database(rf, django_db_blocker):
    from procurement.views import server_error

    with django_db_blocker.block():
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
