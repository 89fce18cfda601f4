"""Pieces of pages that are dear to build, kept in the cache until the data they read changes.

Every write to the database through a model (a save, a delete, a many-to-many change) gives the
data it touched a new *generation*: random tokens kept in the cache, one per family of tables
(each app, and each model in it), replaced when the write commits. A piece declares the families
it reads (``reads``: app labels such as ``"contracts"``, or model labels such as
``"procurement.user_groups"``) and is kept under their generations and today's date, so a write
to any of them, or midnight, retires it, and a write to anything else leaves it be: no page shows
data older than the last write to what it reads. A piece that declares nothing is retired by
every write. Bulk writes send no signals and call ``data_changed()`` themselves (which retires
every piece unless told the families); ``migrate``, run after every release and every restore,
retires every piece too.

A piece is read and kept only outside a transaction (a GET page runs in autocommit), so what is
kept has been committed; inside one, as in a view that writes or a test, it is built every
time. While one process builds a piece, the others asking for it wait for it (up to two
seconds) rather than build it too: a write retires every piece that reads what it changed, and
the busiest are asked for again at once. With the cache out of reach, pages are built every time
and writes go on; a process whose write could not start a new generation retires every piece as
soon as the cache answers again. ``PAGE_CACHE`` off builds every piece every time. The reasons
are in docs/decisions/0022-generational-page-cache.md and
docs/decisions/0044-cache-retired-by-what-changed.md.
"""

import contextlib
import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
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

# Replaced by every write: the generation of a piece that declares nothing it reads.
GENERATION = "data-generation"
# Replaced only when every piece is retired (``migrate``, a bulk write that names no family).
EVERYTHING = "data-generation:*"
# A safety net only: a piece is retired by the next write long before this.
TIMEOUT = 60 * 15
# Written at every sign-in or request, and read by no cached piece.
UNCACHED_MODELS = frozenset(
    {
        "sessions.session",
        "procurement.signinattempt",
        "procurement.historicaluser",
        # The log of exports, written at every download of the register.
        "procurement.exportjob",
    }
)
# Fields no cached piece shows: a save of these alone (a sign-in's) retires nothing.
UNCACHED_FIELDS = {"procurement.user": frozenset({"last_login"})}
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
# What the pages' pieces asked for during this thread's request did: read from the cache, or built.
_tally = threading.local()


def family_key(family: str) -> str:
    return f"{GENERATION}:{family}"


def families_of(model) -> tuple[str, ...]:
    """The families a write to ``model`` retires: its app and itself."""
    return (model._meta.app_label, model._meta.label_lower)


def generation() -> str | None:
    """The generation of a piece that declares nothing it reads, which every write replaces (a
    new one if the cache has lost it), or None when the cache is out of reach."""
    found = _generations(None)
    return None if found is None else found[0]


def _generations(reads: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The current generations of what a piece reads (a new one for any the cache has lost), or
    None when the cache is out of reach."""
    keys = [GENERATION] if reads is None else [EVERYTHING, *map(family_key, reads)]
    try:
        if _owed["generation"]:
            new_generation()
        found = cache.get_many(keys)
        for key in keys:
            if key not in found:
                token = secrets.token_hex(8)
                found[key] = token if cache.add(key, token, timeout=None) else cache.get(key)
    except UNREACHABLE:
        logger.warning("The cache is out of reach: pages are built afresh", exc_info=True)
        return None
    return tuple(found[key] for key in keys)


def new_generation(*families: str) -> None:
    """Retire now every piece that reads ``families`` (every piece, when none is named); if the
    cache is out of reach, retire every piece as soon as it answers again. ``data_changed`` is
    what a write calls."""
    token = secrets.token_hex(8)
    keys = [GENERATION, *map(family_key, families)] if families else [GENERATION, EVERYTHING]
    try:
        cache.set_many(dict.fromkeys(keys, token), timeout=None)
    except UNREACHABLE:
        logger.warning("The cache is out of reach: a new generation is owed", exc_info=True)
        _owed["generation"] = True
    else:
        if not families:
            _owed["generation"] = False


class Retirement:
    """What a transaction's writes retire when it commits: the families they touched."""

    def __init__(self) -> None:
        self.families: set[str] = set()
        self.everything = False

    def add(self, families: Iterable[str]) -> None:
        families = set(families)
        self.everything = self.everything or not families
        self.families |= families

    def __call__(self) -> None:
        new_generation() if self.everything else new_generation(*sorted(self.families))


def data_changed(*families: str) -> None:
    """Retire every piece that reads ``families`` (every piece, when none is named): now, or
    inside a transaction when it commits. Until then other connections read the data as it
    was, and this one keeps no piece (``cached``), so nothing kept under the old generations
    can show the new data before it is retired. A transaction retires what all its writes
    touched, once, when it commits; one rolled back retires nothing."""
    if not connection.in_atomic_block:
        new_generation(*families)
        return
    hooks = connection.run_on_commit
    retirement = getattr(connection, "_retirement", None)
    if not (hooks and retirement is not None and connection._generation_hooks is hooks):
        # The transaction's first write (or the first after a savepoint was rolled back).
        retirement = Retirement()
        transaction.on_commit(retirement)
        connection._retirement = retirement
        connection._generation_hooks = connection.run_on_commit
    retirement.add(families)


def cached(name: str, *vary, build: Callable[[], T], reads: Iterable[str] | None = None) -> T:
    """``build()``, or what it gave when last called with the same ``name`` and ``vary`` while
    nothing it ``reads`` (app or model labels; everything, if None) changed, on this day and in
    this language. ``vary`` is everything else the piece depends on: the query string, the user
    where the piece shows what is theirs."""
    reads = None if reads is None else tuple(sorted(set(reads)))
    if connection.in_atomic_block or not settings.PAGE_CACHE:
        # Inside a transaction the data may differ from what any kept piece was built from (its
        # own writes start no generation until it commits).
        return _built(name, reads, build)
    current = _generations(reads)
    if current is None:
        return _built(name, reads, build)
    day = timezone.localdate().isoformat()
    key = repr((name, reads, current, day, translation.get_language(), vary))
    key = f"piece:{name}:{hashlib.sha256(key.encode()).hexdigest()}"
    try:
        found = cache.get(key)
        if found is not None:
            return found
        # One process builds a piece at a time; the others asking for it meanwhile (as after
        # a write, when the pieces reading it are retired at once) wait for it rather than
        # build it too.
        building = cache.add(f"{key}:building", 1, timeout=BUILDING_SECONDS)
        if not building and (found := _awaited(key)) is not None:
            return found
    except UNREACHABLE:
        return _built(name, reads, build)
    try:
        value = _built(name, reads, build)
        try:
            cache.set(key, value, timeout=TIMEOUT)
        except UNREACHABLE:
            logger.warning("The cache is out of reach: a piece was not kept", exc_info=True)
    finally:
        if building:
            with contextlib.suppress(*UNREACHABLE):
                cache.delete(f"{key}:building")
    return value


def _built(name: str, reads: tuple[str, ...] | None, build: Callable[[], T]) -> T:
    """``build()`` (a test records what it reads)."""
    return build()


def tally_start() -> None:
    """Forget what the pages' pieces did so far in this thread: a request starts."""
    _tally.hits = _tally.misses = 0


def tally() -> tuple[int, int]:
    """How many of the pages' pieces (``cached_page``, ``cached_html``: not a person's roles or
    navigation) were read from the cache, and how many built, since ``tally_start``."""
    return getattr(_tally, "hits", 0), getattr(_tally, "misses", 0)


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
    request,
    name: str,
    *vary,
    template: str,
    context: Callable[[], dict],
    reads: Iterable[str] | None = None,
) -> tuple[str, SafeString]:
    """The page's title and ``template`` rendered with ``context()``, cached as ``cached`` does:
    a hit reads neither the object nor anything else the piece was built from. The title is
    ``context()["page_title"]``. ``context()`` may refuse (a 404, a 403), and then nothing is
    kept; a piece kept for one visitor therefore says they were allowed in this generation, so
    ``vary`` must name the visitor wherever ``context()`` checks what they may see, and
    ``reads`` what that check reads. The template may show nothing of the user's beyond what
    ``vary`` names. Its forms' CSRF tokens are kept as a placeholder and filled in with the
    visitor's own token on every request."""

    built = []

    def build() -> tuple[str, SafeString]:
        built.append(name)
        found = {"request": request, **context(), "csrf_token": CSRF_PLACEHOLDER}
        html = mark_safe(render_to_string(template, found))  # noqa: S308 - rendered, escaped
        return found.get("page_title", ""), html

    title, html = cached(name, *vary, build=build, reads=reads)
    if built:
        _tally.misses = getattr(_tally, "misses", 0) + 1
    else:
        _tally.hits = getattr(_tally, "hits", 0) + 1
    if CSRF_PLACEHOLDER in html:
        html = mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308
    return title, html


def cached_html(
    request,
    name: str,
    *vary,
    template: str,
    context: Callable[[], dict],
    reads: Iterable[str] | None = None,
) -> SafeString:
    """``template`` rendered with ``context()``, cached as ``cached_page`` does."""
    return cached_page(request, name, *vary, template=template, context=context, reads=reads)[1]


def query_vary(request) -> tuple:
    """A request's query string, in a canonical order, for ``vary``."""
    return tuple(sorted((key, tuple(values)) for key, values in request.GET.lists()))


@receiver(post_save, dispatch_uid="caching-saved")
@receiver(post_delete, dispatch_uid="caching-deleted")
@receiver(m2m_changed, dispatch_uid="caching-related")
def _changed(sender, **kwargs) -> None:
    meta = getattr(sender, "_meta", None)
    if meta is None:
        data_changed()
        return
    fields = kwargs.get("update_fields")
    if meta.label_lower in UNCACHED_MODELS or (
        fields and set(fields) <= UNCACHED_FIELDS.get(meta.label_lower, set())
    ):
        return
    data_changed(*families_of(sender))


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
