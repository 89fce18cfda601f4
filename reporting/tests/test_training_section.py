"""The annual report's training section: its figures, and its heading and a figure in the PDF."""

import io
from datetime import date

import pypdf
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from procurement.roles import Role
from reporting.annual import training_section
from reporting.models import AnnualReport
from reporting.selectors import Scope
from training.models import Course
from training.services import attendance_record, course_save

pytestmark = pytest.mark.django_db


def _programme(make_user):
    partner = make_user(Role.BUSINESS_PARTNER)
    course = course_save(
        course=None,
        fields={
            "name": "Contract management",
            "audience": Course.Audience.CONTRACT_MANAGERS,
            "refresh_months": 36,
            "description": "",
            "is_active": True,
        },
        mandatory_for=list(Group.objects.filter(name=Role.CONTRACT_MANAGER.label)),
        by=partner,
        reason="Training plan",
    )
    managers = [make_user(Role.CONTRACT_MANAGER) for _ in range(4)]
    for manager, day in zip(
        managers[:3], (date(2025, 6, 10), date(2025, 6, 10), date(2025, 11, 4)), strict=True
    ):
        attendance_record(person=manager, course=course, attended_on=day, evidence="x", by=partner)


def test_the_section_counts_the_programme(make_user):
    _programme(make_user)
    section = training_section(Scope(year=2025, today=date(2026, 12, 1)))
    assert section["title"] == "Training and capability"
    figures = section["figures"]
    assert (figures["sessions"], figures["attendances"], figures["people"]) == (2, 3, 3)
    assert (figures["mandatory_required"], figures["mandatory_current"]) == (4, 3)
    assert section["tables"][1]["rows"] == [["Contract management", "4", "3", "75%"]]


def test_the_pdf_has_the_training_heading_and_its_figures(make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _programme(make_user)
    call_command("build_annual_report", "--year", "2025", "--reason", "Test", stdout=io.StringIO())
    report = AnnualReport.objects.get()
    with report.file.open("rb") as stored:
        pdf = pypdf.PdfReader(io.BytesIO(stored.read()))
    text = [page.extract_text() for page in pdf.pages]
    assert "Training and capability" in text[1]
    words = " ".join(" ".join(text).split())
    assert "The council ran 2 training sessions in 2025/26, with 3 attendances by 3 people" in words
