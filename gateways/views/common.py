"""What the gateways' pages share: the report the visitor may read, and the shape of a form page
or a button whose service may refuse."""

from django.http import HttpRequest, HttpResponse

from gateways.models import GatewayReview
from gateways.selectors import reviews_with_route
from gateways.services import GatewayError
from procurement.pages import button_post, form_page, object_for


def review_for(request: HttpRequest, pk: int, *checks) -> GatewayReview:
    """The report with its route, if the visitor may read it and passes ``checks`` (403 if not)."""
    return object_for(request, reviews_with_route(), pk, "gateways.view_review", *checks)


def gateway_form_page(request: HttpRequest, form, **kwargs) -> HttpResponse:
    """A form page whose service refuses with a ``GatewayError``."""
    return form_page(request, form, refusals=(GatewayError,), **kwargs)


def gateway_button(request: HttpRequest, **kwargs) -> HttpResponse:
    """A button whose service refuses with a ``GatewayError``."""
    return button_post(request, refusals=(GatewayError,), **kwargs)
