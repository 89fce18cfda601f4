"""Match every payment to the register's suppliers and contracts again."""

from django.core.management.base import BaseCommand, CommandError

from spend.models import Payment, PaymentSource
from spend.services.matching import payments_match


class Command(BaseCommand):
    help = (
        "Match every payment again to the register's suppliers and contracts, by the matching "
        "rules and the officers' confirmed matches and contract choices as they stand (after "
        "the register changed in bulk, or the rules did). Payments are never added or removed; "
        "only the supplier and contract worked out for each change. --source limits it to the "
        "payments of one finance system."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--source",
            metavar="NAME",
            help="Only the payments from this finance system (a payment source's name).",
        )

    def handle(self, *args, source: str | None = None, **options) -> None:
        sources = None
        if source is not None:
            sources = list(PaymentSource.objects.filter(name__iexact=source.strip()))
            if not sources:
                raise CommandError(f"There is no payment source named {source!r}.")
        counts = payments_match(sources=sources)
        suppliers = {
            Payment.SupplierMatch(value).label: n
            for (f, value), n in counts.items()
            if f == "supplier_match"
        }
        contracts = {
            Payment.ContractMatch(value).label: n
            for (f, value), n in counts.items()
            if f == "contract_match"
        }
        total = sum(suppliers.values())
        self.stdout.write(f"{total} payments matched again.")
        for heading, found in (("Suppliers", suppliers), ("Contracts", contracts)):
            lines = "; ".join(f"{label}: {number}" for label, number in sorted(found.items()))
            self.stdout.write(f"{heading}: {lines or 'none'}.")
