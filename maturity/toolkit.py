"""The National Procurement Strategy 2018 toolkit as the maturity framework ships it: its five
levels and the framework file.

The file is parsed from the toolkit's text by ``python -m scripts.parse_nps_toolkit`` and
committed; a migration loads it and /maturity/framework.json publishes it.
"""

from pathlib import Path

FRAMEWORK_FILE = Path(__file__).resolve().parent / "data" / "nps-2018-toolkit.json"

LEVELS = ("minimum", "developing", "mature", "leader", "innovator")
LEVEL_NAMES = tuple(level.capitalize() for level in LEVELS)
