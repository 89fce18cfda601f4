"""The open data checked as the OCDS community's tools check it: against the OCDS 1.1.5 schemas
with the extensions each package declares merged in (JSON Merge Patch, RFC 7386, from the local
copies in tests/ocds_extensions), and every value of a field with a codelist against that codelist
(the core's, with the codes the extensions add)."""

import csv
import json
from pathlib import Path

from django.conf import settings

SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/"
EXTENSIONS_DIR = settings.BASE_DIR / "tests" / "ocds_extensions"
PACKAGES = ("release-package-schema.json", "record-package-schema.json")


def merge_patch(target, patch):
    """``target`` with ``patch`` applied as RFC 7386 says: objects merge, null removes."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def extension_dirs(declared: list[str]) -> list[Path]:
    """The local copy of each declared extension; a declared one with no copy is an error."""
    copies = json.loads((EXTENSIONS_DIR / "extensions.json").read_text())
    missing = [url for url in declared if url not in copies]
    assert not missing, f"no local copy of the declared extensions {missing}"
    return [EXTENSIONS_DIR / copies[url] for url in declared]


def release_schema(core: Path, declared: list[str]) -> dict:
    schema = json.loads((core / "release-schema.json").read_text())
    for folder in extension_dirs(declared):
        schema = merge_patch(schema, json.loads((folder / "release-schema.json").read_text()))
    return schema


def _codes(path: Path) -> set[str]:
    with path.open(newline="", encoding="utf-8") as stream:
        return {row["Code"] for row in csv.DictReader(stream)}


def codelists(core: Path, declared: list[str]) -> dict[str, set[str]]:
    found = {path.name: _codes(path) for path in (core / "codelists").glob("*.csv")}
    for folder in extension_dirs(declared):
        for path in sorted((folder / "codelists").glob("*.csv")):
            name = path.name.removeprefix("+")
            found[name] = found.get(name, set()) | _codes(path)
    return found


def validator(core: Path, name: str, declared: list[str]):
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    schemas = {file: json.loads((core / file).read_text()) for file in PACKAGES}
    schemas["release-schema.json"] = release_schema(core, declared)
    registry = Registry().with_resources(
        (SCHEMA_URL + file, Resource.from_contents(schema, default_specification=DRAFT4))
        for file, schema in schemas.items()
    )
    return Draft4Validator(schemas[name], registry=registry)


def problems(validator, document) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def _codelist_problems(schema: dict, node: dict, value, path: str, lists) -> list[str]:
    """Every value under ``node`` (a part of the release schema) that its codelist lacks."""
    while "$ref" in node:
        node = schema["definitions"][node["$ref"].removeprefix("#/definitions/")]
    found = []
    if "codelist" in node and value is not None:
        codes = lists.get(node["codelist"])
        if codes is None:
            return [f"{path}: no codelist {node['codelist']}"]
        for code in value if isinstance(value, list) else [value]:
            if code not in codes:
                found.append(f"{path}: {code!r} is not in {node['codelist']}")
        return found
    if isinstance(value, dict):
        for key, item in value.items():
            if key in node.get("properties", {}):
                found += _codelist_problems(
                    schema, node["properties"][key], item, f"{path}/{key}", lists
                )
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for index, item in enumerate(value):
            found += _codelist_problems(schema, node["items"], item, f"{path}/{index}", lists)
    return found


def releases_in(package: dict) -> list[dict]:
    if "releases" in package:
        return package["releases"]
    return [
        release
        for record in package["records"]
        for release in [*record["releases"], record["compiledRelease"]]
    ]


def package_problems(core: Path, package: dict) -> list[str]:
    """What is wrong with a release or record package: its schema, with the extensions it
    declares, and its codelists."""
    declared = package.get("extensions", [])
    name = PACKAGES[0] if "releases" in package else PACKAGES[1]
    found = problems(validator(core, name, declared), package)
    schema, lists = release_schema(core, declared), codelists(core, declared)
    for release in releases_in(package):
        found += _codelist_problems(schema, schema, release, release.get("id", "?"), lists)
    return found
