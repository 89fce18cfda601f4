"""Test defaults for the environment, loaded (``-p tests.environment``) before Django's settings.

Tests run with DEBUG off, as production does, so they need a secret key; they are served over
plain HTTP by the test client and live server. Values already in the environment win, so CI's
DATABASE_URL and REDIS_URL are used as given.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-real-0123456789")
os.environ.setdefault("HTTPS_ONLY", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("COUNCIL_NAME", "Northmere Borough Council")
