"""Every app's own tests run in ``make test``: pytest collects only the folders its testpaths
name, so an app missing from them would have its tests silently left out."""

import tomllib

from tests.app_code import APPS, ROOT


def test_every_app_is_among_the_folders_pytest_collects():
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert set(APPS) <= set(settings["testpaths"])
