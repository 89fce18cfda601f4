"""The council's procurements and contracts as OCDS 1.1 releases and records.

One contracting process per reference: a procurement on the forward plan and the contract its
Gateway 2 award put on the register share a reference (gateways/services/decisions.py), so they
share an ``ocid`` (the configured prefix, then the reference written with URL-safe characters), and
so do the lots awarded under one reference. Each release is the process as it stands: planning (the
project), tender (the approved Gateway 1 strategy), awards (approved Gateway 2s, or for a contract
from before the service, the contract itself), contracts, one for each lot (period with its latest
extent, value, amendments for variations and extensions, performance reviews as implementation
milestones). Only what the council publishes: processes over £5,000, the buyer's role mailbox
and no officer's name or address.
"""

import hashlib
import json
import re
import string
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from contracts.lead_times import add_months
from contracts.models import Contract, ContractEvent, Supplier
from contracts.selectors import contracts_published
from gateways.models import GatewayReview, ProcurementProject
from performance.models import PerformanceReview
from procurement.models import GatewayStage
from procurement.thresholds import REGISTER_ABOVE

State = GatewayReview.State
CURRENCY = "GBP"
LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
METHODS = {
    Contract.Route.TENDER: ("open", "Published tender"),
    Contract.Route.FRAMEWORK: ("selective", "Framework call-off"),
    Contract.Route.QUOTE: ("limited", "Quotation"),
    Contract.Route.DIRECT_AWARD: ("direct", "Direct award"),
}
CONTRACT_STATUS = {
    Contract.Status.NOT_STARTED: "pending",
    Contract.Status.ACTIVE: "active",
    Contract.Status.EXPIRING: "active",
    Contract.Status.EXTENDED: "active",
    Contract.Status.EXPIRED: "terminated",
    Contract.Status.TERMINATED: "terminated",
}


# A reference's characters kept as they are in an identifier: a URI's unreserved characters
# (RFC 3986) but the tilde, which writes every other byte of its UTF-8 as "~" and two hex digits.
KEPT = frozenset(string.ascii_letters + string.digits + "-._")
ESCAPED = re.compile(r"~([0-9A-F]{2})")


def local_id(text: str) -> str:
    """``text`` as a URL-safe identifier: letters, digits, hyphens, dots and underscores as they
    are, anything else escaped ("CR24/0001 A" is "CR24~2F0001~20A"), so it is one to one."""
    return "".join(
        char if char in KEPT else "".join(f"~{byte:02X}" for byte in char.encode()) for char in text
    )


def local_text(identifier: str) -> str | None:
    """The text ``local_id`` wrote as ``identifier``, or None if it wrote no text that way."""
    parts = ESCAPED.split(identifier)
    raw = b"".join(
        bytes.fromhex(part) if odd else part.encode("ascii", "replace")
        for odd, part in ((i % 2, part) for i, part in enumerate(parts))
    )
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        return None
    return text if local_id(text) == identifier else None


def ocid_for(reference: str) -> str:
    return f"{settings.OCDS_PREFIX}-{local_id(reference)}"


def reference_for(ocid: str) -> str | None:
    """The reference of the process ``ocid`` names, if it is one of ours."""
    prefix = f"{settings.OCDS_PREFIX}-"
    return local_text(ocid.removeprefix(prefix)) if ocid.startswith(prefix) else None


def _money(amount: Decimal | None) -> dict | None:
    if amount is None:
        return None
    return {"amount": float(amount), "currency": CURRENCY}


def _moment(day: date | datetime | None) -> str | None:
    """An OCDS date-time: a day is its start, in London."""
    if day is None:
        return None
    if not isinstance(day, datetime):
        day = timezone.make_aware(datetime.combine(day, time.min))
    return day.isoformat(timespec="seconds")


def _day(day: date | None) -> str:
    return "ongoing" if day is None else f"{day:%d/%m/%Y}"


def _clean(value):
    """Without empty values: OCDS fields are left out rather than null or empty."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def buyer() -> dict:
    return {
        "id": f"{settings.OCDS_PREFIX}-buyer",
        "name": settings.COUNCIL_NAME,
        "roles": ["buyer", "procuringEntity"],
        "contactPoint": {"name": "Procurement team", "email": settings.PROCUREMENT_MAILBOX},
    }


def party_id(supplier: Supplier) -> str:
    if supplier.companies_house_number:
        return f"GB-COH-{supplier.companies_house_number}"
    if supplier.charity_number:
        return f"GB-CHC-{supplier.charity_number}"
    return f"{settings.OCDS_PREFIX}-supplier-{supplier.pk}"


def supplier_party(supplier: Supplier) -> dict:
    identifier = None
    if supplier.companies_house_number:
        identifier = {"scheme": "GB-COH", "id": supplier.companies_house_number}
    elif supplier.charity_number:
        identifier = {"scheme": "GB-CHC", "id": supplier.charity_number}
    if identifier:
        identifier["legalName"] = supplier.name
    return {
        "id": party_id(supplier),
        "name": supplier.name,
        "identifier": identifier,
        "address": {"postalCode": supplier.postcode, "countryName": "United Kingdom"}
        if supplier.postcode
        else None,
        "roles": ["supplier"],
        "details": {"scale": "sme" if supplier.is_sme else "large"},
    }


@dataclass
class Process:
    """What the council holds about one contracting process: its contracts are the lots awarded
    under its reference (most processes have one, with no lot)."""

    reference: str
    project: ProcurementProject | None = None
    contracts: list[Contract] = field(default_factory=list)
    reviews: list[GatewayReview] = field(default_factory=list)

    @property
    def ocid(self) -> str:
        return ocid_for(self.reference)

    def lot_id(self, kind: str, contract: Contract) -> str:
        """The id of a contract's award or contract section: the one contract with no lot keeps
        the id it had before lots; a lot's names it (never all digits, as a report's award is)."""
        if not contract.lot:
            return f"{self.ocid}-{kind}"
        return f"{self.ocid}-{kind}-lot-{local_id(contract.lot)}"


# --- Sections of a release --------------------------------------------------------------------


def _planning(project: ProcurementProject) -> dict:
    planned = [
        ("g0", "Gateway 0: business case", project.planned_g0_date, "approval"),
        ("g1", "Gateway 1: procurement strategy", project.planned_g1_date, "approval"),
        ("tender", "Tender published", project.planned_tender_date, "engagement"),
        ("g2", "Gateway 2: permission to award", project.planned_g2_date, "approval"),
        ("award", "Contract awarded", project.planned_award_date, "approval"),
        ("start", "Contract starts", project.planned_start_date, "delivery"),
    ]
    return {
        "rationale": project.description,
        "budget": {"amount": _money(project.estimated_value)},
        "milestones": [
            {
                "id": key,
                "title": title,
                "type": kind,
                "dueDate": _moment(day),
                "status": "scheduled",
            }
            for key, title, day, kind in planned
            if day
        ],
    }


def _latest(reviews: list[GatewayReview], stage: str) -> GatewayReview | None:
    approved = [r for r in reviews if r.stage == stage and r.state == State.APPROVED]
    return max(approved, key=lambda r: r.decided_at) if approved else None


def _tender(process: Process) -> dict | None:
    project = process.project
    strategy = _latest(process.reviews, GatewayStage.G1)
    route = (strategy.strategy_route if strategy else "") or (
        project.planned_route if project else ""
    )
    if project is None and process.contracts:
        route = process.contracts[0].procurement_route
    method, details = METHODS.get(route, (None, None))
    awarded = _latest(process.reviews, GatewayStage.G2) is not None or bool(process.contracts)
    title = project.title if project else process.contracts[0].title
    return {
        "id": f"{process.ocid}-tender",
        "title": title,
        "description": strategy.summary if strategy else None,
        "status": "complete" if awarded else ("active" if strategy else "planning"),
        "procurementMethod": method,
        "procurementMethodDetails": details,
        "value": _money(project.estimated_value if project else None),
    }


def _titled(contract: Contract) -> str:
    return f"{contract.title} ({contract.lot})" if contract.lot else contract.title


def _awards(process: Process) -> tuple[list[dict], dict[int, str]]:
    """The awards, and the award of each contract: the approved Gateway 2 that put it on the
    register, or (on the register from before the service, or a lot no report awarded) the
    contract itself."""
    approved = [
        review
        for review in process.reviews
        if review.stage == GatewayStage.G2 and review.state == State.APPROVED and review.project_id
    ]
    awards = [
        {
            "id": f"{process.ocid}-award-{review.pk}",
            "title": f"Gateway 2 award: {process.project.title}",
            "status": "active",
            "date": _moment(review.decided_at),
            "value": _money(review.award_value),
            "suppliers": [
                {
                    "id": party_id(review.recommended_supplier),
                    "name": review.recommended_supplier.name,
                }
            ]
            if review.recommended_supplier
            else [],
        }
        for review in approved
    ]
    by_report = {review.pk: award["id"] for review, award in zip(approved, awards, strict=True)}
    award_of = {}
    for contract in process.contracts:
        award_id = by_report.get(contract.gateway_report)
        if award_id is None and not contract.lot and approved:
            award_id = by_report[approved[-1].pk]  # as before lots: the last report's award
        if award_id is None:
            award_id = process.lot_id("award", contract)
            awards.append(
                {
                    "id": award_id,
                    "title": _titled(contract) if contract.lot else None,
                    "status": "active",
                    "date": _moment(contract.start_date),
                    "value": _money(contract.whole_life_value),
                    "suppliers": [
                        {"id": party_id(contract.supplier), "name": contract.supplier.name}
                    ],
                }
            )
        award_of[contract.pk] = award_id
    return awards, award_of


def _contract(process: Process, contract: Contract, award_id: str) -> dict:
    events = list(contract.events.all())
    amendments = [
        {
            "id": f"{event.kind}-{event.pk}",
            "date": _moment(event.effective_date),
            "rationale": event.reason,
            "description": (
                f"{event.get_kind_display()}: value {event.previous_value} to {event.new_value}, "
                f"end {_day(event.previous_end_date)} to {_day(event.new_end_date)}"
            ),
        }
        for event in events
        if event.kind in (ContractEvent.Kind.VARIATION, ContractEvent.Kind.EXTENSION)
    ]
    remaining = contract.extension_options - contract.extensions_used
    # A rolling contract has no end: its period is open, with no endDate or maxExtentDate.
    max_extent = (
        add_months(contract.end_date, remaining * contract.extension_option_months)
        if contract.end_date is not None
        else None
    )
    milestones = [
        {
            "id": f"review-{review.pk}",
            "title": "Performance review",
            "type": "reporting",
            "status": "met",
            "dateMet": _moment(review.held_on),
            "description": f"Rated {review.rating_label.lower()}",
        }
        for review in contract.reviews.all()
    ]
    if contract.review_date:
        milestones.append(
            {
                "id": "next-review",
                "title": "Next performance review",
                "type": "reporting",
                "status": "scheduled",
                "dueDate": _moment(contract.review_date),
            }
        )
    return {
        "id": process.lot_id("contract", contract),
        "awardID": award_id,
        "title": _titled(contract),
        "description": contract.description,
        "status": CONTRACT_STATUS[contract.status],
        "period": {
            "startDate": _moment(contract.start_date),
            "endDate": _moment(contract.end_date),
            "maxExtentDate": _moment(max_extent),
        },
        "value": _money(contract.whole_life_value),
        "amendments": amendments,
        "implementation": {"milestones": milestones},
    }


def release_for(process: Process) -> dict:
    """The OCDS release of a process as it stands."""
    parties = [buyer()]
    seen = {parties[0]["id"]}
    suppliers = [
        r.recommended_supplier
        for r in process.reviews
        if r.recommended_supplier_id and r.stage == GatewayStage.G2 and r.state == State.APPROVED
    ]
    suppliers += [contract.supplier for contract in process.contracts]
    for supplier in suppliers:
        party = supplier_party(supplier)
        if party["id"] not in seen:
            seen.add(party["id"])
            parties.append(party)
    awards, award_of = _awards(process)
    tags = []
    if process.project is not None:
        tags.append("planning")
    if _latest(process.reviews, GatewayStage.G1) is not None:
        tags.append("tender")
    if awards:
        tags.append("award")
    body = {
        "ocid": process.ocid,
        "initiationType": "tender",
        "language": "en",
        "parties": parties,
        "buyer": {"id": parties[0]["id"], "name": parties[0]["name"]},
        "planning": _planning(process.project) if process.project else None,
        "tender": _tender(process),
        "awards": awards,
    }
    if process.contracts:
        body["contracts"] = [
            _contract(process, contract, award_of[contract.pk]) for contract in process.contracts
        ]
        tags.append("contract")
        if any(section["amendments"] for section in body["contracts"]):
            tags.append("contractAmendment")
        if any(section["implementation"]["milestones"] for section in body["contracts"]):
            tags.append("implementation")
    body = _clean(body)
    # The same process gives the same release id: a fingerprint of what it says.
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    changed = [
        moment
        for moment in (
            *(contract.updated_at for contract in process.contracts),
            *(r.decided_at for r in process.reviews),
            *(r.submitted_at for r in process.reviews),
        )
        if moment
    ]
    return {
        "ocid": process.ocid,
        "id": f"{process.ocid}-{digest}",
        "date": _moment(max(changed) if changed else process_default_date(process)),
        "tag": tags or ["planning"],
        **{k: v for k, v in body.items() if k != "ocid"},
    }


def process_default_date(process: Process) -> datetime:
    day = process.project.planned_start_date if process.project else None
    return timezone.make_aware(datetime.combine(day, time.min)) if day else timezone.now()


# --- The processes, a fixed number of queries a page ------------------------------------------


def _projects() -> QuerySet[ProcurementProject]:
    return ProcurementProject.objects.filter(estimated_value__gt=REGISTER_ABOVE)


def process_references() -> QuerySet:
    """Every published process's reference, in order: projects and published contracts."""
    today = timezone.localdate()
    projects = _projects().order_by().values_list("reference", flat=True)
    contracts = contracts_published(today=today).order_by().values_list("reference", flat=True)
    return projects.union(contracts).order_by("reference")


def process_exists(reference: str) -> bool:
    today = timezone.localdate()
    return (
        _projects().filter(reference=reference).exists()
        or contracts_published(today=today).filter(reference=reference).exists()
    )


def processes(references: list[str]) -> list[Process]:
    """The processes with those references, everything a release needs (six queries)."""
    today = timezone.localdate()
    reviews = GatewayReview.objects.filter(
        Q(project__reference__in=references) | Q(contract__reference__in=references)
    ).select_related("project", "contract", "recommended_supplier")
    contracts = (
        contracts_published(today=today)
        .filter(reference__in=references)
        .prefetch_related(
            "events",
            Prefetch("reviews", queryset=PerformanceReview.objects.order_by("held_on", "pk")),
        )
    )
    found = {ref: Process(reference=ref) for ref in references}
    for project in _projects().filter(reference__in=references):
        found[project.reference].project = project
    for contract in contracts.order_by("reference", "lot"):
        found[contract.reference].contracts.append(contract)
    for review in reviews:
        owner = review.project or review.contract
        if owner is not None and owner.reference in found:
            found[owner.reference].reviews.append(review)
    return [found[ref] for ref in references]


def publisher() -> dict:
    return {"name": settings.COUNCIL_NAME}


def release_package(*, references: list[str], uri: str, links: dict | None = None) -> dict:
    package = {
        "uri": uri,
        "version": "1.1",
        "publishedDate": _moment(timezone.now()),
        "publisher": publisher(),
        "license": LICENCE,
        "releases": [release_for(process) for process in processes(references)],
    }
    if links:
        package["links"] = links
    return package


def record_package(*, reference: str, uri: str, releases_uri: str) -> dict | None:
    found = processes([reference])
    if not found or (found[0].project is None and not found[0].contracts):
        return None
    release = release_for(found[0])
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": _moment(timezone.now()),
        "publisher": publisher(),
        "license": LICENCE,
        "packages": [releases_uri],
        "records": [{"ocid": release["ocid"], "releases": [release], "compiledRelease": release}],
    }
