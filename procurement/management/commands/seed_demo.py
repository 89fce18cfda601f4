"""Build a fictional council to try the service with: directorates and a user for every role.

Later parts of the service add their own demo data here. Refuses to run with DEBUG off, so it can
never put demo accounts with a published password into a live service.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from procurement import demo
from procurement.models import Directorate, User
from procurement.roles import Role
from procurement.services import user_create, user_set_portfolio

DEMO_PASSWORD = "northmere-demo-2026"  # noqa: S105 - published on purpose: demo only, DEBUG only
DEMO_DOMAIN = "northmere.example"
REASON = "Demo data (seed_demo)."

DIRECTORATES = [
    ("Adult Social Care and Health", "asc"),
    ("Children's Services", "cs"),
    ("Environment and Communities", "ec"),
    ("Housing", "hsg"),
    ("Resources", "res"),
]

# The directorates each lead member answers for (their portfolio).
PORTFOLIOS = {"member": ["asc", "cs"], "deputy": ["hsg", "ec", "res"]}

# email local part, first name, last name, job title, directorate code, roles
PEOPLE = [
    ("officer", "Priya", "Shah", "Commissioning officer", "asc", [Role.PROCUREMENT_OFFICER]),
    ("manager", "Tom", "Okafor", "Contract manager", "asc", [Role.CONTRACT_MANAGER]),
    ("partner", "Hannah", "Lewis", "Procurement business partner", "res", [Role.BUSINESS_PARTNER]),
    ("head", "Marcus", "Reid", "Head of procurement", "res", [Role.HEAD_OF_PROCUREMENT]),
    ("legal", "Aisha", "Begum", "Senior solicitor", "res", [Role.CONSULTEE_LEGAL]),
    ("finance", "Gareth", "Evans", "Finance business partner", "res", [Role.CONSULTEE_FINANCE]),
    ("comms", "Lucy", "Chen", "Communications manager", "res", [Role.CONSULTEE_COMMUNICATIONS]),
    ("director", "Fiona", "MacLeod", "Executive director", "asc", [Role.EXECUTIVE_DIRECTOR]),
    ("board", "Daniel", "Novak", "Officer board member", "res", [Role.OFFICER_BOARD_MEMBER]),
    (
        "member",
        "Cllr Ruth",
        "Adeyemi",
        "Lead member for adult social care",
        "res",
        [Role.LEAD_MEMBER],
    ),
    ("deputy", "Cllr Sam", "Patel", "Deputy lead member", "res", [Role.LEAD_MEMBER]),
    ("chief", "Joanne", "Whitfield", "Chief executive", "res", [Role.LEADERSHIP_TEAM]),
    ("hops", "Alan", "Brierley", "Head of Paid Service", "res", [Role.HEAD_OF_PAID_SERVICE]),
    (
        "cfo",
        "Meera",
        "Kapoor",
        "Chief Finance Officer (section 151 officer)",
        "res",
        [Role.CHIEF_FINANCE_OFFICER],
    ),
    ("housing", "Oliver", "Grant", "Executive director", "hsg", [Role.EXECUTIVE_DIRECTOR]),
    ("auditor", "Simon", "Hart", "Internal auditor", "res", [Role.AUDITOR]),
    ("admin", "Nadia", "Kowalski", "Systems administrator", "res", [Role.ADMINISTRATOR]),
]


class Command(BaseCommand):
    help = "Create a fictional council with a user for every role (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already has users (used by `make run`).",
        )
        for part in demo.parts():
            if part.add_arguments is not None:
                part.add_arguments(parser)

    def handle(self, *args, if_empty: bool = False, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: it creates accounts with a published "
                "password. Run it only on a development or demonstration copy."
            )
        if if_empty and User.objects.exists():
            self.stdout.write("The database already has users; demo data not loaded.")
            return
        with transaction.atomic():
            directorates = self._directorates()
            created = self._people(directorates)
            demo.cpv_codes_load(reason=REASON)
            demo.plan_themes_load(reason=REASON)
        self._report(created)
        # The demo's gateway decisions would email the demo people: they send nothing.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for part in demo.parts():
                with transaction.atomic():
                    self.stdout.write(part.build(options=options))

    def _directorates(self) -> dict[str, Directorate]:
        directorates = {}
        for name, code in DIRECTORATES:
            directorate, _ = Directorate.objects.get_or_create(code=code, defaults={"name": name})
            directorates[code] = directorate
        return directorates

    def _people(self, directorates: dict[str, Directorate]) -> list[User]:
        people = []
        for local, first, last, title, directorate, roles in PEOPLE:
            email = f"{local}@{DEMO_DOMAIN}"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = user_create(
                    email=email,
                    first_name=first,
                    last_name=last,
                    job_title=title,
                    directorate=directorates[directorate],
                    roles=roles,
                    password=DEMO_PASSWORD,
                    by=None,
                    reason=REASON,
                )
                if local in PORTFOLIOS:
                    user_set_portfolio(
                        user=user,
                        directorates=[directorates[code] for code in PORTFOLIOS[local]],
                        by=None,
                        reason=REASON,
                    )
            people.append(user)
        return people

    def _report(self, people: list[User]) -> None:
        self.stdout.write(self.style.SUCCESS("Demo council ready. Sign in at /accounts/sign-in/"))
        self.stdout.write(f"Every demo user's password is: {DEMO_PASSWORD}")
        width = max(len(user.email) for user in people)
        for user in people:
            self.stdout.write(f"  {user.email:<{width}}  {', '.join(user.role_labels())}")
