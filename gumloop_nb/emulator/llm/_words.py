"""Word lists and prompt-reading helpers shared by the text, schema and tool generators."""

from __future__ import annotations

import random
import re

__all__ = [
    "CITIES",
    "COLORS",
    "COMPANIES",
    "COUNTRIES",
    "FIRST_NAMES",
    "LAST_NAMES",
    "STOPWORDS",
    "cities_in",
    "key_phrases",
    "number_targets",
    "numbers_in",
    "query_from",
    "sentence_about",
    "words_of",
]

FIRST_NAMES = [
    "Ada",
    "Grace",
    "Alan",
    "Katherine",
    "Linus",
    "Margaret",
    "Tim",
    "Barbara",
    "Dennis",
    "Radia",
    "Edsger",
    "Frances",
    "Ken",
    "Hedy",
    "John",
    "Sophie",
]
LAST_NAMES = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Johnson",
    "Torvalds",
    "Hamilton",
    "Berners-Lee",
    "Liskov",
    "Ritchie",
    "Perlman",
    "Dijkstra",
    "Allen",
    "Thompson",
    "Lamarr",
    "McCarthy",
    "Wilson",
]
CITIES = [
    "Paris",
    "London",
    "Tokyo",
    "New York",
    "San Francisco",
    "Berlin",
    "Lisbon",
    "Toronto",
    "Sydney",
    "Nairobi",
    "Seoul",
    "Mexico City",
    "Amsterdam",
    "Singapore",
    "Buenos Aires",
    "Cairo",
    "Madrid",
    "Rome",
    "Vienna",
    "Oslo",
    "Dublin",
    "Mumbai",
    "Chicago",
    "Boston",
    "Austin",
    "Seattle",
    "Montreal",
    "Naples",
    "Kyoto",
    "Prague",
]
COUNTRIES = [
    "France",
    "Japan",
    "Canada",
    "Brazil",
    "Kenya",
    "Germany",
    "Portugal",
    "Australia",
    "India",
    "Norway",
    "Mexico",
    "Italy",
    "Spain",
    "Ireland",
    "Singapore",
]
COMPANIES = [
    "Acme Analytics",
    "Northwind Traders",
    "Globex",
    "Initech",
    "Umbrella Labs",
    "Hooli",
    "Stark Industries",
    "Wayne Data",
    "Vandelay Imports",
    "Soylent Systems",
]
COLORS = ["teal", "coral", "indigo", "amber", "crimson", "olive", "navy", "lavender", "gold"]

_STOPWORD_TEXT = """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves please tell give show explain describe write make list me us let
    lets let's get want need like know think something anything thing things using use one
    two three also may might must shall could would can't don't i'm it's what's briefly
    quick quickly short simple simply sentence sentences word words much many lot lots
    really
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def words_of(text: str) -> list[str]:
    """Lower-case word tokens (letters, digits, apostrophes and inner hyphens)."""
    return re.findall(r"[a-z0-9][a-z0-9'\-]*", text.lower())


def key_phrases(text: str, limit: int = 5) -> list[str]:
    """The prompt's content words, grouped into short phrases, most telling first.

    Example: ``key_phrases("Explain how vector databases index embeddings")`` ->
    ``["vector databases", "index embeddings"]``.
    """
    phrases: list[str] = []
    current: list[str] = []
    sentence_start = True
    for token in re.findall(r"[A-Za-z0-9][A-Za-z0-9'\-+#.]*|[^\sA-Za-z0-9]", text):
        word = token.lower().rstrip(".")
        starts = sentence_start
        sentence_start = token in (".", "!", "?", ":", "\n") or token.endswith(".")
        if (
            not word
            or word in STOPWORDS
            or not re.match(r"[a-z0-9]", word)
            or not 2 <= len(word) <= 40  # skip noise such as hashes or long digit runs
        ):
            if current:
                phrases.append(" ".join(current))
                current = []
            continue
        # Keep names and acronyms as written ("Paris", "AI"); lower-case ordinary words.
        keep = (
            token.rstrip(".") if (token.isupper() or (token[0].isupper() and not starts)) else word
        )
        current.append(keep)
        if len(current) == 2:
            phrases.append(" ".join(current))
            current = []
    if current:
        phrases.append(" ".join(current))
    seen: set[str] = set()
    unique = []
    for phrase in phrases:
        if phrase not in seen:
            seen.add(phrase)
            unique.append(phrase)
    # Longer phrases carry more meaning; keep prompt order among equals.
    order = {p: i for i, p in enumerate(unique)}
    ranked = sorted(unique, key=lambda p: (-min(len(p.split()), 2), order[p]))
    return ranked[:limit]


def numbers_in(text: str) -> list[float]:
    """Numbers mentioned in the text, in order (``"3 people, 2.5 km"`` -> ``[3.0, 2.5]``)."""
    return [float(n) for n in re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])", text)][:8]


def _is_prime(n: int) -> bool:
    return n > 1 and all(n % d for d in range(2, int(n**0.5) + 1))


def number_targets(text: str) -> list[float]:
    """The prompt's numbers, read with their context: "above 40" -> 41, "a prime below 20" -> 19.

    Example: ``number_targets("Name a prime above 40")`` -> ``[41.0]``.
    """
    out: list[float] = []
    prime = re.search(r"\bprimes?\b", text, re.I) is not None
    pattern = r"(?:\b(above|over|more than|greater than|after|exceeding|below|under|less than|"
    pattern += r"before|fewer than)\s+)?(?<![\w.])(-?\d+(?:\.\d+)?)(?![\w.])"
    for match in re.finditer(pattern, text, re.I):
        if len(out) == 8 or len(match.group(2)) > 15:
            break
        value = float(match.group(2))
        word = (match.group(1) or "").lower()
        step = (
            0
            if not word
            else -1
            if word in ("below", "under", "less than", "before", "fewer than")
            else 1
        )
        if prime and value.is_integer() and abs(value) < 10**9:
            n = int(value) + step
            while not _is_prime(n) and 1 < n < 10**9 + 100:
                n += step or 1
            value = float(n)
        else:
            value += step
        out.append(value)
    return out


def cities_in(text: str) -> list[str]:
    """Place names from the prompt: known cities first, then a capitalised word after 'in'."""
    found = [c for c in CITIES + COUNTRIES if re.search(rf"\b{re.escape(c)}\b", text)]
    for match in re.finditer(
        r"\b(?:in|at|for|near|to|from)\s+([A-Z][a-zA-Z]+(?:\s[A-Z][a-z]+)?)", text
    ):
        if match.group(1) not in found:
            found.append(match.group(1))
    return found


def query_from(text: str) -> str:
    """The part of a request worth searching for.

    Example: ``query_from("Search the web for the best pizza in Naples")`` ->
    ``"the best pizza in Naples"``.
    """
    cleaned = " ".join(text.strip().split())
    match = re.search(r"\b(?:for|about|on|regarding)\s+(.+)", cleaned, flags=re.IGNORECASE)
    candidate = match.group(1) if match else cleaned
    candidate = candidate.rstrip("?.! ")
    if len(candidate) > 120:
        candidate = " ".join(key_phrases(candidate, 4))
    return candidate or cleaned[:120] or "example"


_SENTENCE_BANK = [
    "{A} comes down to a few clear ideas that build on each other.",
    "The short version: {a} is about trade-offs, not magic.",
    "{A} is easier to reason about once you separate the inputs from the outputs.",
    "Most of the value in {a} shows up after the first small, working example.",
    "When people discuss {a}, they usually mean {b}.",
    "A practical way to approach {a} is to start with {b} and iterate.",
]


def sentence_about(phrases: list[str], rng: random.Random) -> str:
    """One plausible sentence built from the prompt's phrases."""
    a = phrases[0] if phrases else "this topic"
    b = phrases[1] if len(phrases) > 1 else "the underlying idea"
    template = rng.choice(_SENTENCE_BANK)
    return template.format(a=a, b=b, A=a[:1].upper() + a[1:])
