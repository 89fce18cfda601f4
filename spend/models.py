"""Spend: the council's payments from its finance system, against the register.

A payment is a fact the finance system holds: it comes in through the import and is never edited
here. Its identity is its source (the finance system it came from), its transaction reference and
its line, so a month imported twice, or an overlapping extract, adds nothing the second time. Each
row names the import that brought it (who, when, why). What the service works out about a payment
(the register's supplier it is paid to, the contract it is paid under) is kept on it as derived
fields, from the rules and from the officers' decisions, and those decisions are governed data
with history: a :class:`SupplierMatch` (this payee, as this source writes it, is this supplier),
a :class:`ContractChoice` (this supplier's payments in this directorate go to this contract) and
an :class:`Explanation` (why a payee is paid with no contract). docs/decisions/0049.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from contracts.models import Contract, Supplier
from procurement.models import MONEY, Directorate


class PaymentSource(models.Model):
    """A finance system whose payment files the council imports: its column and value mapping is
    saved under its name, and a payment's identity starts with it."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PaymentImport(models.Model):
    """One file of payments imported: who, when, why and what it added."""

    source = models.ForeignKey(PaymentSource, on_delete=models.PROTECT, related_name="imports")
    filename = models.CharField(max_length=255)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300)
    rows = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    already_imported = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.imported_at:%d %b %Y})"


class Payment(models.Model):
    """One line of a payment as the finance system exported it."""

    class SupplierMatch(models.TextChoices):
        NUMBER = "number", "Company or charity number"
        NAME = "name", "Name"
        CONFIRMED = "confirmed", "Confirmed by an officer"
        NOT_ON_REGISTER = "not_on_register", "Not on the register"
        REDACTED = "redacted", "Redacted"
        WAITING = "waiting", "Waiting for an officer"

    class ContractMatch(models.TextChoices):
        ONLY_LIVE = "only_live", "The supplier's one live contract in the directorate"
        REFERENCE = "reference", "Contract reference or purchase order in the file"
        CONFIRMED = "confirmed", "Chosen by an officer"
        NONE = "none", "No contract on the register"
        WAITING = "waiting", "Waiting for an officer"

    # The foreign keys a composite index below leads with have no index of their own: each
    # index is written for every line of a file.
    source = models.ForeignKey(
        PaymentSource, on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    batch = models.ForeignKey(PaymentImport, on_delete=models.PROTECT, related_name="payments")
    transaction_ref = models.CharField("transaction number", max_length=60)
    line = models.CharField(max_length=20, blank=True)
    paid_on = models.DateField("payment date")
    amount = models.DecimalField(**MONEY, help_text="Negative for a credit note.")
    vat = models.DecimalField("VAT", **MONEY, null=True, blank=True)
    body = models.CharField(max_length=200, blank=True)
    service_area = models.CharField(max_length=200, blank=True)
    directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    expenditure_category = models.CharField(max_length=200, blank=True)
    expense_type = models.CharField(max_length=200, blank=True)
    cost_centre = models.CharField(max_length=100, blank=True)
    payee = models.CharField("supplier name", max_length=250, help_text="As the file names it.")
    # The payee as compared (lower case, no punctuation, "limited" for "ltd", ...): what a
    # confirmed match remembers. Empty for a redacted payee.
    payee_key = models.CharField(max_length=250, blank=True)
    supplier_ref = models.CharField("supplier id", max_length=60, blank=True)
    is_redacted = models.BooleanField(default=False)
    company_number = models.CharField(max_length=8, blank=True)
    charity_number = models.CharField(max_length=12, blank=True)
    purchase_order = models.CharField(max_length=60, blank=True)
    contract_reference = models.CharField(max_length=50, blank=True)
    invoice_date = models.DateField(null=True, blank=True)
    invoice_received_on = models.DateField(null=True, blank=True)
    # Derived: worked out from the rules and the officers' decisions (their history says who).
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        db_index=False,
    )
    supplier_match = models.CharField(
        max_length=20, choices=SupplierMatch.choices, default=SupplierMatch.WAITING
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        db_index=False,
    )
    contract_match = models.CharField(
        max_length=20, choices=ContractMatch.choices, default=ContractMatch.WAITING
    )

    class Meta:
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "transaction_ref", "line"], name="payment_identity"
            ),
        ]
        indexes = [
            models.Index(fields=["paid_on"], name="payment_paid_on"),
            models.Index(fields=["contract", "paid_on"], name="payment_contract"),
            models.Index(fields=["supplier", "paid_on"], name="payment_supplier"),
            models.Index(fields=["source", "payee_key"], name="payment_payee"),
            # The no-contract list reads a year's payments under no contract by this one.
            models.Index(fields=["contract_match"], name="payment_contract_match"),
            # The queue's: only the payments waiting for an officer are indexed, so the rest
            # of a file's lines cost no index entry.
            models.Index(
                fields=["supplier_match"],
                name="payment_supplier_waiting",
                condition=models.Q(supplier_match="waiting"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_ref}/{self.line} {self.payee} £{self.amount}"

    @property
    def days_to_pay(self) -> int | None:
        received = self.invoice_received_on or self.invoice_date
        return (self.paid_on - received).days if received else None


class SupplierMatch(models.Model):
    """An officer's decision that a payee, as a source writes it, is a register supplier (or is
    not on the register): remembered, so next month's payments to it match themselves."""

    source = models.ForeignKey(PaymentSource, on_delete=models.PROTECT, related_name="matches")
    payee_key = models.CharField(max_length=250)
    payee = models.CharField(max_length=250, help_text="The payee as first written.")
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payee_matches",
        help_text="Empty: the payee is not a supplier on the register.",
    )
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How alike the names were, 0 to 100, when confirmed."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["payee_key"]
        constraints = [
            models.UniqueConstraint(fields=["source", "payee_key"], name="supplier_match_once")
        ]

    def __str__(self) -> str:
        return f"{self.payee} → {self.supplier or 'not on the register'}"


class ContractChoice(models.Model):
    """An officer's decision that a supplier's payments in a directorate, in a period, are paid
    under a contract (where the rules found several, or none)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+")
    directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_choices",
        help_text="Empty: these payments are under no contract on the register.",
    )
    paid_from = models.DateField()
    paid_to = models.DateField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.supplier} in {self.directorate}: {self.contract or 'no contract'}"


class SpendThreshold(models.Model):
    """A threshold the contract procedure rules use, for ranking spend with no contract."""

    amount = models.DecimalField(**MONEY, unique=True)
    label = models.CharField(max_length=150)
    history = HistoricalRecords()

    class Meta:
        ordering = ["amount"]

    def __str__(self) -> str:
        return self.label


class ExemptCategory(models.Model):
    """Spend the contract procedure rules exempt from needing a contract (e.g. court fees)."""

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "exempt categories"

    def __str__(self) -> str:
        return self.name


class Explanation(models.Model):
    """Why a payee is paid with no contract: a grant, a statutory payment, an exempt category
    or a waiver with its reference. Kept with history; a line explained drops out of the gaps."""

    class Kind(models.TextChoices):
        GRANT = "grant", "A grant"
        STATUTORY = "statutory", "A statutory payment"
        EXEMPT = "exempt", "An exempt category"
        WAIVER = "waiver", "A waiver"

    source = models.ForeignKey(PaymentSource, on_delete=models.PROTECT, related_name="+")
    # The payee as the no-contract list groups it: the supplier where matched, else its name.
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payee_key = models.CharField(max_length=250, blank=True)
    directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    exempt_category = models.ForeignKey(
        ExemptCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    waiver_reference = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    explained_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-explained_at"]

    def __str__(self) -> str:
        return self.get_kind_display()


class SpendSettings(models.Model):
    """The council's settings for spend: one row."""

    match_threshold = models.PositiveSmallIntegerField(
        default=85,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
        help_text="A name this alike (0 to 100) or more is offered first in the queue; no match "
        "below 100 is applied without an officer's confirmation.",
    )
    local_target_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days to pay an invoice, as the council's own target."
    )
    local_target_share = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("90"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="The share of invoices to pay within the local target, %.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "spend settings"

    def __str__(self) -> str:
        return "Spend settings"


# --- Kept from the payments (docs/decisions/0052) ----------------------------------------------


class KeptSpend(models.Model):
    """Which day the kept no-contract lines are the twelve months to (none: not built), and
    whether the kept contract totals stand: one row, locked by every write to the kept rows."""

    lines_for = models.DateField(null=True, blank=True)
    contracts_kept = models.BooleanField(default=False)
    built_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Spend kept for {self.lines_for or 'no day'}"


class NoContractLine(models.Model):
    """A line of the spend with no contract (:mod:`spend.selectors.gaps`) over the twelve months
    to :attr:`KeptSpend.lines_for`: derived from the payments, without history."""

    # 0: no supplier on the register (then the payee's key names the line) / no directorate.
    line_supplier = models.IntegerField()
    line_payee = models.CharField(max_length=250, blank=True)
    line_directorate = models.IntegerField()
    total = models.DecimalField(**MONEY)
    payments = models.IntegerField()
    first_paid = models.DateField()
    last_paid = models.DateField()
    source = models.IntegerField()
    payee_name = models.CharField(max_length=250, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["line_supplier", "line_payee", "line_directorate"],
                name="kept_no_contract_line",
            ),
        ]
        indexes = [
            models.Index(fields=["-total"], name="kept_no_contract_total"),
            models.Index(fields=["line_directorate", "-total"], name="kept_no_contract_dir"),
        ]

    def __str__(self) -> str:
        return f"{self.payee_name or self.line_supplier}: {self.total}"


class ContractPaid(models.Model):
    """What a contract has been paid, all time and after its end: derived from the payments and
    the contract's dates, without history."""

    contract = models.OneToOneField(
        Contract, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    paid = models.DecimalField(**MONEY)
    after_end = models.DecimalField(**MONEY)
    payments_after_end = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.paid}"


__all__ = [
    "ContractChoice",
    "ContractPaid",
    "ExemptCategory",
    "Explanation",
    "KeptSpend",
    "NoContractLine",
    "Payment",
    "PaymentImport",
    "PaymentSource",
    "SpendSettings",
    "SpendThreshold",
    "SupplierMatch",
]
