from django.conf import settings
from django.http import HttpRequest

from .navigation import sections_for


def service(request: HttpRequest) -> dict:
    """The council's name, the service's name and the navigation the user may see."""
    return {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "navigation": sections_for(request),
    }
