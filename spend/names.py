"""Names as the matching compares them (docs/decisions/0049).

A payee is compared with a supplier by a key: lower case, punctuation and spacing gone, "&" read
as "and", a leading "The" dropped, and the legal endings written one way ("Ltd" is "limited",
"PLC" is "public limited company", "LLP", "CIC"). A name with a trading name ("Smith t/a Acme",
"Acme trading as Smith") has a key for each. The legal form at the end is then dropped, so "Acme
Limited" and "ACME LTD." and "Acme" are one key. The score of two names that are not the same is how
alike their keys are, 0 to 100.
"""

import re
from difflib import SequenceMatcher

REDACTED_WORDS = ("redacted", "personal data", "withheld", "sensitive", "name withheld")
ENDINGS = {
    "ltd": "limited",
    "ltd.": "limited",
    "plc": "public limited company",
    "llp": "limited liability partnership",
    "cic": "community interest company",
    "co": "company",
    "uk": "uk",
}
# A legal form at the end of a name says nothing of whom it names: "Acme Ltd" is "Acme".
LEGAL_FORMS = (
    "public limited company",
    "limited liability partnership",
    "community interest company",
    "limited",
    "company",
)
TRADING = re.compile(r"\s+(?:t/a|t\.a\.|ta|trading as|trading under)\s+", re.IGNORECASE)


def is_redacted(name: str) -> bool:
    """Whether the file withholds the payee's name (GDPR: a person paid, a sensitive payment)."""
    lowered = name.strip().lower().strip("[]()*")
    return not lowered or any(lowered.startswith(word) for word in REDACTED_WORDS)


def _key(name: str) -> str:
    words = re.sub(r"[^a-z0-9&]+", " ", name.lower().replace("'", "").replace(".", "")).split()
    words = ["and" if word == "&" else ENDINGS.get(word, word) for word in words]
    if words[:1] == ["the"]:
        words = words[1:]
    key = " ".join(words)
    for ending in LEGAL_FORMS:
        if key.endswith(" " + ending):
            key = key[: -len(ending) - 1]
            break
    words = key.split()
    return " ".join(" ".join(words).replace("&", " and ").split())


def payee_key(name: str) -> str:
    """The key a payee is remembered and matched by: the whole name's, trading name and all."""
    return "" if is_redacted(name) else _key(name)[:250]


def name_keys(name: str) -> list[str]:
    """Every key a name matches by: the whole name's, and each side of a trading name."""
    if is_redacted(name):
        return []
    keys = [_key(name), *(_key(part) for part in TRADING.split(name))]
    return [key for key in dict.fromkeys(keys) if key]


def score(first: str, second: str) -> int:
    """How alike two keys are, 0 to 100 (100: the same)."""
    if first == second:
        return 100
    return round(100 * SequenceMatcher(None, first, second, autojunk=False).ratio())
