"""Where the apps' own code is, for the tests that read it as text (function sizes, money figures,
layers)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "procurement",
    "training",
    "contracts",
    "performance",
    "socialvalue",
    "gateways",
    "maturity",
    "spend",
    "assurance",
    "alerts",
    "reporting",
    "opendata",
)
