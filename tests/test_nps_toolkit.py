"""The NPS 2018 toolkit, parsed from the seed text by ``scripts/parse_nps_toolkit.py``: every key
area and behaviour, five descriptors each, the exact words, and nothing lost or invented."""

import json
import re
from collections import Counter

import pytest

from maturity.toolkit import FRAMEWORK_FILE, LEVELS
from scripts.parse_nps_toolkit import (
    ToolkitError,
    _join,
    _numbered,
    _paragraphs,
    parse_toolkit,
    run,
)

SEED = "004_f8a86b5e1766ee99.txt"
BEHAVIOURS_PER_KEY_AREA = {
    "Engaging Councillors and Senior Managers": 4,
    "Working with Partners": 3,
    "Engaging Strategic Suppliers": 3,
    "Creating Commercial Opportunities": 6,
    "Managing Contracts & Relationships": 5,
    "Managing Strategic Risk": 5,
    "Obtaining Social Value": 10,
    "Local Small Medium Enterprises (SMEs) and Micro-businesses Engagement": 7,
    "Enabling Voluntary, Community Social Enterprise (VCSE) Engagement": 8,
}


@pytest.fixture(scope="module")
def seed_text(seeds_dir) -> str:
    return (seeds_dir / SEED).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def framework(seed_text) -> dict:
    return parse_toolkit(seed_text)


def key_areas(framework: dict) -> dict[str, dict]:
    return {area["name"]: area for theme in framework["themes"] for area in theme["key_areas"]}


def behaviour(framework: dict, code: str) -> dict:
    return next(
        b for area in key_areas(framework).values() for b in area["behaviours"] if b["code"] == code
    )


def test_three_themes_and_nine_key_areas_with_their_behaviours(framework):
    assert [theme["name"] for theme in framework["themes"]] == [
        "Showing leadership",
        "Behaving commercially",
        "Driving community benefits",
    ]
    assert [len(theme["key_areas"]) for theme in framework["themes"]] == [3, 3, 3]
    counts = {name: len(area["behaviours"]) for name, area in key_areas(framework).items()}
    assert counts == BEHAVIOURS_PER_KEY_AREA
    assert [area["number"] for area in key_areas(framework).values()] == list(range(1, 10))


def test_every_statement_has_five_non_empty_descriptors(framework):
    for area in key_areas(framework).values():
        assert area["description"], area["name"]
        assert area["help"], area["name"]
        assert list(area["principle"]) == list(LEVELS)
        assert all(text.strip() for text in area["principle"].values()), area["name"]
        for row in area["behaviours"]:
            assert list(row["descriptors"]) == list(LEVELS)
            assert all(text.strip() for text in row["descriptors"].values()), row["code"]


def test_exact_texts_from_the_seed(framework):
    areas = key_areas(framework)
    assert behaviour(framework, "1.1")["descriptors"]["minimum"] == (
        "Commercial and procurement is contributing but contribution not visible to councillors "
        "and senior managers."
    )
    assert behaviour(framework, "1.1")["name"] == "Influence and Impact"
    # A principle given in the heading row, each cell led by its level's name.
    assert areas["Creating Commercial Opportunities"]["principle"]["mature"] == (
        "Clear understanding of the ways in which new revenue generation opportunities can be "
        "created across the commercial cycle.\n"
        "End-to-end policies and processes promoting this approach in place across the "
        "organisation."
    )
    # A key area whose name sits in the second cell of its row.
    assert "Managing Strategic Risk" in areas
    # Markdown bold removed; a plain paragraph after "Help:" kept as part of the help.
    contracts = areas["Managing Contracts & Relationships"]
    assert contracts["description"].startswith(
        "Contracts & Relationship Management refers to the effective management"
    )
    assert (
        contracts["help"]
        .splitlines()[1]
        .startswith(
            "Why it is important: Research by IACCM shows that contracts exceed their expected "
            "costs by on average 9.4% over their lifetime."
        )
    )
    assert behaviour(framework, "9.3")["name"] == "Measurement"


def test_rows_split_across_a_page_join_the_cell_they_continue(framework):
    # A new numbered item on the next page becomes the cell's next line.
    assert behaviour(framework, "3.1")["descriptors"]["mature"] == (
        "1. Council routinely collects and analyses data and intelligence on supplier "
        "performance, cost, financial status, added social value and risk.\n"
        "2. Council strategic suppliers identified according to agreed criteria.\n"
        "3. Council has visibility of strategic supplier supply chains."
    )
    # A sentence broken by the page carries on in the same line.
    assert behaviour(framework, "8.1")["descriptors"]["minimum"].splitlines()[0] == (
        "1. There is no ongoing communication with SMEs regarding local needs, long-term "
        "strategies and desired outcomes."
    )
    assert behaviour(framework, "7.3")["descriptors"]["innovator"].splitlines()[2] == (
        "3. Processes in place to allow Local TOMs to be updated according to local community "
        "priorities."
    )
    assert behaviour(framework, "7.5")["descriptors"]["innovator"] == (
        "1. Specific SV commitments sought from tenders that have been open / transparent to the "
        "public and adapted to take account of residents' input.\n"
        "2. Weighting system in place of at least 10% of total score unless robust rationale for "
        "lesser percentage exists\n"
        "3. Processes in place across departments to ensure consistency"
    )


def test_lists_are_kept_readable(framework):
    assert behaviour(framework, "2.2")["descriptors"]["mature"] == (
        "The team approach is supported by -\n"
        "• Corporate and service planning and budgeting processes\n"
        "• A structured approach to project management."
    )


def test_no_markup_or_page_furniture_is_left(framework):
    text = json.dumps(framework, ensure_ascii=False)
    for left_over in ("<", ">", "**", "DRAFT", "---", "list-style", "&amp;", "\\t"):
        assert left_over not in text, left_over


def test_footnotes_are_kept_as_the_key_area_notes(framework):
    notes = key_areas(framework)["Obtaining Social Value"]["notes"]
    assert notes == [
        "¹ Find out more about the Social Value Certificate: "
        "http://www.socialvalueuk.org/social-value-certificate/",
        "¹ Social Value Certificate: http://www.socialvalueuk.org/social-value-certificate/",
    ]


def _words(text: str) -> Counter:
    return Counter(re.findall(r"\w+", text))


def test_nothing_lost_and_nothing_invented(seed_text, framework):
    """Every word of the seed, once its markup and the table's own labels are removed, appears in
    the framework as often as in the seed, and the framework has no other word."""
    source = re.sub(r"<(https?://[^>\s]+)>", r" \1 ", seed_text)
    source = re.sub(r"</?[a-zA-Z][^>]*>", " ", source)
    source = source.replace("DRAFT", " ")
    for label in ("NPS Key Area:", "High level Principle/Specific Behaviour:", "Introduction"):
        source = source.replace(label, " ")
    source = re.sub(r"^(Description|Help):?", " ", source, flags=re.MULTILINE)
    expected = _words(source)
    # The level names head each table: counted once in the framework's list of levels.
    for name in ("Minimum", "Developing", "Mature", "Leader", "Innovator"):
        expected[name] -= 9 - 1
    published = dict(framework)
    # Behaviour codes and numbers are the framework's own identifiers, not the seed's words.
    for theme in published["themes"]:
        for area in theme["key_areas"]:
            for row in area["behaviours"]:
                expected.update(_words(row["code"]))
            expected.update(_words(str(area["number"])))
        expected.update(_words(str(theme["number"])))
    found = Counter()
    for value in _strings(published):
        found.update(_words(value))
    assert found - expected == Counter(), "invented"
    assert expected - found == Counter(), "lost"


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, int):
        yield str(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_the_committed_framework_file_is_what_the_seed_gives(seeds_dir):
    assert "matches" in run(seeds_dir / SEED, FRAMEWORK_FILE, check=True)


def test_the_script_writes_the_file(seeds_dir, tmp_path):
    output = tmp_path / "framework.json"
    run(seeds_dir / SEED, output, check=False)
    assert output.read_text(encoding="utf-8") == FRAMEWORK_FILE.read_text(encoding="utf-8")


def test_the_script_refuses_a_file_that_is_not_the_toolkit(tmp_path):
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("Showing leadership\n\nNPS Key Area: Alone\nDescription:\tNothing else\n")
    with pytest.raises(ToolkitError, match="not the toolkit"):
        run(wrong, tmp_path / "out.json", check=False)
    with pytest.raises(ToolkitError, match="Cannot read"):
        run(tmp_path / "missing.txt", FRAMEWORK_FILE, check=False)


def test_cells_lose_their_markup_and_keep_their_lists():
    assert _paragraphs("<p><u>What it is:</u> A <i>local</i> test.</p> <p>Next.</p>") == [
        "What it is: A local test.",
        "Next.",
    ]
    assert _numbered(["1. One. 2. Two, not 9.4% or 2018. 3. Three"]) == [
        "1. One.",
        "2. Two, not 9.4% or 2018.",
        "3. Three",
    ]
    assert _numbered(["1. First", "5. Fifth, as the source numbers it"]) == [
        "1. First",
        "5. Fifth, as the source numbers it",
    ]


def test_a_page_break_joins_a_sentence_or_starts_a_line():
    assert _join(["1. It carries"], ["on here.", "2. Next"]) == [
        "1. It carries on here.",
        "2. Next",
    ]
    assert _join(["1. It ended."], ["Capital start."]) == ["1. It ended.", "Capital start."]
    assert _join(["2. No stop"], ["3. A new item"]) == ["2. No stop", "3. A new item"]
    assert _join(["Kept"], []) == ["Kept"]


def test_a_table_row_outside_a_key_area_is_refused():
    with pytest.raises(ToolkitError, match="Line 3"):
        parse_toolkit("Showing leadership\n\nName\ta\tb\tc\td\te\n")
