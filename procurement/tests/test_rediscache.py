"""The Redis cache gives up on a Redis that does not answer within its timeouts, without
retrying, and then leaves it alone for a few seconds; meanwhile the throttles count in the
process."""

import socket
import time

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from procurement import rediscache, throttles
from procurement.caching import UNREACHABLE

# As config/settings.py sets them.
OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
NOWHERE = "redis://127.0.0.1:6390/0"  # nothing listens there


@pytest.fixture(autouse=True)
def _nothing_skipped_or_counted_before():
    rediscache._skipping_until.clear()
    throttles._local.clear()
    yield
    rediscache._skipping_until.clear()
    throttles._local.clear()


@pytest.fixture
def silent_redis():
    """A server that takes connections and never answers, as a hung Redis does, or one whose
    network has gone while the connection seems open."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"


def cache_at(url: str) -> rediscache.RedisCache:
    return rediscache.RedisCache(url, {"OPTIONS": OPTIONS})


def test_a_silent_redis_is_given_up_on_within_a_timeout_and_then_left_alone(
    silent_redis, monkeypatch
):
    monkeypatch.setattr(rediscache, "SKIP_SECONDS", 0.5)
    cache = cache_at(silent_redis)
    started = time.monotonic()
    with pytest.raises(UNREACHABLE):
        cache.get("piece")
    assert time.monotonic() - started < 0.9  # one timeout, no retries
    started = time.monotonic()
    for call in (lambda: cache.get("piece"), lambda: cache.add("n", 0), lambda: cache.incr("n")):
        with pytest.raises(RedisConnectionError, match="not asked again"):
            call()
    assert time.monotonic() - started < 0.05  # left alone: not asked at all
    time.sleep(0.6)
    started = time.monotonic()
    with pytest.raises(UNREACHABLE) as asked:
        cache.set("piece", "built")
    assert "not asked again" not in str(asked.value)  # asked again once the time was up
    assert 0.4 < time.monotonic() - started < 0.9


def test_a_refused_connection_fails_at_once_and_every_cache_call_is_skipped():
    cache = cache_at(NOWHERE)
    started = time.monotonic()
    with pytest.raises(UNREACHABLE):
        cache.get("piece")
    for call in (
        lambda: cache.get_or_set("piece", "built"),
        lambda: cache.set_many({"a": 1}),
        lambda: cache.get_many(["a"]),
        lambda: cache.delete_many(["a"]),
        lambda: cache.touch("a"),
        lambda: cache.has_key("a"),
        lambda: cache.decr("a"),
        lambda: cache.delete("a"),
        lambda: cache.clear(),
    ):
        with pytest.raises(RedisConnectionError, match="not asked again"):
            call()
    assert time.monotonic() - started < 0.5


def test_a_refusal_by_redis_itself_is_not_taken_for_redis_being_away(redis_url):
    cache = cache_at(redis_url)
    cache.delete("no-such-counter")
    with pytest.raises(ValueError, match="not found"):
        cache.incr("no-such-counter")
    assert cache.add("no-such-counter", 1, timeout=10)
    assert cache.incr("no-such-counter") == 2
    cache.delete("no-such-counter")


def test_the_throttles_count_in_the_process_while_the_cache_is_away(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "procurement.rediscache.RedisCache",
            "LOCATION": NOWHERE,
            "OPTIONS": OPTIONS,
        }
    }
    start = 1_800_000_000  # a whole number of hours since the epoch
    counts = [
        throttles.count(scope="test", ident="someone", period=3600, now=start + offset)
        for offset in (0, 10, 3599.5, 3600)
    ]
    assert [c.number for c in counts] == [1, 2, 3, 1]
    assert [c.seconds_left for c in counts] == [3600, 3590, 1, 3600]
    other = throttles.count(scope="test", ident="someone else", period=3600, now=start)
    assert other.number == 1
