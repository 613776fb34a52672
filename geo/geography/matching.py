"""Matching Vietnamese unit names: one place for the spelling rules.

The same commune is written many ways: composed or decomposed Unicode (NFC/NFD), old or new
tone-mark placement (*Hoà*/*Hòa*, *Thuỷ*/*Thủy*, *Qúy*/*Quý*), *i* or *y* after a consonant
(*Kỳ*/*Kì*, *Lý*/*Lí*), the Icelandic capital eth ``Ð`` (U+00D0) typed for ``Đ`` (U+0110), with
or without its unit type (*Xã*, *Phường*, *Thị trấn*, *TT.*, *P.* …), in any case, with extra
spaces, *Phường 01* for *Phường 1*. :func:`name_key` erases all of that and nothing else;
:func:`ascii_key` also drops the diacritics, as a last resort.

:func:`match_names` matches names to candidates (e.g. GSO units keyed by code) level by level,
strictest first, and never guesses: a name that fits several candidates is *ambiguous* (with
them), a name that fits none is *unmatched* (with the closest ones), and two names that claim
the same candidate are both ambiguous.

Examples
--------
>>> name_key("Xã  Hoà Bình") == name_key("hòa binh".replace("binh", "bình"))
True
>>> name_key("P. 01"), unit_type("TT. Bo"), ascii_key("Xã Đồng Tâm")
('1', 'Thị trấn', 'dong tam')
>>> result = match_names(["Xã Thuỷ Lợi", "Phuong 2", "Xa Noi Khac", "Xã Nowhere"],
...                      {"00001": "Xã Thủy Lợi", "00002": "Phường 02", "00003": "Xã Nơi Khác"})
>>> [(m.candidate_id, m.method) for m in result.matched]
[('00001', 'normalised'), ('00002', 'normalised'), ('00003', 'ascii')]
>>> result.unmatched[0].name
'Xã Nowhere'
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "UNIT_TYPES",
    "Ambiguous",
    "Candidate",
    "Match",
    "MatchMethod",
    "MatchResult",
    "Unmatched",
    "ascii_key",
    "clean",
    "match_names",
    "name_key",
    "split_unit_type",
    "unit_type",
]

MatchMethod = Literal["exact", "normalised", "name", "spacing", "ascii"]
#: Levels of :func:`match_names`, strictest first.
METHODS: tuple[MatchMethod, ...] = ("exact", "normalised", "name", "spacing", "ascii")

#: Canonical unit types, as written in GSO lists.
UNIT_TYPES: tuple[str, ...] = (
    "Tỉnh",
    "Thành phố",
    "Thị xã",
    "Quận",
    "Huyện",
    "Thị trấn",
    "Phường",
    "Xã",
)

# Prefixes as typed (lower case, NFC, after clean()), longest first, → canonical type.
# Abbreviations need their dot or a following space: "P.1", "TT Bo", "TP. Hòa Bình".
_PREFIXES: tuple[tuple[str, str], ...] = (
    (r"thị\s+trấn\b", "Thị trấn"),
    (r"thành\s+phố\b", "Thành phố"),
    (r"thị\s+xã\b", "Thị xã"),
    (r"phường\b", "Phường"),
    (r"quận\b", "Quận"),
    (r"huyện\b", "Huyện"),
    (r"tỉnh\b", "Tỉnh"),
    (r"xã\b", "Xã"),
    (r"tt\.|tt\b", "Thị trấn"),
    (r"tp\.|tp\b", "Thành phố"),
    (r"tx\.|tx\b", "Thị xã"),
    (r"p\.", "Phường"),
    (r"q\.", "Quận"),
    (r"h\.", "Huyện"),
    (r"x\.", "Xã"),
)
_PREFIX_RE = [(re.compile(rf"^(?:{p})\s*"), kind) for p, kind in _PREFIXES]
# Without diacritics "xa" and "quan" are also ordinary syllables (Xà Phiên, Quan Sơn): in ASCII
# text they count as a prefix only before a number or at least two more words.
_ASCII_PREFIXES: tuple[tuple[str, str, bool], ...] = (
    (r"thi\s+tran\b", "Thị trấn", False),
    (r"thanh\s+pho\b", "Thành phố", False),
    (r"thi\s+xa\b", "Thị xã", False),
    (r"phuong\b", "Phường", False),
    (r"huyen\b", "Huyện", False),
    (r"tinh\b", "Tỉnh", False),
    (r"quan\b", "Quận", True),
    (r"xa\b", "Xã", True),
)
_ASCII_PREFIX_RE = [
    (re.compile(rf"^(?:{p})\s*"), kind, cautious) for p, kind, cautious in _ASCII_PREFIXES
]

# Tone marks (as combining characters after NFD) → tone number; shape marks (ă â ê ô ơ ư) stay.
_TONES = {"\u0301": "1", "\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_LOOKALIKES = str.maketrans(
    {
        "\u00d0": "\u0110",  # Ð (Icelandic eth) → Đ
        "\u0189": "\u0110",  # Ɖ (African D) → Đ
        "\u00f0": "\u0111",  # ð → đ
        "\u2019": "'",
        "\u02bc": "'",
        "\u2018": "'",
        "`": "'",
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
    }
)
_CONSONANT_Y = re.compile(r"^(qu|[bcdđghklmnpqrstvx]+)y(\d?)$")


def clean(text: str) -> str:
    """NFC, ``Đ`` for its look-alikes, straight apostrophes, single spaces; case kept.

    Examples
    --------
    >>> clean("  Xã \\u00d0ồng   Tâm ") == "Xã Đồng Tâm"
    True
    """
    text = unicodedata.normalize("NFC", text).translate(_LOOKALIKES)
    return " ".join(text.split())


def _is_ascii(text: str) -> bool:
    return all(ord(c) < 128 for c in text)


def split_unit_type(name: str) -> tuple[str | None, str]:
    """Split ``"Thị trấn Bo"`` into ``("Thị trấn", "Bo")``; no recognised type gives None.

    Examples
    --------
    >>> split_unit_type("TP. Hòa Bình"), split_unit_type("Phuong 01"), split_unit_type("Quan Sơn")
    (('Thành phố', 'Hòa Bình'), ('Phường', '01'), (None, 'Quan Sơn'))
    """
    text = clean(name)
    lower = text.lower()
    for pattern, kind in _PREFIX_RE:
        found = pattern.match(lower)
        if found and found.end() < len(text):
            return kind, text[found.end() :].strip()
    if _is_ascii(text):
        for pattern, kind, cautious in _ASCII_PREFIX_RE:
            found = pattern.match(lower)
            if not found or found.end() >= len(text):
                continue
            rest = text[found.end() :].strip()
            if cautious and not (rest[:1].isdigit() or len(rest.split()) >= 2):
                continue
            return kind, rest
    return None, text


def unit_type(name: str) -> str | None:
    """The canonical unit type a name starts with (``"TT. Bo"`` → ``"Thị trấn"``), or None."""
    return split_unit_type(name)[0]


def _syllable_key(syllable: str) -> str:
    """``"hoà"`` and ``"hòa"`` → ``"hoa2"``: base letters, then the tone as a digit."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = ""
    kept = []
    for char in decomposed:
        if char in _TONES:
            tone = _TONES[char]
        else:
            kept.append(char)
    base = unicodedata.normalize("NFC", "".join(kept))
    key = base + tone
    # i/y after a consonant is one sound spelt two ways (Kỳ/Kì, Lý/Lí, Quý/Quí); "uy" is not.
    return _CONSONANT_Y.sub(r"\1i\2", key)


def _words(text: str) -> list[str]:
    text = text.lower().replace("'", "")
    text = re.sub(r"[^\w]+", " ", text)
    # "Phường 01" = "Phường 1": numbers without leading zeros
    return [re.sub(r"^0+(?=\d)", "", w) for w in text.split()]


def name_key(name: str, *, keep_type: bool = False) -> str:
    """Comparison key of a unit name: spelling variants and the unit type erased.

    Parameters
    ----------
    name : str
        A unit name, with or without its type.
    keep_type : bool
        Keep the (canonical) unit type in front: ``"Thị trấn Bo"`` and ``"Xã Bo"`` then differ.

    Examples
    --------
    >>> name_key("Xã Thuỷ Xuân") == name_key("thủy xuân")
    True
    >>> name_key("TT. Bo", keep_type=True) == name_key("Thị trấn Bo", keep_type=True)
    True
    """
    kind, rest = split_unit_type(name)
    words = [_syllable_key(w) for w in _words(rest)]
    if keep_type:
        words.insert(0, (kind or "?").lower().replace(" ", "_"))
    return " ".join(words)


def ascii_key(name: str) -> str:
    """Last-resort key: no type, no diacritics at all (``đ`` → ``d``), lower case.

    Examples
    --------
    >>> ascii_key("Phường 01") == ascii_key("phuong 1") == "1"
    True
    """
    _, rest = split_unit_type(name)
    text = unicodedata.normalize("NFD", rest.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_words(text))


def _exact_key(name: str) -> str:
    return clean(name)


_KEYS: dict[MatchMethod, Callable[[str], str]] = {
    "exact": _exact_key,
    "normalised": lambda n: name_key(n, keep_type=True),
    "name": name_key,
    "spacing": lambda n: name_key(n).replace(" ", ""),
    "ascii": ascii_key,
}


@dataclass(frozen=True)
class Candidate:
    """A candidate unit: its id (e.g. GSO code), name and, when ranked, similarity (0–1)."""

    id: str
    name: str
    score: float = 1.0


@dataclass(frozen=True)
class Match:
    """A name matched to exactly one candidate.

    ``method`` is the level that matched: ``exact`` (same text after :func:`clean`),
    ``normalised`` (same type and :func:`name_key`), ``name`` (same key, unit type different
    or missing on one side), ``spacing`` (same key once spaces are dropped: names of ethnic
    minority origin are written *Đa Krông* or *Đakrông*, *Ea M' Doal* or *Ea M'Doal*) or
    ``ascii`` (same :func:`ascii_key`). ``type_differs`` says both
    sides name a unit type and the types differ (*Xã Bo* matched to *Thị trấn Bo*).
    """

    index: int
    name: str
    candidate_id: str
    candidate_name: str
    method: MatchMethod
    type_differs: bool = False


@dataclass(frozen=True)
class Ambiguous:
    """A name that fits several candidates, or whose candidate another name also claims."""

    index: int
    name: str
    candidates: tuple[Candidate, ...]
    reason: str


@dataclass(frozen=True)
class Unmatched:
    """A name that fits no free candidate, with the closest candidates by similarity."""

    index: int
    name: str
    closest: tuple[Candidate, ...]


@dataclass
class MatchResult:
    """What :func:`match_names` found; every input name is in exactly one list."""

    matched: list[Match] = field(default_factory=list)
    ambiguous: list[Ambiguous] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)

    def by_index(self) -> dict[int, Match]:
        """Matched names by their position in the input."""
        return {m.index: m for m in self.matched}

    def unclaimed(self, candidates: Mapping[str, str]) -> dict[str, str]:
        """Candidates no name was matched to."""
        taken = {m.candidate_id for m in self.matched}
        return {k: v for k, v in candidates.items() if k not in taken}


def closest_candidates(
    name: str, candidates: Mapping[str, str], *, n: int = 3, cutoff: float = 0.5
) -> tuple[Candidate, ...]:
    """The ``n`` candidates most similar to ``name`` (difflib ratio of the keys, ≥ ``cutoff``).

    Examples
    --------
    >>> [c.id for c in closest_candidates("Xã Tân Mai", {"1": "Xã Tân Mai A", "2": "Xã Bắc Sơn"})]
    ['1']
    """
    key, plain = name_key(name), ascii_key(name)
    scored = []
    for cid, cname in candidates.items():
        score = max(
            difflib.SequenceMatcher(None, key, name_key(cname)).ratio(),
            difflib.SequenceMatcher(None, plain, ascii_key(cname)).ratio(),
        )
        if score >= cutoff:
            scored.append(Candidate(cid, cname, round(score, 3)))
    scored.sort(key=lambda c: (-c.score, c.id))
    return tuple(scored[:n])


def match_names(
    names: Sequence[str | None],
    candidates: Mapping[str, str],
    *,
    methods: Sequence[MatchMethod] = METHODS,
    n_closest: int = 3,
    cutoff: float = 0.5,
) -> MatchResult:
    """Match names to candidates, strictest rule first; report what does not fit, never guess.

    Parameters
    ----------
    names : sequence of str or None
        Names to match (e.g. the communes of one district in a boundary file).
    candidates : mapping of str to str
        Candidate id (e.g. GSO code) → name.
    methods : sequence of {"exact", "normalised", "name", "spacing", "ascii"}
        Levels to try, in order. Leave out ``"ascii"`` where names without diacritics could
        collide (*Tân An*/*Tấn An*).
    n_closest : int
        How many closest candidates to list for an unmatched name.
    cutoff : float
        Lowest similarity (0–1) of a listed closest candidate.

    Returns
    -------
    MatchResult
        Every name in exactly one of ``matched``, ``ambiguous``, ``unmatched``. A candidate is
        matched to at most one name: a name whose only fitting candidate is taken at a stricter
        level stays unmatched (the candidate is listed among the closest); several names that
        claim one candidate at the same level are all ambiguous.

    Examples
    --------
    >>> r = match_names(["Thị trấn Bo", "Xã Bo", "Hợp Tiến"],
    ...                 {"04978": "Thị trấn Bo", "05038": "Xã Hợp Tiến", "05039": "Xã Hợp Tiến"})
    >>> r.matched[0].candidate_id, r.unmatched[0].closest[0].id, len(r.ambiguous[0].candidates)
    ('04978', '04978', 2)
    """
    result = MatchResult()
    pending = [i for i, n in enumerate(names) if isinstance(n, str) and n.strip()]
    for i, n in enumerate(names):
        if not (isinstance(n, str) and n.strip()):
            result.unmatched.append(Unmatched(i, str(n or ""), ()))
    taken: set[str] = set()
    for method in methods:
        key_of = _KEYS[method]
        index: dict[str, list[str]] = defaultdict(list)
        for cid, cname in candidates.items():
            index[key_of(cname)].append(cid)
        claims: dict[str, list[int]] = defaultdict(list)
        still: list[int] = []
        for i in pending:
            name = str(names[i])
            fitting = index.get(key_of(name), [])
            if len(fitting) > 1:
                listed = tuple(Candidate(c, candidates[c]) for c in fitting)
                reason = f"{len(fitting)} candidates have the same {method} key"
                result.ambiguous.append(Ambiguous(i, name, listed, reason))
            elif fitting and fitting[0] not in taken:
                claims[fitting[0]].append(i)
            else:
                still.append(i)
        for cid, claimants in claims.items():
            if len(claimants) > 1:
                for i in claimants:
                    reason = f"{len(claimants)} names claim the same candidate ({method})"
                    candidate = (Candidate(cid, candidates[cid]),)
                    result.ambiguous.append(Ambiguous(i, str(names[i]), candidate, reason))
                continue
            i = claimants[0]
            name = str(names[i])
            kinds = (unit_type(name), unit_type(candidates[cid]))
            differs = None not in kinds and kinds[0] != kinds[1]
            result.matched.append(Match(i, name, cid, candidates[cid], method, differs))
            taken.add(cid)
        pending = still
    for i in pending:
        name = str(names[i])
        closest = closest_candidates(name, candidates, n=n_closest, cutoff=cutoff)
        result.unmatched.append(Unmatched(i, name, closest))
    for items in (result.matched, result.ambiguous, result.unmatched):
        items.sort(key=lambda item: item.index)
    return result
