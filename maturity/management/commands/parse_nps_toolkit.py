"""Parse the National Procurement Strategy 2018 toolkit (the tab-separated text export) into the
framework file the project ships, ``maturity/data/nps-2018-toolkit.json``.

The file is committed: a migration loads it and ``/maturity/framework.json`` publishes it. Run this
again only if the source text changes; ``--check`` says whether the committed file still matches.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maturity.toolkit import FRAMEWORK_FILE, ToolkitError, parse_toolkit


def dumped(framework: dict) -> str:
    return json.dumps(framework, indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Parse the NPS 2018 toolkit text into the maturity framework file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", type=Path, help="The toolkit's tab-separated text export.")
        parser.add_argument(
            "--output",
            type=Path,
            default=FRAMEWORK_FILE,
            help="Where to write the framework (default: the file the project ships).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail if the output file differs from what the source gives.",
        )

    def handle(self, *args, source: Path, output: Path, check: bool, **options) -> None:
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {source}: {error}") from error
        try:
            framework = parse_toolkit(text)
        except ToolkitError as error:
            raise CommandError(f"{source} is not the toolkit this parser reads: {error}") from error
        content = dumped(framework)
        areas = [area for theme in framework["themes"] for area in theme["key_areas"]]
        behaviours = sum(len(area["behaviours"]) for area in areas)
        counts = (
            f"{len(framework['themes'])} themes, {len(areas)} key areas, {behaviours} behaviours"
        )
        if check:
            current = output.read_text(encoding="utf-8") if output.exists() else ""
            if current != content:
                raise CommandError(f"{output} differs from what {source} gives ({counts}).")
            self.stdout.write(f"{output} matches {source}: {counts}.")
            return
        output.write_text(content, encoding="utf-8")
        self.stdout.write(f"Wrote {output}: {counts}.")
