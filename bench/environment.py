"""What every benchmark runs in: a throwaway database beside the configured one
(``BENCH_DATABASE_URL``, else ``DATABASE_URL``, else SQLite), tasks in-process, a working folder of
its own. Imported first, before Django is set up."""

import os
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

workdir = Path(tempfile.mkdtemp(prefix="bench-"))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
    "DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}"
)
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-used-anywhere-real-0123456789")
os.environ.setdefault("HTTPS_ONLY", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["MEDIA_ROOT"] = str(workdir / "media")
os.environ.pop("REDIS_URL", None)
# WhiteNoise serves from the finders here; STATIC_ROOT is filled only by collectstatic.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

import django  # noqa: E402

django.setup()
