"""Pieces of pages that are dear to build, kept in the cache until the data changes.

Every write to the database through a model (a save, a delete, a many-to-many change) gives the
data a new *generation*: a random token kept in the cache, replaced when the write commits. A
piece is kept under the generation it was built in and today's date, so any change, or midnight,
retires every piece at once: no page shows data older than the last write. Bulk writes send no
signals and call ``data_changed()`` themselves; ``migrate``, run after every release and every
restore, starts a new generation too.

A piece is read and kept only outside a transaction (a GET page runs in autocommit), so what is
kept has been committed; inside one, as in a view that writes or a test, it is built every
time. While one process builds a piece, the others asking for it wait for it (up to two
seconds) rather than build it too: every write retires every piece, and the busiest are asked
for again at once. With the cache out of reach, pages are built every time and writes go on; a
process whose write could not start a new generation starts one as soon as the cache answers
again. The reasons are in docs/decisions/0022-generational-page-cache.md.
"""

import contextlib
import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.dispatch import receiver
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from redis.exceptions import RedisError

GENERATION = "data-generation"
# A safety net only: a piece is retired by the next write long before this.
TIMEOUT = 60 * 15
# Written at every sign-in or request, and read by no cached piece.
UNCACHED_MODELS = frozenset({"sessions.session", "procurement.signinattempt"})
# While one process builds a piece, the others asking for it wait this long at most, looking
# for it at this interval.
BUILDING_SECONDS = 2
AWAIT_INTERVAL = 0.01
# What a cached piece's forms hold in place of the visitor's CSRF token.
CSRF_PLACEHOLDER = "csrf-token-of-the-visitor-7d1f0c"

T = TypeVar("T")

logger = logging.getLogger(__name__)
# What the cache raises when it is out of reach.
UNREACHABLE = (RedisError, OSError)
# A write of this process's that could not start a new generation (the cache out of reach).
_owed = {"generation": False}


def generation() -> str | None:
    """The data's current generation (a new one if the cache has lost it), or None when the
    cache is out of reach."""
    try:
        if _owed["generation"]:
            new_generation()
        token = cache.get(GENERATION)
        if token is None:
            token = secrets.token_hex(8)
            if not cache.add(GENERATION, token, timeout=None):
                token = cache.get(GENERATION, token)
    except UNREACHABLE:
        logger.warning("The cache is out of reach: pages are built afresh", exc_info=True)
        return None
    return token


def new_generation() -> None:
    """Start a new generation now (``data_changed`` is what a write calls), or as soon as the
    cache answers again."""
    try:
        cache.set(GENERATION, secrets.token_hex(8), timeout=None)
    except UNREACHABLE:
        logger.warning("The cache is out of reach: a new generation is owed", exc_info=True)
        _owed["generation"] = True
    else:
        _owed["generation"] = False


def data_changed() -> None:
    """Retire every cached piece: now, or inside a transaction when it commits. Until then other
    connections read the data as it was, and this one keeps no piece (``cached``), so nothing
    kept under the old generation can show the new data before it is retired. Within one
    transaction, only its first write does this; a transaction rolled back retires nothing."""
    if not connection.in_atomic_block:
        new_generation()
        return
    hooks = connection.run_on_commit
    if hooks and getattr(connection, "_generation_hooks", None) is hooks:
        return  # this transaction already starts a new generation when it commits
    transaction.on_commit(new_generation)
    connection._generation_hooks = connection.run_on_commit


def cached(name: str, *vary, build: Callable[[], T]) -> T:
    """``build()``, or what it gave when last called with the same ``name`` and ``vary`` in this
    generation, on this day and in this language. ``vary`` is everything else the piece depends
    on: the query string, the user where the piece shows what is theirs."""
    if connection.in_atomic_block:
        # Inside a transaction the data may differ from what any kept piece was built from (its
        # own writes, and those after the first, start no generation until it commits).
        return build()
    current = generation()
    if current is None:
        return build()
    day = timezone.localdate().isoformat()
    key = repr((name, current, day, translation.get_language(), vary))
    key = f"piece:{name}:{hashlib.sha256(key.encode()).hexdigest()}"
    try:
        found = cache.get(key)
        if found is not None:
            return found
        # One process builds a piece at a time; the others asking for it meanwhile (as after
        # every write, when all are retired at once) wait for it rather than build it too.
        building = cache.add(f"{key}:building", 1, timeout=BUILDING_SECONDS)
        if not building and (found := _awaited(key)) is not None:
            return found
    except UNREACHABLE:
        return build()
    try:
        value = build()
        try:
            cache.set(key, value, timeout=TIMEOUT)
        except UNREACHABLE:
            logger.warning("The cache is out of reach: a piece was not kept", exc_info=True)
    finally:
        if building:
            with contextlib.suppress(*UNREACHABLE):
                cache.delete(f"{key}:building")
    return value


def _awaited(key: str):
    """The piece another process is building, once it is kept; None if its build failed (a
    refusal is never kept) or takes longer than ``BUILDING_SECONDS``."""
    deadline = time.monotonic() + BUILDING_SECONDS
    while time.monotonic() < deadline:
        time.sleep(AWAIT_INTERVAL)
        found = cache.get(key)
        if found is not None:
            return found
        if not cache.get(f"{key}:building"):
            # The builder keeps the piece before it lets the flag go: read it once more, as it
            # may have been kept between the two reads above.
            return cache.get(key)
    return None


def cached_page(
    request, name: str, *vary, template: str, context: Callable[[], dict]
) -> tuple[str, SafeString]:
    """The page's title and ``template`` rendered with ``context()``, cached as ``cached`` does:
    a hit reads neither the object nor anything else the piece was built from. The title is
    ``context()["page_title"]``. ``context()`` may refuse (a 404, a 403), and then nothing is
    kept; a piece kept for one visitor therefore says they were allowed in this generation, so
    ``vary`` must name the visitor wherever ``context()`` checks what they may see. The template
    may show nothing of the user's beyond what ``vary`` names. Its forms' CSRF tokens are kept
    as a placeholder and filled in with the visitor's own token on every request."""

    def build() -> tuple[str, SafeString]:
        found = {"request": request, **context(), "csrf_token": CSRF_PLACEHOLDER}
        html = mark_safe(render_to_string(template, found))  # noqa: S308 - rendered, escaped
        return found.get("page_title", ""), html

    title, html = cached(name, *vary, build=build)
    if CSRF_PLACEHOLDER in html:
        html = mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308
    return title, html


def cached_html(
    request, name: str, *vary, template: str, context: Callable[[], dict]
) -> SafeString:
    """``template`` rendered with ``context()``, cached as ``cached_page`` does."""
    return cached_page(request, name, *vary, template=template, context=context)[1]


def query_vary(request) -> tuple:
    """A request's query string, in a canonical order, for ``vary``."""
    return tuple(sorted((key, tuple(values)) for key, values in request.GET.lists()))


@receiver(post_save, dispatch_uid="caching-saved")
@receiver(post_delete, dispatch_uid="caching-deleted")
@receiver(m2m_changed, dispatch_uid="caching-related")
def _changed(sender, **kwargs) -> None:
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.label_lower not in UNCACHED_MODELS:
        data_changed()


@receiver(post_migrate, dispatch_uid="caching-migrated")
def _migrated(sender, **kwargs) -> None:
    # A release (new templates, new code) or a restored backup is followed by ``migrate``: what
    # was cached before it is not served after.
    new_generation()


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """In production the generation must be shared by every web process, as Redis shares it."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("locmem.LocMemCache", "dummy.DummyCache")):
        return [
            checks.Warning(
                "The cache is in each process's own memory: with more than one web process, "
                "one process's pages would not see another's writes.",
                hint="Set REDIS_URL, as production must for its Celery worker.",
                id="procurement.W001",
            )
        ]
    return []
