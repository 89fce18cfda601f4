"""What every API view shares: personal tokens and the session to sign in, permissions from the
same rules as the pages (denied unless a view names one), throttling per person, paging, and
errors as JSON.

A view sets ``permission_required`` (a rules permission, asked of the user for every request)
and, for object-level rules, ``object_permission``; the queryset it lists is already narrowed to
what the user may see. See docs/decisions/0020.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, pagination, permissions, serializers, throttling
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.response import Response

from . import cpv, throttles
from .access import ACCESS_ATTRIBUTE, API
from .services import DomainError
from .tokens import api_token_for


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>``: the token's owner, with their roles and nothing more."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Give the token after “Bearer ” and nothing else."
            )
        token = api_token_for(parts[1].decode(errors="replace"))
        if token is None:
            raise exceptions.AuthenticationFailed(
                "The token is not known, has expired or was revoked."
            )
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, made on your API tokens page.",
        }


class RulesPermission(permissions.BasePermission):
    """The view's ``permission_required`` (and ``object_permission`` on an object); a view that
    names none is refused."""

    def has_permission(self, request, view) -> bool:
        required = getattr(view, "permission_required", None)
        if not required:
            return False
        if not (request.user and request.user.is_authenticated):
            return False
        return request.user.has_perm(required)

    def has_object_permission(self, request, view, obj) -> bool:
        required = getattr(view, "object_permission", None)
        return required is None or request.user.has_perm(required, obj)


class PersonRateThrottle(throttling.BaseThrottle):
    """``API_RATE`` requests per person, whichever of their tokens (or their session) each comes
    with, counted atomically in the cache (in the process's memory while the cache is out of
    reach: throttles.py); over it, a 429 with ``Retry-After``."""

    scope = "api"
    PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 60 * 60 * 24}

    def allow_request(self, request, view) -> bool:
        limit, period = self.parse_rate(settings.API_RATE)
        if request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        counted = throttles.count(scope=self.scope, ident=ident, period=period)
        self.seconds_left = counted.seconds_left
        return counted.number <= limit

    def wait(self) -> int:
        return self.seconds_left

    @classmethod
    def parse_rate(cls, rate: str) -> tuple[int, int]:
        """``600/minute`` as (600, 60): a number of requests, and seconds."""
        number, _, unit = rate.partition("/")
        return int(number), cls.PERIODS[unit.strip()[:1].lower()]


class Pages(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def api_view(cls):
    """Mark an API view for the access middleware: it checks access itself."""
    setattr(cls, ACCESS_ATTRIBUTE, API)
    return cls


def errors_as_json(error, context):
    """DRF's JSON errors, and the same shape for Django's refusals and the services' errors."""
    if isinstance(error, ValidationError):
        error = exceptions.ValidationError(
            error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        )
    elif isinstance(error, PermissionDenied):
        error = exceptions.PermissionDenied()
    # Imported here: DRF's settings import this module while rest_framework.views loads.
    from rest_framework.views import exception_handler

    if isinstance(error, DomainError):
        # A service refused by one of its rules (ContractError, GatewayError…): say which.
        return Response({"detail": str(error)}, status=403 if error.refuses_person else 400)
    return exception_handler(error, context)


ERROR_SCHEMA = {
    "type": "object",
    "description": "What was refused and why: ``detail``, or for bad input each field's problems.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
ERRORS = {
    "400": "Bad input, or a rule refused it: the body says which",
    "401": "No token, or one that is not known, has expired or was revoked",
    "403": "Your roles do not allow it",
    "404": "Not found, or not one you may see (or no such page of results)",
    "429": "Too many requests from you (all your tokens together): wait and try again",
}


def document_errors(result: dict, generator, request, public) -> dict:
    """Every operation's error responses, in the shape ``errors_as_json`` gives them, so that
    the schema is the truth about them too (a drf-spectacular postprocessing hook)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result


class CpvCodeField(serializers.CharField):
    """A CPV code, read and checked as the pages read it (procurement/cpv.py): written as the
    CPV 2008 list writes it ("45000000-7"), or refused with why, as JSON."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "help_text",
            "The main CPV 2008 code: eight digits, a hyphen and the check digit, like "
            f"{cpv.EXAMPLE}; blank if not recorded.",
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return cpv.clean(super().to_internal_value(data))
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None
