"""The payment files imported."""

from django.db.models import QuerySet

from spend.models import PaymentImport


def payment_imports() -> QuerySet[PaymentImport]:
    """Every file imported, newest first, with its source and who imported it."""
    return PaymentImport.objects.select_related("source", "imported_by").order_by(
        "-imported_at", "-pk"
    )
