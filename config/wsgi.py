"""WSGI entry point, used by gunicorn.

With DEBUG off it will not start on settings that ``check --deploy`` calls errors (a published or
short key, and with HTTPS_ONLY the demonstration OCDS prefix or an address without HTTPS:
procurement/checks.py), however the service is started, container or not.
"""

import os

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

if not settings.DEBUG:
    refused = [
        message
        for message in checks.run_checks(include_deployment_checks=True)
        if message.is_serious()
    ]
    if refused:
        raise ImproperlyConfigured(
            "The service will not start on these settings:\n"
            + "\n".join(f"{message}\n  {message.hint}" for message in refused)
        )
