"""Every page type, in Chromium with axe-core (WCAG 2.2 A and AA), as the roles that use it; and
the main journey with the keyboard alone.

The pages come from the access table (docs/access.md): every page type (template) that serves
HTML, opened as the first of the central team and officers it is served to, else the first of the
readers (Lead Member, auditor, director, consultee), else as the public, on the authorisation
sweep's council.

Each page is also read at 320 CSS pixels (WCAG 2.2 1.4.10 Reflow): the document may not be wider
than the screen, only a table's own container may scroll. At 1280 pixels the menu keeps to one
row, and every page's title names the page, the service and the council.
"""

from collections import defaultdict

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from procurement.roles import Role
from tests import sweep_world
from tests.browser.conftest import AccessibilityAudit
from tests.test_authorisation_sweep import argument_maker, declared_table, objects_for, routes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DOERS = [
    Role.BUSINESS_PARTNER,
    Role.PROCUREMENT_OFFICER,
    Role.CONTRACT_MANAGER,
    Role.HEAD_OF_PROCUREMENT,
    Role.ADMINISTRATOR,
]
READERS = [
    Role.LEAD_MEMBER,
    Role.AUDITOR,
    Role.EXECUTIVE_DIRECTOR,
    Role.CONSULTEE_LEGAL,
    # The statutory officers who review and sign the quarterly assurance report.
    Role.HEAD_OF_PAID_SERVICE,
    Role.CHIEF_FINANCE_OFFICER,
]
# The API's own documentation is Swagger UI, not a GOV.UK page: drawn by script after it loads,
# it is audited on its own, once drawn (below).
NOT_GOVUK = {"api:docs"}
WIDE = {"width": 1280, "height": 720}
NARROW = {"width": 320, "height": 800}

# The element furthest past the right edge of the screen that is not inside a container of its
# own that scrolls or clips (a table's container): what makes the page scroll sideways.
WIDER_THAN_THE_SCREEN = """() => {
  const width = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth <= width) return null;
  const contained = (element) => {
    // A positioned element is clipped only by a container around the box it is placed in.
    const position = getComputedStyle(element).position;
    let p = position === "fixed" ? null
      : position === "absolute" ? element.offsetParent : element.parentElement;
    for (; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  let widest = null;
  for (const element of document.body.querySelectorAll("*")) {
    const right = element.getBoundingClientRect().right;
    if (right > width && !contained(element) && (!widest || right > widest.right)) {
      widest = {element, right};
    }
  }
  const describe = (element) =>
    element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
    [...element.classList].map((name) => "." + name).join("") +
    ' "' + element.textContent.trim().replace(/\\s+/g, " ").slice(0, 60) + '"';
  return {
    scrollWidth,
    width,
    widest: widest ? `${describe(widest.element)} reaches ${Math.round(widest.right)}px` : "?",
  };
}"""
# The rows the menu's items sit on (an item lower by more than a few pixels starts a new row).
MENU_ROWS = """() => {
  const tops = [...document.querySelectorAll(".govuk-service-navigation__item")]
    .filter((item) => item.getClientRects().length)
    .map((item) => item.getBoundingClientRect().top);
  return tops.filter((top, i) => i === 0 || top - tops[i - 1] > 8).length;
}"""


def served(cell: str) -> bool:
    return not cell.startswith("POST") and cell.split("/")[0].strip() == "200"


def pages_to_visit(world) -> dict[str, list[str]]:
    """Visitor (a role's value, or anonymous) -> the HTML addresses to open as them."""
    table = declared_table()
    visits: dict[str, list[str]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for name, _route, params in routes():
        if name in NOT_GOVUK:
            continue
        cells = table[name]
        # The page as one who acts on it, else one who reads it, else the public.
        candidates = [role.value for role in DOERS + READERS] + ["anonymous"]
        visitors = (
            [next(v for v in candidates if served(cells[v]))]
            if any(served(cells[v]) for v in candidates)
            else []
        )
        kind, make = argument_maker(name, params)
        for visitor in visitors:
            user = None if visitor == "anonymous" else world.users[Role(visitor)]
            obj = objects_for(world, kind, user)[0][1]
            url = reverse(name, kwargs=make(obj) if make else None)
            client = Client()
            if user is not None:
                client.force_login(user)
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            # Pages drawn by the same template as the same visitor are one page type.
            page_type = (visitor, response.templates[0].name if response.templates else url)
            if page_type not in seen:
                seen.add(page_type)
                visits[visitor].append(url)
    return visits


def test_every_page_type_passes_axe_as_the_roles_that_use_it(live_server, browser):
    world = sweep_world.build()
    visits = pages_to_visit(world)
    assert sum(len(urls) for urls in visits.values()) > 70
    problems = []
    for visitor, urls in visits.items():
        context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
        if visitor != "anonymous":
            client = Client()
            client.force_login(world.users[Role(visitor)])
            cookie = client.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(15_000)
        audit = AccessibilityAudit(page)
        for url in urls:
            page.goto(f"{live_server.url}{url}")
            try:
                audit.check()
            except AssertionError as failure:
                problems.append(f"as {visitor}: {failure}")
            problems.extend(f"as {visitor}, {url}: {problem}" for problem in looks(page))
        context.close()
    assert problems == [], "\n\n".join(problems)


def looks(page) -> list[str]:
    """What is wrong with the page's title, its menu at 1280 px and its width at 320 px."""
    problems = []
    title = page.title()
    dash = "\N{EN DASH}"
    ending = f" {dash} {settings.SERVICE_NAME} {dash} {settings.COUNCIL_NAME}"
    if not title.endswith(ending) or not title.removesuffix(ending).strip():
        problems.append(f"the title {title!r} does not name the page, then{ending}")
    rows = page.evaluate(MENU_ROWS)
    if rows > 1:
        problems.append(f"at {WIDE['width']} px the menu takes {rows} rows")
    # The same page, not reloaded, on a small screen (or zoomed to 400%).
    page.set_viewport_size(NARROW)
    wider = page.evaluate(WIDER_THAN_THE_SCREEN)
    page.set_viewport_size(WIDE)
    if wider:
        problems.append(
            f"at {wider['width']} px the page is {wider['scrollWidth']} px wide: {wider['widest']}"
        )
    return problems


def test_the_api_documentation_passes_axe_once_drawn_and_opened(live_server, sign_in, make_user):
    page, audit = sign_in(make_user(Role.PROCUREMENT_OFFICER))
    page.goto(f"{live_server.url}{reverse('api:docs')}")
    operations = page.locator(".swagger-ui .opblock-summary-control")
    operations.first.wait_for()
    assert operations.count() > 10
    audit.check()
    # An operation opened, with its parameters, responses and "Try it out".
    operations.first.click()
    page.get_by_role("button", name="Try it out").wait_for()
    audit.check()


def test_a_contract_is_found_and_opened_with_the_keyboard_alone(live_server, page, make_user):
    """Sign in, reach the register, search it and open a contract: Tab, type and Enter only."""
    from conftest import TEST_PASSWORD
    from contracts.tests.factories import ContractFactory

    user = make_user(Role.PROCUREMENT_OFFICER)
    contract = ContractFactory(title="Keyboard journey home care", directorate=user.directorate)
    audit = AccessibilityAudit(page)
    page.goto(f"{live_server.url}/accounts/sign-in/")
    audit.check()

    def tab_to(selector: str, most: int = 60) -> None:
        target = page.locator(selector).first
        for _ in range(most):
            page.keyboard.press("Tab")
            if target.evaluate("element => element === document.activeElement"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("input[name=username]")
    page.keyboard.type(user.email)
    tab_to("input[name=password]")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    audit.check()
    tab_to(f"a[href='{reverse('contracts:register')}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{reverse('contracts:register')}*")
    audit.check()
    tab_to("details.govuk-details summary")  # the search and filters fold away until opened
    page.keyboard.press("Enter")
    tab_to("input[name=q]")
    page.keyboard.type("keyboard journey")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=keyboard*")
    audit.check()
    tab_to(f"a[href='{reverse('contracts:detail', args=[contract.pk])}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{reverse('contracts:detail', args=[contract.pk])}")
    assert "Keyboard journey home care" in page.inner_text("h1")
    audit.check()
    assert audit.unchecked() == []
