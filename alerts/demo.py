"""Demo alerts: business partners for the directorates, a contract manager who has left, and
today's renewal alerts and escalation digests, sent through the same jobs as the schedule (the demo
sends no real email: ``seed_demo`` uses the dummy backend).
"""

from django.utils import timezone

from contracts.models import Contract
from contracts.services import contract_update
from procurement.history import save_with_history
from procurement.models import Directorate, User
from procurement.roles import Role
from procurement.services import user_create

from .services import escalation_digests_send, renewal_alerts_send

REASON = "Demo data (seed_demo)."
LEAVER = "leaver@northmere.example"
LEAVERS_CONTRACTS = 3
# A big register (the benchmarks') is left for the jobs to find: the demo sends for a small one.
LARGEST_REGISTER_SENT = 5000


def build(*, options: dict) -> str:
    partner = User.objects.filter(groups__name=Role.BUSINESS_PARTNER.label).order_by("pk").first()
    if partner is None or not Contract.objects.exists():
        return "Alerts: skipped (the demo council's people and contracts are missing)."
    for directorate in Directorate.objects.filter(business_partner__isnull=True):
        directorate.business_partner = partner
        save_with_history(directorate, by=None, reason=REASON)
    _leaver(partner)
    if Contract.objects.count() > LARGEST_REGISTER_SENT:
        return "Alerts: business partners named; the register is large, so no alerts were sent."
    today = timezone.localdate()
    renewals = renewal_alerts_send(on=today)
    digests = escalation_digests_send(on=today)
    return (
        f"Alerts: {renewals.claimed} renewal alerts and {digests.claimed} escalation digests "
        "sent for today; a contract manager who has left, with contracts to reassign."
    )


def _leaver(partner: User) -> None:
    """A contract manager who has left, whose contracts wait to be reassigned."""
    if User.objects.filter(email=LEAVER).exists():
        return
    manager = User.objects.filter(email="manager@northmere.example").first()
    if manager is None:
        return
    leaver = user_create(
        email=LEAVER,
        first_name="Alex",
        last_name="Morgan",
        job_title="Contract manager (left)",
        directorate=manager.directorate,
        roles=[Role.CONTRACT_MANAGER],
        by=None,
        reason=REASON,
    )
    today = timezone.localdate()
    contracts = Contract.objects.filter(
        contract_manager=manager, end_date__gt=today, terminated_on__isnull=True
    ).order_by("-end_date", "pk")[:LEAVERS_CONTRACTS]
    for contract in contracts:
        contract_update(
            contract=contract, fields={"contract_manager": leaver}, by=partner, reason=REASON
        )
    leaver.is_active = False
    save_with_history(leaver, by=None, reason="Left the council (demo data).")
