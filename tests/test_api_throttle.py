"""The API's rate limit under load: many clients at once, through the real Redis, never get more
than the limit between them, whichever of the person's tokens they use."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from procurement.roles import Role
from procurement.tokens import api_token_create

# Each thread has its own database connection, so the test's data must be committed.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LIMIT = 40
CLIENTS = 16
REQUESTS_EACH = 8
DAY = 60 * 60 * 24


@pytest.mark.parametrize("tokens", [1, 3])
def test_concurrent_requests_never_exceed_the_limit_across_a_persons_tokens(
    redis_url, settings, make_user, tokens
):
    settings.API_RATE = f"{LIMIT}/day"
    cache.clear()
    # The count starts again each day (UTC): a run so near midnight that it might straddle it
    # waits for the new day, so that it counts in one window.
    left = DAY - time.time() % DAY
    if left < 60:
        time.sleep(left + 1)
    user = make_user(Role.AUDITOR)
    expires_on = timezone.localdate() + timedelta(days=30)
    keys = [
        api_token_create(user=user, name=f"System {n}", expires_on=expires_on, by=user)[1]
        for n in range(tokens)
    ]

    def client_run(number: int) -> list[tuple[int, str | None]]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {keys[number % len(keys)]}")
        try:
            answers = []
            for _ in range(REQUESTS_EACH):
                response = client.get("/api/v1/suppliers/")
                answers.append((response.status_code, response.get("Retry-After")))
            return answers
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = [a for run in pool.map(client_run, range(CLIENTS)) for a in run]
    cache.clear()

    statuses = [status for status, _ in answers]
    assert statuses.count(200) == LIMIT
    assert statuses.count(429) == CLIENTS * REQUESTS_EACH - LIMIT
    assert all(int(wait) > 0 for status, wait in answers if status == 429)
