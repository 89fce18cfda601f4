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
