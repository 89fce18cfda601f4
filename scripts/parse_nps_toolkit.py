"""Parse the National Procurement Strategy 2018 toolkit (a tab-separated text export of a draft
document) into the maturity framework file the project ships,
``maturity/data/nps-2018-toolkit.json``.

The file is committed: a migration loads it and ``/maturity/framework.json`` publishes it. Run this
again only if the source text changes, from the project's folder::

    python -m scripts.parse_nps_toolkit SOURCE [--output FILE] [--check]

``--check`` writes nothing and fails if the file differs from what the source gives. It needs no
database and no settings.

The toolkit is read into themes, key areas with their description, help and notes, each key area's
high-level principle and its specific behaviours, each with the five descriptors. The export is
untidy, and this tidies it without adding or dropping a word:

- HTML fragments (paragraphs, lists, underlining) and markdown bold are removed; paragraphs and
  list items become lines, so "1. ... 2. ..." and "• ... • ..." read as lists.
- A row whose first cell is empty continues the behaviour above it (the table broke across a
  page): each of its cells joins the same cell above, on the same line when it carries on a
  sentence (it starts in lower case) and on a new line otherwise.
- Page furniture is dropped: "DRAFT" markers, rows of dashes and blank lines. Footnotes are kept
  as the key area's notes.

The result is plain data (dicts and lists), in the shape ``/maturity/framework.json`` publishes.
"""

import argparse
import html
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from maturity.toolkit import FRAMEWORK_FILE, LEVEL_NAMES, LEVELS

KEY_AREA = "NPS Key Area:"
HEADER = "High level Principle/Specific Behaviour:"
PAGE_MARKER = "DRAFT"
FOOTNOTE_MARKS = "¹²³⁴⁵⁶⁷⁸⁹"  # superscript digits open the toolkit's footnotes

_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_BLOCK_TAG = re.compile(r"</?(?:p|ol|ul|li|br)\b[^>]*>", re.IGNORECASE)
_INLINE_TAG = re.compile(r"</?(?:u|i|b|em|strong|span)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_DASHES = re.compile(r"^-+$")
_ITEM_START = re.compile(r"^(\d{1,2})[.,]\s")
_SENTENCE_ENDS = (".", "!", "?", ":", ";")
_ITEM_INSIDE = re.compile(r"\s(\d{1,2})\.\s+(?=\S)")


class ToolkitError(Exception):
    """The text is not the toolkit this parser knows, with where it went wrong."""


def _paragraphs(cell: str) -> list[str]:
    """A cell's text as paragraphs and list items, without markup (numbered items that share a
    paragraph are split later, once page breaks are joined)."""
    text = _AUTOLINK.sub(r"\1", cell)
    text = _BOLD.sub(r"\1", text)
    text = _INLINE_TAG.sub("", text)
    text = _BLOCK_TAG.sub("\n", text)
    text = _ANY_TAG.sub("", text)
    text = html.unescape(text).replace("•", "\n• ")
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return [line for line in lines if line]


def _numbered(paragraphs: list[str]) -> list[str]:
    """Each numbered item on its own line: "1. a 2. b" becomes two lines. Only the next number
    in sequence starts an item, so "9.4%" or a year is never mistaken for one."""
    lines: list[str] = []
    last = 0
    for paragraph in paragraphs:
        start = _ITEM_START.match(paragraph)
        if start:
            last = int(start.group(1))
        rest = paragraph
        while True:
            found = next(
                (m for m in _ITEM_INSIDE.finditer(rest) if int(m.group(1)) == last + 1), None
            )
            if found is None:
                break
            lines.append(rest[: found.start()].strip())
            rest = rest[found.start() :].strip()
            last += 1
        lines.append(rest)
    return [line for line in lines if line]


def _join(above: list[str], below: list[str]) -> list[str]:
    """A cell continued on the next page. Where the text above stops mid-sentence (no closing
    punctuation) and the text below is not a new list item, the sentence carries on."""
    if not below:
        return above
    carries_on = not above[-1].endswith(_SENTENCE_ENDS) if above else False
    new_item = _ITEM_START.match(below[0]) or below[0].startswith("•")
    if carries_on and not new_item:
        return [*above[:-1], f"{above[-1]} {below[0]}", *below[1:]]
    return [*above, *below]


def text_of(paragraphs: list[str]) -> str:
    """Paragraphs and list items as the published text: one per line."""
    return "\n".join(_numbered(paragraphs))


@dataclass
class _Row:
    """One descriptor row under construction: its name and each level's paragraphs."""

    name: str
    cells: list[list[str]]

    def descriptors(self) -> dict[str, str]:
        return {level: text_of(cell) for level, cell in zip(LEVELS, self.cells, strict=True)}


@dataclass
class _KeyArea:
    name: str
    description: list[str] = field(default_factory=list)
    help: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    principle: _Row | None = None
    behaviours: list[_Row] = field(default_factory=list)
    # Which text a plain line continues: "description", "help" or None once the table starts.
    open_text: str | None = None
    header_seen: bool = False


def _cells(fields: list[str], line_number: int) -> list[list[str]]:
    cells = [_paragraphs(cell) for cell in fields[1:]]
    if len(cells) != len(LEVELS):
        raise ToolkitError(f"Line {line_number}: expected a name and five descriptors.")
    return cells


def _label(fields: list[str], label: str) -> str | None:
    """The text after ``label`` ("Description:") in a row, or None if the row is not one."""
    first = fields[0].strip()
    bare = label.rstrip(":")
    if first == label or first == bare:
        return " ".join(cell for cell in fields[1:] if cell.strip())
    if first.startswith(label):
        rest = first[len(label) :]
        return " ".join([rest, *(cell for cell in fields[1:] if cell.strip())])
    return None


def parse_toolkit(text: str) -> dict:
    """The framework in ``text`` (the seed's tab-separated export) as plain data."""
    lines = text.replace("\r\n", "\n").split("\n")
    title: list[str] = []
    introduction: list[str] = []
    themes: list[dict] = []
    area: _KeyArea | None = None
    in_introduction = False

    def finish_area() -> None:
        if area is None:
            return
        if area.principle is None or not area.behaviours:
            raise ToolkitError(f"Key area {area.name!r} has no principle or no behaviours.")
        themes[-1]["key_areas"].append(area)

    def next_line(index: int) -> str:
        for later in lines[index + 1 :]:
            if later.strip():
                return later.strip()
        return ""

    for index, raw in enumerate(lines):
        line_number = index + 1
        fields = raw.split("\t")
        if not raw.strip() or raw.strip() == PAGE_MARKER:
            continue
        if all(_DASHES.match(cell.strip()) or not cell.strip() for cell in fields):
            continue
        first = fields[0].strip()
        single = len([cell for cell in fields if cell.strip()]) == 1 and len(fields) == 1

        if first.startswith(KEY_AREA):
            finish_area()
            name = first[len(KEY_AREA) :].strip() or next(
                (cell.strip() for cell in fields[1:] if cell.strip()), ""
            )
            if not themes:
                raise ToolkitError(f"Line {line_number}: a key area before any theme.")
            area = _KeyArea(name=" ".join(_paragraphs(name)))
            continue

        if area is None:
            # Before the first key area: the title, the introduction and the first theme.
            if not single:
                raise ToolkitError(f"Line {line_number}: a table row before any key area.")
            if single and next_line(index).startswith(KEY_AREA):
                themes.append({"name": first, "key_areas": []})
            elif first == "Introduction":
                in_introduction = True
            elif in_introduction:
                introduction.extend(_paragraphs(first))
            else:
                title.append(first)
            continue

        if single and first[0] in FOOTNOTE_MARKS:
            area.notes.extend(_paragraphs(first))
            continue
        if single and next_line(index).startswith(KEY_AREA):
            finish_area()
            area = None
            themes.append({"name": first, "key_areas": []})
            continue

        description = _label(fields, "Description:")
        if description is not None and not area.header_seen:
            area.description.extend(_paragraphs(description))
            area.open_text = "description"
            continue
        help_text = _label(fields, "Help:")
        if help_text is not None and not area.header_seen:
            area.help.extend(_paragraphs(help_text))
            area.open_text = "help"
            continue

        if first.startswith(HEADER):
            area.header_seen = True
            area.open_text = None
            cells = _cells(fields, line_number)
            if [" ".join(cell) for cell in cells] != list(LEVEL_NAMES):
                # The principle sits in the heading row, each cell led by its level's name.
                for level_name, cell in zip(LEVEL_NAMES, cells, strict=True):
                    if not cell or cell[0] != level_name:
                        raise ToolkitError(f"Line {line_number}: expected {level_name} first.")
                area.principle = _Row(name="", cells=[cell[1:] for cell in cells])
            continue

        if single and area.open_text:
            # A plain paragraph carrying on the description or help above it.
            getattr(area, area.open_text).extend(_paragraphs(first))
            continue

        if not area.header_seen or len(fields) != len(LEVELS) + 1:
            raise ToolkitError(f"Line {line_number}: not part of a key area's table: {raw[:60]!r}")

        cells = _cells(fields, line_number)
        if not first:
            if area.principle is None:
                area.principle = _Row(name="", cells=cells)
            elif area.behaviours:
                row = area.behaviours[-1]
                row.cells = [_join(a, b) for a, b in zip(row.cells, cells, strict=True)]
            else:
                raise ToolkitError(f"Line {line_number}: a continued row with nothing above it.")
            continue
        name = " ".join(_paragraphs(first)).rstrip(":").strip()
        area.behaviours.append(_Row(name=name, cells=cells))

    finish_area()
    if not themes or not all(theme["key_areas"] for theme in themes):
        raise ToolkitError("No themes with key areas were found.")
    return _published(title, introduction, themes)


def _published(title: list[str], introduction: list[str], themes: list[dict]) -> dict:
    key_area_number = 0
    published_themes = []
    for theme_number, theme in enumerate(themes, start=1):
        key_areas = []
        for area in theme["key_areas"]:
            key_area_number += 1
            key_areas.append(
                {
                    "number": key_area_number,
                    "name": area.name,
                    "description": text_of(area.description),
                    "help": text_of(area.help),
                    "notes": list(area.notes),
                    "principle": area.principle.descriptors(),
                    "behaviours": [
                        {
                            "code": f"{key_area_number}.{number}",
                            "name": row.name,
                            "descriptors": row.descriptors(),
                        }
                        for number, row in enumerate(area.behaviours, start=1)
                    ],
                }
            )
        published_themes.append(
            {"number": theme_number, "name": theme["name"], "key_areas": key_areas}
        )
    return {
        "title": ": ".join(title),
        "introduction": "\n".join(introduction),
        "levels": list(LEVEL_NAMES),
        "themes": published_themes,
    }


def dumped(framework: dict) -> str:
    """The framework as the committed file holds it."""
    return json.dumps(framework, indent=2, ensure_ascii=False) + "\n"


def run(source: Path, output: Path, *, check: bool) -> str:
    """Parse ``source`` and write ``output`` (or, with ``check``, compare it); what happened, for
    the person running it. A ToolkitError says why it could not."""
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ToolkitError(f"Cannot read {source}: {error}") from error
    try:
        framework = parse_toolkit(text)
    except ToolkitError as error:
        raise ToolkitError(f"{source} is not the toolkit this parser reads: {error}") from error
    content = dumped(framework)
    areas = [area for theme in framework["themes"] for area in theme["key_areas"]]
    behaviours = sum(len(area["behaviours"]) for area in areas)
    counts = f"{len(framework['themes'])} themes, {len(areas)} key areas, {behaviours} behaviours"
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != content:
            raise ToolkitError(f"{output} differs from what {source} gives ({counts}).")
        return f"{output} matches {source}: {counts}."
    output.write_text(content, encoding="utf-8")
    return f"Wrote {output}: {counts}."


def main(arguments: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.parse_nps_toolkit",
        description="Parse the NPS 2018 toolkit text into the maturity framework file.",
    )
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
    given = parser.parse_args(arguments)
    try:
        print(run(given.source, given.output, check=given.check))
    except ToolkitError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
