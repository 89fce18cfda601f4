"""The Celery application. Configuration comes from Django settings (the ``CELERY_`` names).

Without ``REDIS_URL`` tasks run in-process (``CELERY_TASK_ALWAYS_EAGER``); with it they go
through the Redis broker to a worker, and beat runs the static schedule in
``settings.CELERY_BEAT_SCHEDULE``. A worker notes its heartbeat in the cache for /healthz
(procurement/background.py). See docs/decisions/0005-static-beat-schedule-and-idempotency-ledger.md
and 0033-degrade-without-redis.md.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("procurement_governance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Named, not imported: the worker loads it once Django is set up.
app.steps["worker"].add("procurement.background:Heartbeat")
