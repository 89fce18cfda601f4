import os
from pathlib import Path

import pytest
from django.conf import settings

from conftest import require


@pytest.fixture(scope="module")
def ocds_dir() -> Path:
    """The OCDS 1.1.5 schemas (``OCDS_DIR``, else ``../shared/ocds``): without them the schema
    tests skip on a laptop, and fail under ``CI=true``, where nothing may skip."""
    folder = Path(os.environ.get("OCDS_DIR") or settings.BASE_DIR.parent / "shared" / "ocds")
    require(
        (folder / "1.1.5" / "release-schema.json").is_file(),
        f"needs the OCDS 1.1.5 schemas in {folder} (set OCDS_DIR)",
    )
    return folder / "1.1.5"


@pytest.fixture
def pipeline_years(db):
    """The council expects to pay more than the pipeline figure this year and in 2026 to 2027,
    so it publishes a pipeline notice (most tests of the pipeline need one)."""
    from django.utils import timezone

    from procurement.act import financial_year_start
    from procurement.models import PipelineYear

    years = {financial_year_start(timezone.localdate()).year, 2026}
    for year in years:
        PipelineYear.objects.create(year_starting=year, expects_spend_over_threshold=True)
