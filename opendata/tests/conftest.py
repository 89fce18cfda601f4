import os
from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture(scope="module")
def ocds_dir() -> Path:
    folder = Path(os.environ.get("OCDS_DIR") or settings.BASE_DIR.parent / "shared" / "ocds")
    if not (folder / "1.1.5" / "release-schema.json").is_file():
        pytest.skip(f"needs the OCDS 1.1.5 schemas in {folder} (set OCDS_DIR)")
    return folder / "1.1.5"
