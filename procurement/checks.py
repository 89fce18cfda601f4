"""Checks that ``manage.py check --deploy`` runs, and that the container runs before it starts:
a deployment on a key anyone can read, on the demonstration OCDS prefix or council identifier, or
sending links to an address that is not HTTPS, is refused with what to set instead.

With ``HTTPS_ONLY`` off (the compose stack tried on one machine, without TLS), the prefix and
the address are warnings: that stack is not the council's service. The key is an error always.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

# Keys that have been published: in this repository's settings, its container build and an
# earlier compose file's fallback. A service signed with one of them can be impersonated.
PUBLISHED_SECRET_KEYS = frozenset(
    {
        "django-insecure-development-only-never-use-in-production",
        "collectstatic-only",
        "change-me-to-a-long-random-value-before-any-real-use-0123456789",
    }
)
# Django's own measure of a key too short to be safe.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
DEMO_OCDS_PREFIX = "ocds-demo01"
DEMO_COUNCIL_ID = "PDEM-0000-DEMO"
MAKE_A_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def _secret_key_problem(key: str) -> str | None:
    if key in PUBLISHED_SECRET_KEYS or key.startswith("django-insecure"):
        return "SECRET_KEY is a published key: anyone could sign sessions and reset links with it."
    if len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return (
            f"SECRET_KEY is too short to be safe: it has {len(key)} characters, and needs at "
            f"least {SECRET_KEY_MIN_LENGTH} of at least {SECRET_KEY_MIN_UNIQUE_CHARACTERS} kinds."
        )
    return None


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    problem = _secret_key_problem(settings.SECRET_KEY)
    if problem is None:
        return []
    return [
        checks.Error(
            problem,
            hint=f"Set SECRET_KEY to a new random value, for example the output of `{MAKE_A_KEY}`.",
            id="procurement.E001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_published_addresses(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The OCDS prefix every published ``ocid`` starts with, the council's identifier in its open
    data, and the address in every email."""
    level, letter = (checks.Error, "E") if settings.HTTPS_ONLY else (checks.Warning, "W")
    found = []
    if settings.OCDS_PREFIX == DEMO_OCDS_PREFIX:
        found.append(
            level(
                f"OCDS_PREFIX is the demonstration prefix {DEMO_OCDS_PREFIX}: the council's open "
                "data would be published under identifiers that are not its own.",
                hint="Set OCDS_PREFIX to the prefix the Open Contracting Partnership registered "
                "for the council (https://standard.open-contracting.org/latest/en/guidance/"
                "publish/#register-an-ocid-prefix).",
                id=f"procurement.{letter}002",
            )
        )
    if settings.COUNCIL_ID == DEMO_COUNCIL_ID:
        found.append(
            level(
                f"COUNCIL_ID is the demonstration identifier {DEMO_COUNCIL_ID}: the council's "
                "open data would name as its publisher and buyer an organisation that is not it.",
                hint="Set COUNCIL_ID to the council's organisation identifier on Find a Tender "
                "(its PPON, as ABCD-1234-EFGH), or set COUNCIL_ID_SCHEME to the scheme of the "
                "identifier given, and COUNCIL_STREET_ADDRESS, COUNCIL_LOCALITY and "
                "COUNCIL_POSTCODE to its address.",
                id=f"procurement.{letter}004",
            )
        )
    if urlsplit(settings.SITE_URL).scheme != "https":
        found.append(
            level(
                f"SITE_URL is {settings.SITE_URL}: the links in every email (reset links, "
                "gateway reviews, renewal alerts) would go to an address that is not HTTPS.",
                hint="Set SITE_URL to the address people reach the service at, starting "
                "https://, for example https://procurement.council.gov.uk.",
                id=f"procurement.{letter}003",
            )
        )
    return found
