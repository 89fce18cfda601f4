"""A URL configuration with a view that declares no access rule, to prove it is refused."""

from django.http import HttpResponse
from django.urls import include, path


def undeclared(request):
    return HttpResponse("This should never be served.")


urlpatterns = [path("undeclared/", undeclared), path("", include("config.urls"))]
