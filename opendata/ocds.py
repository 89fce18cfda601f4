"""The council's procurements and contracts as OCDS 1.1 releases and records.

One contracting process per reference: a procurement on the forward plan and the contract its
Gateway 2 award put on the register share a reference (gateways/services/decisions.py), so they
share an ``ocid`` (the configured prefix, then the reference written with URL-safe characters), and
so do the lots awarded under one reference. Each release is the process as it stands: planning (the
project), tender (the approved Gateway 1 strategy), awards (approved Gateway 2s, or for a contract
from before the service, the contract itself), contracts, one for each lot (period with its latest
extent, value, amendments for variations and extensions, performance reviews as implementation
milestones). Only what the council publishes: contracts over £5,000, procurements only once
officers made them public on the forward plan, the buyer's role mailbox and no officer's name or
address. A process has a release for each stage it has reached (planning, tender, award and
contracts), and its record a compiled release of its own (decision record 0055).
"""

import hashlib
import json
import re
import string
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from contracts.lead_times import add_months
from contracts.models import Contract, ContractEvent, Supplier
from contracts.selectors import contracts_published
from gateways.models import GatewayReview, ProcurementProject
from gateways.selectors import projects_made_public
from performance.models import PerformanceReview
from procurement.act import Figures, Standing, including_vat
from procurement.models import CpvCode, GatewayStage, Threshold
from procurement.thresholds import KPIS_ABOVE, forward_plan_publish_above, value_band

from .models import Notice

State = GatewayReview.State
CURRENCY = "GBP"
LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
# A period ends at the last second of its last day, as OCDS reads an end date-time.
END_OF_DAY = time(23, 59, 59)
METHODS = {
    Contract.Route.TENDER: ("open", "Published tender"),
    Contract.Route.FRAMEWORK: ("selective", "Framework call-off"),
    Contract.Route.QUOTE: ("limited", "Quotation"),
    Contract.Route.DIRECT_AWARD: ("direct", "Direct award"),
}
# The extensions the packages use, declared in each (tests/ocds_extensions holds copies): the
# UK extension Find a Tender publishes with (amountGross, aboveThreshold, vcse, noticeType), the
# party scale, the organisation classification (the buyer's UK type) and the metrics (KPIs).
EXTENSIONS = (
    "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_partyDetails_scale_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_organizationClassification_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_metrics_extension/master/extension.json",
)
# A council is a sub-central contracting authority (Procurement Act 2023, Schedule 1).
BUYER_CLASSIFICATION = {
    "scheme": "UK_CA_TYPE",
    "id": "publicAuthoritySubCentralGovernment",
    "description": "Public authority - sub-central government",
}
FIND_A_TENDER_NOTICE = "https://www.find-tender.service.gov.uk/Notice/{}"
# Each notice recorded, as Find a Tender writes it: its number and the OCDS document type.
NOTICE_DOCUMENTS = {
    Notice.Kind.PIPELINE: ("UK1", "plannedProcurementNotice"),
    Notice.Kind.CONTRACT_DETAILS: ("UK7", "contractNotice"),
    Notice.Kind.PERFORMANCE: ("UK9", "implementationNotice"),
    Notice.Kind.CHANGE: ("UK10", "contractNotice"),
}
MAIN_CATEGORY = {Threshold.Kind.WORKS: "works", Threshold.Kind.LIGHT_TOUCH: "services"}
# The CPV's divisions: 45 is construction work; 03 to 44 and 48 (software) are supplies.
CPV_WORKS_DIVISION = 45
CPV_SUPPLY_DIVISIONS = frozenset({48})
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


def _money(amount: Decimal | None, gross: Decimal | None = None) -> dict | None:
    """A value, with ``amountGross`` (the UK extension's value including VAT) where known."""
    if amount is None:
        return None
    money = {"amount": float(amount), "currency": CURRENCY}
    if gross is not None:
        money["amountGross"] = float(gross)
    return money


def _gross(value: Decimal | None, *, like_value: Decimal | None, like_vat: Decimal | None):
    """``value`` with its VAT at the rate of a recorded VAT on ``like_value`` (a procurement's
    estimate, for its award), else the standard rate: the figure the Act's rules compare."""
    if value is None:
        return None
    if like_vat is None or not like_value:
        return including_vat(value, None)
    return value + (value * like_vat / like_value).quantize(Decimal("0.01"))


def _moment(day: date | datetime | None) -> str | None:
    """An OCDS date-time: a day is its start, in London."""
    if day is None:
        return None
    if not isinstance(day, datetime):
        day = timezone.make_aware(datetime.combine(day, time.min))
    return timezone.localtime(day).isoformat(timespec="seconds")


def _period_end(day: date | None) -> str | None:
    """An OCDS period's end: a day ends at 23:59:59 in London (GMT or BST, as that day is)."""
    if day is None:
        return None
    return _moment(timezone.make_aware(datetime.combine(day, END_OF_DAY)))


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


def council_party_id() -> str:
    return f"{settings.COUNCIL_ID_SCHEME}-{settings.COUNCIL_ID}"


def buyer() -> dict:
    """The council as buyer: its identifier, address, UK classification and role mailbox."""
    return {
        "id": council_party_id(),
        "name": settings.COUNCIL_NAME,
        "identifier": {
            "scheme": settings.COUNCIL_ID_SCHEME,
            "id": settings.COUNCIL_ID,
            "legalName": settings.COUNCIL_NAME,
        },
        "address": dict(settings.COUNCIL_ADDRESS),
        "roles": ["buyer", "procuringEntity"],
        "contactPoint": {"name": "Procurement team", "email": settings.PROCUREMENT_MAILBOX},
        "details": {"classifications": [dict(BUYER_CLASSIFICATION)]},
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
        "details": {"scale": "sme" if supplier.is_sme else "large", "vcse": supplier.is_vcse},
    }


@dataclass
class Process:
    """What the council holds about one contracting process: its contracts are the lots awarded
    under its reference (most processes have one, with no lot). ``project`` is the procurement
    only where officers made it public on the forward plan, with the moment they did."""

    reference: str
    project: ProcurementProject | None = None
    made_public_at: datetime | None = None
    contracts: list[Contract] = field(default_factory=list)
    reviews: list[GatewayReview] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    @property
    def ocid(self) -> str:
        return ocid_for(self.reference)

    @property
    def title(self) -> str:
        return self.project.title if self.project else self.contracts[0].title

    def lot_id(self, kind: str, contract: Contract) -> str:
        """The id of a contract's award or contract section: the one contract with no lot keeps
        the id it had before lots; a lot's names it (never all digits, as a report's award is)."""
        if not contract.lot:
            return f"{self.ocid}-{kind}"
        return f"{self.ocid}-{kind}-lot-{local_id(contract.lot)}"


@dataclass(frozen=True)
class Context:
    """What every release of a package is worked out with: the day, the Act's figures and the
    CPV descriptions, read once."""

    today: date
    now: datetime
    figures: Figures
    cpv: dict[str, str] = field(default_factory=dict)


# --- Sections of a release --------------------------------------------------------------------


def _documents(process: Process, *kinds: str, contract: Contract | None = None) -> list[dict]:
    """The Find a Tender notices recorded for the process (or one contract) of these kinds."""
    return [
        {
            "id": notice.notice_id,
            "documentType": NOTICE_DOCUMENTS[notice.kind][1],
            "noticeType": NOTICE_DOCUMENTS[notice.kind][0],
            "title": notice.get_kind_display(),
            "url": FIND_A_TENDER_NOTICE.format(notice.notice_id),
            "datePublished": _moment(notice.published_on),
        }
        for notice in process.notices
        if notice.kind in kinds and (contract is None or notice.contract_id == contract.pk)
    ]


def _planning(process: Process) -> dict:
    project = process.project
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
        # The band the public forward plan gives, never the estimate itself (decision record
        # 0053): an estimate published before the tender is a price bidders would aim at.
        "budget": {"description": f"Estimated value: {_band(project)}"},
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
        "documents": _documents(process, Notice.Kind.PIPELINE),
    }


def _band(project: ProcurementProject) -> str:
    return value_band(project.estimated_value, above=forward_plan_publish_above())


def _latest(reviews: list[GatewayReview], stage: str) -> GatewayReview | None:
    approved = [r for r in reviews if r.stage == stage and r.state == State.APPROVED]
    return max(approved, key=lambda r: r.decided_at) if approved else None


def _standing(process: Process, context: Context) -> Standing:
    if process.project is not None:
        return process.project.act_standing(today=context.today, figures=context.figures)
    return process.contracts[0].act_standing(context.figures)


def main_category(cpv_code: str, kind: str) -> str | None:
    """OCDS's main procurement category: from the CPV code's division where there is one (45 is
    works; 03 to 44 and 48 are supplies; the rest services), else from the kind of contract the
    Act measures (works; light-touch services; goods and services do not tell which)."""
    if cpv_code:
        division = int(cpv_code[:2])
        if division == CPV_WORKS_DIVISION:
            return "works"
        return (
            "goods"
            if division < CPV_WORKS_DIVISION or division in CPV_SUPPLY_DIVISIONS
            else "services"
        )
    return MAIN_CATEGORY.get(kind)


def _items(cpv_code: str, title: str, context: Context) -> list[dict]:
    """What is bought, as one item classified by its CPV code (the eight digits, as Find a Tender
    writes them)."""
    if not cpv_code:
        return []
    classification = {
        "scheme": "CPV",
        "id": cpv_code[:8],
        "description": context.cpv.get(cpv_code),
    }
    return [{"id": "1", "description": title, "classification": classification}]


def _cpv_of(process: Process) -> str:
    if process.project is not None:
        return process.project.cpv_code
    return next((c.cpv_code for c in process.contracts if c.cpv_code), "")


def _tender(process: Process, context: Context, *, status: str) -> dict:
    project = process.project
    strategy = _latest(process.reviews, GatewayStage.G1)
    route = (strategy.strategy_route if strategy else "") or (
        project.planned_route if project else ""
    )
    if project is None and process.contracts:
        route = process.contracts[0].procurement_route
    method, details = METHODS.get(route, (None, None))
    standing = _standing(process, context)
    cpv_code = _cpv_of(process)
    return {
        "id": f"{process.ocid}-tender",
        "title": process.title,
        # The strategy's summary only for a procurement made public, once its tender is out.
        "description": strategy.summary if strategy and project and status != "planned" else None,
        "status": status,
        "procurementMethod": method,
        "procurementMethodDetails": details,
        "mainProcurementCategory": main_category(cpv_code, standing.kind),
        "aboveThreshold": standing.above_threshold,
        "items": _items(cpv_code, process.title, context),
    }


def _titled(contract: Contract) -> str:
    return f"{contract.title} ({contract.lot})" if contract.lot else contract.title


def _award_of_report(process: Process, review: GatewayReview, context: Context) -> dict:
    project = review.project
    return {
        "id": f"{process.ocid}-award-{review.pk}",
        "title": f"Gateway 2 award: {process.title}",
        "status": "active",
        "date": _moment(review.decided_at),
        "value": _money(
            review.award_value,
            _gross(
                review.award_value,
                like_value=project.estimated_value,
                like_vat=project.estimated_vat,
            ),
        ),
        "aboveThreshold": _standing(process, context).above_threshold,
        "suppliers": [
            {"id": party_id(review.recommended_supplier), "name": review.recommended_supplier.name}
        ]
        if review.recommended_supplier
        else [],
    }


def _awards(process: Process, context: Context) -> tuple[list[dict], dict[int, str]]:
    """The awards, and the award of each contract: the approved Gateway 2 that put it on the
    register, or (on the register from before the service, or a lot no report awarded) the
    contract itself."""
    approved = [
        review
        for review in process.reviews
        if review.stage == GatewayStage.G2 and review.state == State.APPROVED and review.project_id
    ]
    awards = [_award_of_report(process, review, context) for review in approved]
    by_report = {review.pk: award["id"] for review, award in zip(approved, awards, strict=True)}
    award_of = {}
    for contract in process.contracts:
        award_id = by_report.get(contract.gateway_report)
        if award_id is None and not contract.lot and approved:
            award_id = by_report[approved[-1].pk]  # as before lots: the last report's award
        if award_id is None:
            award_id = process.lot_id("award", contract)
            standing = contract.act_standing(context.figures)
            awards.append(
                {
                    "id": award_id,
                    "title": _titled(contract) if contract.lot else None,
                    "status": "active",
                    "date": _moment(min(contract.entered_into, context.today)),
                    "value": _money(contract.whole_life_value, standing.value_including_vat),
                    "aboveThreshold": standing.above_threshold,
                    "suppliers": [
                        {"id": party_id(contract.supplier), "name": contract.supplier.name}
                    ],
                }
            )
        award_of[contract.pk] = award_id
    return awards, award_of


def _amendments(contract: Contract) -> list[dict]:
    return [
        {
            "id": f"{event.kind}-{event.pk}",
            "date": _moment(event.effective_date),
            "rationale": event.reason,
            "description": (
                f"{event.get_kind_display()}: value {event.previous_value} to {event.new_value}, "
                f"end {_day(event.previous_end_date)} to {_day(event.new_end_date)}"
            ),
        }
        for event in contract.events.all()
        if event.kind in (ContractEvent.Kind.VARIATION, ContractEvent.Kind.EXTENSION)
    ]


def _milestones(contract: Contract) -> list[dict]:
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
    return milestones


def _agreed_metrics(contract: Contract, standing: Standing) -> list[dict]:
    """The KPIs a contract over £5m names (section 53: part of its contract details notice)."""
    if standing.value_including_vat <= KPIS_ABOVE:
        return []
    return [
        {
            "id": f"kpi-{kpi.pk}",
            "title": kpi.name,
            "description": kpi.measure,
            "observations": [
                {"id": "target", "measure": float(kpi.target), "unit": {"name": kpi.unit}}
            ],
        }
        for kpi in contract.kpis.all()
    ]


def _contract(process: Process, contract: Contract, award_id: str, context: Context) -> dict:
    remaining = contract.extension_options - contract.extensions_used
    # A rolling contract has no end: its period is open, with no endDate or maxExtentDate.
    max_extent = (
        add_months(contract.end_date, remaining * contract.extension_option_months)
        if contract.end_date is not None
        else None
    )
    standing = contract.act_standing(context.figures)
    kinds = (Notice.Kind.CONTRACT_DETAILS, Notice.Kind.CHANGE)
    return {
        "id": process.lot_id("contract", contract),
        "awardID": award_id,
        "title": _titled(contract),
        "description": contract.description,
        "status": CONTRACT_STATUS[contract.status],
        "period": {
            "startDate": _moment(contract.start_date),
            "endDate": _period_end(contract.end_date),
            "maxExtentDate": _period_end(max_extent),
        },
        "value": _money(contract.whole_life_value, standing.value_including_vat),
        "items": _items(contract.cpv_code, _titled(contract), context),
        "dateSigned": _moment(contract.signed_on),
        "aboveThreshold": standing.above_threshold,
        "agreedMetrics": _agreed_metrics(contract, standing),
        "documents": _documents(process, *kinds, contract=contract),
        "amendments": _amendments(contract),
        "implementation": {
            "milestones": _milestones(contract),
            "documents": _documents(process, Notice.Kind.PERFORMANCE, contract=contract),
        },
    }


def _parties(process: Process) -> list[dict]:
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
    return parties


def _release(process: Process, body: dict, *, tags: list[str], moment, context: Context):
    """A release of the process: its id a fingerprint of what it says (the same process gives
    the same id), dated when what it tells happened and never after now."""
    body = _clean(
        {
            "initiationType": "tender",
            "language": "en",
            "buyer": {"id": council_party_id(), "name": settings.COUNCIL_NAME},
            **body,
        }
    )
    digest = hashlib.sha256(json.dumps([tags, body], sort_keys=True).encode()).hexdigest()[:16]
    return {
        "ocid": process.ocid,
        "id": f"{process.ocid}-{digest}",
        "date": _moment(min(moment or context.now, context.now)),
        "tag": tags,
        **body,
    }


def _award_release(process: Process, context: Context, opening: dict) -> dict | None:
    awards, award_of = _awards(process, context)
    if not awards:
        return None
    body = {**opening, "parties": _parties(process), "awards": awards}
    tags = ["award"]
    if process.contracts:
        body["contracts"] = [
            _contract(process, contract, award_of[contract.pk], context)
            for contract in process.contracts
        ]
        tags.append("contract")
        if any(section["amendments"] for section in body["contracts"]):
            tags.append("contractAmendment")
        if any(section["implementation"]["milestones"] for section in body["contracts"]):
            tags.append("implementation")
    changed = [
        moment
        for moment in (
            *(contract.updated_at for contract in process.contracts),
            *(r.decided_at for r in process.reviews),
            *(r.submitted_at for r in process.reviews),
        )
        if moment
    ]
    return _release(process, body, tags=tags, moment=max(changed, default=None), context=context)


def releases_for(process: Process, context: Context) -> list[dict]:
    """The releases of a process, oldest first: its planning (once officers made it public on
    the forward plan), its tender (once its strategy is approved, if it was made public), and
    its award and contracts (once awarded: the register is public)."""
    if process.project is None and not process.contracts:
        return []  # nothing of it published
    planning = {"planning": _planning(process)} if process.project else {}
    strategy = _latest(process.reviews, GatewayStage.G1)
    awarded = bool(process.contracts) or _latest(process.reviews, GatewayStage.G2) is not None
    releases = []
    if process.project is not None:
        body = {**planning, "parties": [buyer()]}
        body["tender"] = _tender(process, context, status="planned")
        releases.append(
            _release(
                process, body, tags=["planning"], moment=process.made_public_at, context=context
            )
        )
        if strategy is not None:
            body = {**body, "tender": _tender(process, context, status="active")}
            releases.append(
                _release(
                    process, body, tags=["tender"], moment=strategy.decided_at, context=context
                )
            )
    tender = _tender(process, context, status="complete" if awarded else "active")
    final = _award_release(process, context, {**planning, "tender": tender})
    if final is not None:
        releases.append(final)
    return sorted(releases, key=lambda release: datetime.fromisoformat(release["date"]))


def _stage(tags: list[str]) -> int:
    return 2 if "award" in tags else 1 if "tender" in tags else 0


def compiled_release(releases: list[dict]) -> dict:
    """The record's compiled release: the release of the furthest stage (each tells all that
    came before it, whenever it was dated), with an id of its own and the tag ``compiled``."""
    latest = max(releases, key=lambda release: _stage(release["tag"]))
    body = {k: v for k, v in latest.items() if k not in ("id", "tag")}
    digest = hashlib.sha256(
        json.dumps([r["id"] for r in releases], sort_keys=True).encode()
    ).hexdigest()[:16]
    return {**body, "id": f"{latest['ocid']}-compiled-{digest}", "tag": ["compiled"]}


# --- The processes, a fixed number of queries a page ------------------------------------------


def _projects(today: date) -> QuerySet[ProcurementProject]:
    """The procurements made public on the forward plan, with the moment they first were."""
    first_public = (
        ProcurementProject.history.filter(id=OuterRef("pk"), on_public_forward_plan=True)
        .order_by("history_date")
        .values("history_date")[:1]
    )
    return (
        projects_made_public(today=today)
        .select_related("category")
        .annotate(made_public_at=Subquery(first_public))
    )


def process_references() -> QuerySet:
    """Every published process's reference, in order: projects made public and published
    contracts."""
    today = timezone.localdate()
    projects = projects_made_public(today=today).order_by().values_list("reference", flat=True)
    contracts = contracts_published(today=today).order_by().values_list("reference", flat=True)
    return projects.union(contracts).order_by("reference")


def process_exists(reference: str) -> bool:
    today = timezone.localdate()
    return (
        projects_made_public(today=today).filter(reference=reference).exists()
        or contracts_published(today=today).filter(reference=reference).exists()
    )


def _made_public(project: ProcurementProject) -> datetime | None:
    """When the procurement became public: published, or its chosen day if that came later."""
    moments = [project.made_public_at]
    if project.public_from is not None:
        moments.append(timezone.make_aware(datetime.combine(project.public_from, time.min)))
    return max((m for m in moments if m is not None), default=None)


def processes(references: list[str], *, today: date) -> list[Process]:
    """The processes with those references, everything a release needs (a fixed number of
    queries, whatever the number of processes)."""
    reviews = GatewayReview.objects.filter(
        Q(project__reference__in=references) | Q(contract__reference__in=references)
    ).select_related("project", "contract", "recommended_supplier")
    contracts = (
        contracts_published(today=today)
        .filter(reference__in=references)
        .prefetch_related(
            "events",
            "kpis",
            Prefetch("reviews", queryset=PerformanceReview.objects.order_by("held_on", "pk")),
        )
    )
    found = {ref: Process(reference=ref) for ref in references}
    for project in _projects(today).filter(reference__in=references):
        found[project.reference].project = project
        found[project.reference].made_public_at = _made_public(project)
    for contract in contracts.order_by("reference", "lot"):
        found[contract.reference].contracts.append(contract)
    for review in reviews:
        owner = review.project or review.contract
        if owner is not None and owner.reference in found:
            found[owner.reference].reviews.append(review)
    notices = Notice.objects.filter(
        Q(project__reference__in=references) | Q(contract__reference__in=references)
    ).select_related("project", "contract")
    for notice in notices.order_by("published_on", "pk"):
        owner = notice.project or notice.contract
        process = found.get(owner.reference) if owner else None
        if process is not None and (notice.project_id is None or process.project is not None):
            process.notices.append(notice)
    return [found[ref] for ref in references]


def _context() -> Context:
    return Context(today=timezone.localdate(), now=timezone.now(), figures=Figures.load())


def publisher() -> dict:
    return {
        "name": settings.COUNCIL_NAME,
        "scheme": settings.COUNCIL_ID_SCHEME,
        "uid": settings.COUNCIL_ID,
    }


def _package(*, uri: str, context: Context) -> dict:
    return {
        "uri": uri,
        "version": "1.1",
        "extensions": list(EXTENSIONS),
        "publishedDate": _moment(context.now),
        "publisher": publisher(),
        "license": LICENCE,
    }


def _with_cpv(context: Context, found: list[Process]) -> Context:
    """The context with the descriptions of the CPV codes the processes use (one query)."""
    codes = {
        code
        for process in found
        for code in (
            process.project.cpv_code if process.project else "",
            *(contract.cpv_code for contract in process.contracts),
        )
        if code
    }
    if not codes:
        return context
    described = dict(CpvCode.objects.filter(code__in=codes).values_list("code", "description"))
    return replace(context, cpv=described)


def release_package(*, references: list[str], uri: str, links: dict | None = None) -> dict:
    context = _context()
    package = _package(uri=uri, context=context)
    found = processes(references, today=context.today)
    context = _with_cpv(context, found)
    package["releases"] = [
        release for process in found for release in releases_for(process, context)
    ]
    if links:
        package["links"] = links
    return package


def record_package(*, reference: str, uri: str, releases_uri: str) -> dict | None:
    context = _context()
    found = processes([reference], today=context.today)
    context = _with_cpv(context, found)
    releases = releases_for(found[0], context) if found else []
    if not releases:
        return None
    return {
        **_package(uri=uri, context=context),
        "packages": [releases_uri],
        "records": [
            {
                "ocid": releases[0]["ocid"],
                "releases": releases,
                "compiledRelease": compiled_release(releases),
            }
        ],
    }
