"""Password reset links: the page takes the same path for every address (counted, handed to a
task, never looked up), a task sends the link, and an hour's links are limited per address, per
account and, where set, per network address."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement import throttles
from procurement.passwords import password_reset_send
from procurement.roles import Role

pytestmark = pytest.mark.django_db

RESET = "accounts:password_reset"


@pytest.fixture(autouse=True)
def _no_counts_from_before():
    """Each test counts its own requests: none kept in the cache from another test or run."""
    cache.clear()
    yield
    cache.clear()


def ask(client, email: str, **extra) -> tuple[object, list]:
    """Ask for a reset link for ``email``: the page's answer, the SQL it ran and what it queued
    to run once the request commits (run by the caller)."""
    from django.test import TestCase

    with (
        CaptureQueriesContext(connection) as queries,
        TestCase.captureOnCommitCallbacks() as queued,
    ):
        response = client.post(reverse(RESET), {"email": email}, **extra)
    return response, [q["sql"] for q in queries], queued


def run(queued) -> None:
    for callback in queued:
        callback()


def test_a_known_and_an_unknown_address_take_the_same_path(client, make_user, tasks_in_process):
    make_user(Role.CONTRACT_MANAGER, email="tom@council.example")
    known, known_sql, known_queued = ask(client, "tom@council.example")
    unknown, unknown_sql, unknown_queued = ask(client, "nobody@council.example")
    # The same answer, after the same SQL (none of it reading the people), and one task each...
    assert known["Location"] == unknown["Location"] == reverse("accounts:password_reset_done")
    assert known_sql == unknown_sql
    assert not any("procurement_user" in sql for sql in known_sql)
    assert (len(known_queued), len(unknown_queued)) == (1, 1)
    # ...and nothing sent by the page itself: only the task sends, and only to an account.
    assert mail.outbox == []
    run(known_queued)
    run(unknown_queued)
    assert [message.to for message in mail.outbox] == [["tom@council.example"]]


def test_the_link_sent_sets_a_new_password(client, make_user, tasks_in_process, settings):
    # The link is on the service's own address, whatever Host the request came with.
    settings.SITE_URL = "https://procurement.northmere.example"
    user = make_user(Role.CONTRACT_MANAGER, email="tom@council.example")
    _, _, queued = ask(client, "tom@council.example")
    run(queued)
    assert len(mail.outbox) == 1
    assert "testserver" not in mail.outbox[0].body
    link = re.search(
        r"https://procurement\.northmere\.example(/accounts/password-reset/\S+/)",
        mail.outbox[0].body,
    )
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert "Set a new password" in form_page.content.decode()
    new_password = "a-long-new-passphrase-for-tom"
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(new_password)


@pytest.mark.parametrize("has_account", [True, False], ids=["account", "no-account"])
def test_the_sixth_request_in_an_hour_to_one_address_sends_nothing(client, make_user, has_account):
    if has_account:
        make_user(Role.CONTRACT_MANAGER, email="tom@council.example")
    answers, queued = [], []
    # However the address is spelt, it is one address.
    for email in ["tom@council.example", "TOM@council.example"] * 3:
        response, _, tasks = ask(client, email)
        answers.append(response["Location"])
        queued.append(len(tasks))
    # Every answer the same; the sixth request queues nothing, with or without an account.
    assert answers == [reverse("accounts:password_reset_done")] * 6
    assert queued == [1, 1, 1, 1, 1, 0]
    # Another address has its own count.
    assert len(ask(client, "ann@council.example")[2]) == 1


def test_an_account_is_sent_five_links_an_hour_at_most(make_user, tasks_in_process):
    make_user(Role.CONTRACT_MANAGER, email="tom@council.example")
    sent = [
        password_reset_send(email=email, protocol="https", domain="procurement.example")
        for email in ["tom@council.example", "Tom@Council.example"] * 3
    ]
    assert sent == [1, 1, 1, 1, 1, 0]
    assert len(mail.outbox) == 5
    assert mail.outbox[0].body.count("https://procurement.example/accounts/password-reset/") == 1


def test_requests_from_one_network_address_can_be_limited_too(client, settings):
    settings.PASSWORD_RESETS_PER_ADDRESS = 3
    queued = [len(ask(client, f"person{n}@council.example")[2]) for n in range(4)]
    assert queued == [1, 1, 1, 0]
    elsewhere = ask(client, "person9@council.example", REMOTE_ADDR="10.0.0.9")
    assert len(elsewhere[2]) == 1


def test_a_count_starts_again_in_the_next_window():
    start = 1_800_000_000  # a whole number of hours since the epoch
    counts = [
        throttles.count(scope="test", ident="someone", period=3600, now=start + offset)
        for offset in (0, 10, 3599.5, 3600)
    ]
    assert [c.number for c in counts] == [1, 2, 3, 1]
    assert [c.seconds_left for c in counts] == [3600, 3590, 1, 3600]
