"""A guard the whole suite runs under: a POST that changes anything must answer with a redirect.

A page drawn straight from a POST that wrote something is posted again by a browser's refresh or
back button. Every test that posts through the test client or a browser passes through this
middleware, which follows the statements that write, and what became of them (a write undone by a
rollback, such as a refused form's, does not count), and fails the request if a page (status 200)
answers a POST after a write that stands. Writes that go with any request, even a refused one, are
left out: the session, and the record of a refused sign-in.
"""

import re

from django.db import connection

WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
SAVEPOINT = re.compile(r'^\s*(SAVEPOINT|ROLLBACK TO SAVEPOINT|RELEASE SAVEPOINT)\s+"?(\w+)"?', re.I)
# Written whatever the outcome: the session, and a refused sign-in (procurement/lockout.py).
INCIDENTAL = {"django_session", "procurement_signinattempt"}


class Writes:
    """The tables a request has written to, less what a rollback undid."""

    def __init__(self):
        self.committed: set[str] = set()
        self.pending: set[str] = set()
        self.savepoints: dict[str, frozenset[str]] = {}

    def note(self, execute, sql, params, many, context):
        if match := WRITE.match(sql):
            table = match.group(2).lower()
            if table not in INCIDENTAL:
                (self.pending if connection.in_atomic_block else self.committed).add(table)
        elif match := SAVEPOINT.match(sql):
            kind, name = match.group(1).upper(), match.group(2)
            if kind == "SAVEPOINT":
                self.savepoints[name] = frozenset(self.pending)
            elif kind == "ROLLBACK TO SAVEPOINT":
                self.pending = set(self.savepoints[name])
            else:
                self.savepoints.pop(name, None)
        return execute(sql, params, many, context)

    def commit(self):
        self.committed |= self.pending
        self.pending = set()

    def rollback(self):
        self.pending = set()

    @property
    def standing(self) -> set[str]:
        return self.committed | self.pending


class PostRedirectGetGuard:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST":
            return self.get_response(request)
        writes = Writes()
        commit, rollback = connection._commit, connection._rollback

        def committed():
            writes.commit()
            return commit()

        def rolled_back():
            writes.rollback()
            return rollback()

        connection._commit, connection._rollback = committed, rolled_back
        try:
            with connection.execute_wrapper(writes.note):
                response = self.get_response(request)
        finally:
            del connection._commit, connection._rollback
        page = response.status_code == 200 and "text/html" in response.get("Content-Type", "")
        if page and writes.standing:
            raise AssertionError(
                f"POST {request.path} wrote to {', '.join(sorted(writes.standing))} and answered "
                "with a page: a POST that changes anything must redirect (post, redirect, get)."
            )
        return response
