"""The forward plan as the public reads it (RBKC strategy §8a, Kent R11 to R12): no sign-in.

Only what officers published, from the day they chose, over the council's figure; a value band,
never the estimate."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from gateways.selectors import projects_publicly_planned
from procurement.access import public
from procurement.downloads import csv_response
from procurement.thresholds import forward_plan_publish_above, pounds_short, value_band

CSV_HEADINGS = [
    "Reference",
    "Title",
    "Directorate",
    "Category",
    "Estimated value band",
    "Tender planned",
    "Award planned",
    "Suitable for SMEs",
    "Suitable for VCSEs",
    "Contact",
]


@dataclass(frozen=True)
class PlannedProcurement:
    """A published procurement with only its public facts."""

    reference: str
    title: str
    directorate: str
    category: str
    band: str
    tender: date | None
    award: date | None
    sme: bool
    vcse: bool
    contact: str


def _planned(*, today: date) -> list[PlannedProcurement]:
    above = forward_plan_publish_above()
    return [
        PlannedProcurement(
            reference=project.reference,
            title=project.title,
            directorate=project.directorate.name,
            category=project.category.name if project.category else "",
            band=value_band(project.estimated_value, above=above),
            tender=project.planned_tender_date,
            award=project.planned_award_date,
            sme=project.suitable_for_sme,
            vcse=project.suitable_for_vcse,
            contact=project.contact_email or settings.PROCUREMENT_MAILBOX,
        )
        for project in projects_publicly_planned(today=today)
    ]


@public
@require_GET
def public_forward_plan(request: HttpRequest) -> HttpResponse:
    """The procurements the council plans, published by its officers."""
    today = timezone.localdate()
    return render(
        request,
        "gateways/public_forward_plan.html",
        {
            "planned": _planned(today=today),
            "today": today,
            "above": pounds_short(forward_plan_publish_above()),
        },
    )


@public
@require_GET
def public_forward_plan_csv(request: HttpRequest) -> HttpResponse:
    """The public forward plan as CSV: the same procurements and facts as its page."""
    today = timezone.localdate()
    rows = (
        [
            item.reference,
            item.title,
            item.directorate,
            item.category,
            item.band,
            item.tender.isoformat() if item.tender else "",
            item.award.isoformat() if item.award else "",
            "Yes" if item.sme else "No",
            "Yes" if item.vcse else "No",
            item.contact,
        ]
        for item in _planned(today=today)
    )
    return csv_response(CSV_HEADINGS, rows, f"forward-plan-{today:%Y-%m-%d}.csv")
