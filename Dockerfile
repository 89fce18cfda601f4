# The application image: one image runs the web server, the Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango and HarfBuzz for WeasyPrint's PDFs. The PDFs' font is a Python package of the project's
# (docs/decisions/0034), not the machine's.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The whole dependency tree, pinned with hashes (make lock).
COPY requirements.txt .
RUN pip install --no-cache-dir --require-hashes -r requirements.txt

COPY . .
# Collect static files with a throwaway key: the real one comes from the environment at run time
# (and `check --deploy` refuses this one). tests/test_stack.py runs this same line.
RUN SECRET_KEY=collectstatic-only STATIC_MANIFEST=true python manage.py collectstatic --noinput

# Uploaded documents and the annual reports' PDFs live in media/, which the app's user must own
# (a named volume mounted there takes this folder's owner the first time).
RUN useradd --create-home --uid 1000 app \
 && mkdir -p /app/media \
 && chown -R app /app
USER app

ENV STATIC_MANIFEST=true
EXPOSE 8000
# Refuses to start on unsafe settings (a published or short key, the demonstration OCDS prefix,
# an address that is not HTTPS): procurement/checks.py.
CMD ["sh", "-c", "python manage.py check --deploy && exec gunicorn config.wsgi:application --bind 0.0.0.0:8000 --workers 3 --access-logfile -"]
