"""Names as the matching compares them (docs/decisions/0049).

A payee is compared with a supplier by a key: lower case, punctuation and spacing gone, "&" read
as "and", a leading "The" dropped, and the legal forms written one way ("Ltd" is "limited", "PLC"
is "public limited company", "LLP", "CIC"), so "The Acme Co. Ltd" and "ACME COMPANY LIMITED" are
one key. The legal form stays in the key: "Acme Ltd" and "Acme LLP" are different bodies, and
"Acme" alone is only near "Acme Ltd", for an officer to confirm. A name with a trading name ("J
Smith t/a Acme Plumbing", "Acme trading as Smith") has a key for each side. The score of two names
that are not the same is how alike their keys are, 0 to 100.
"""

import re
from difflib import SequenceMatcher

# How files withhold a payee's name: "Redacted" or "Personal data" and what follows them
# ("Redacted - personal data"), or one of a few words as the whole name ("Withheld").
REDACTED = re.compile(
    r"^(?:(?:redacted|personal data)(?:$|[^a-z])|(?:name withheld|withheld|sensitive|"
    r"sensitive data|sensitive payment|not disclosed|confidential)$)"
)
ENDINGS = {
    "ltd": "limited",
    "ltd.": "limited",
    "plc": "public limited company",
    "llp": "limited liability partnership",
    "cic": "community interest company",
    "co": "company",
    "uk": "uk",
}
TRADING = re.compile(r"\s+(?:t/a|t\.a\.|trading as|trading under)\s+", re.IGNORECASE)


def is_redacted(name: str) -> bool:
    """Whether the file withholds the payee's name (GDPR: a person paid, a sensitive payment)."""
    lowered = name.strip().lower().strip("[]()* ")
    return not lowered or bool(REDACTED.match(lowered))


def _key(name: str) -> str:
    words = re.sub(r"[^a-z0-9&]+", " ", name.lower().replace("'", "").replace(".", "")).split()
    words = ["and" if word == "&" else ENDINGS.get(word, word) for word in words]
    if words[:1] == ["the"]:
        words = words[1:]
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


# The legal forms as keys write them, longest first: set aside when two names are scored.
LEGAL_FORMS = (
    "public limited company",
    "limited liability partnership",
    "community interest company",
    "limited",
    "company",
)
# The score of two names the same but for their legal forms ("Acme" and "Acme Ltd"): alike
# enough to offer first, never the same.
SAME_BUT_LEGAL_FORM = 95


def _bare(key: str) -> str:
    for form in LEGAL_FORMS:
        if key.endswith(" " + form):
            return key[: -len(form) - 1]
    return key


def score(first: str, second: str) -> int:
    """How alike two keys are, 0 to 100 (100: the same), their legal forms set aside."""
    if first == second:
        return 100
    first, second = _bare(first), _bare(second)
    if first == second:
        return SAME_BUT_LEGAL_FORM
    return min(
        SAME_BUT_LEGAL_FORM - 1,
        round(100 * SequenceMatcher(None, first, second, autojunk=False).ratio()),
    )
