"""Entity resolution: decide whether an incoming organisation is one the graph already holds.

Order of evidence, strongest first (the first rule that finds a candidate decides):
1. ``key``: a strong identifier the actor already carries: PIC, VAT number, Swedish organisationsnummer
   (also the one a Swedish VAT number embeds), or the same source record id (so re-ingesting a source
   finds its own records again);
0. ``public-body``: a Swedish region or municipality takes its reference identity first
   (`ingest/public_bodies.py`: by the organisationsnummer in its VAT number, or by one of its names);
2. ``name``: the same normalised name (case, accents, punctuation, transliterations such as oe → ö,
   legal-form suffixes, "i … län" removed) within the same country; then ``variant``: the same name up
   to the name-variant rules of `ingest/data/name_rules.yaml` (genitive s, kommun/stad/municipality/city,
   a Swedish ↔ English glossary: "Lund University" / "Lunds universitet");
3. ``alias-file``: the curated file `ingest/data/aliases.yaml` says these names/keys are one organisation;
4. ``fuzzy``: within the same country and the same first word, a normalised-name similarity
   (rapidfuzz `ratio`) of at least `FUZZY_THRESHOLD`, the same number of words and the same numbers.
   Precision first: "Region Skåne" never fuzzy-merges with "Region Skåne Ängelholms sjukhus".

A candidate is refused when the two carry different VAT numbers or organisationsnummer, when a fuzzy
pair carries different PICs, or when the alias file lists the pair under `different`; refused and
almost-matching pairs are near-misses for review (`innograph resolve --report`).
Short one-word names ("BTH", "Almi", "LIU") are never matched on: acronyms collide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from graph.errors import InvalidInput
from graph.model import Actor
from graph.store.base import GraphStore
from graph.text import fold, is_mojibake, is_placeholder_name
from ingest.names import match_key, rules, variant_key
from ingest.names import normalise_name as normalise_name
from ingest.public_bodies import SOURCE as PUBLIC_BODIES
from ingest.public_bodies import PublicBodies, default_public_bodies  # re-exported: loaders build ids with it

# Sources whose aliases are free text nobody curated (CORDIS short names).
_UNCURATED_ALIASES = {"cordis"}

# Keys that several registrations may share: a VAT number or organisationsnummer names a legal entity.
_SHARED_KEYS = {"vat", "orgnr", "se-org"}

FUZZY_THRESHOLD = 93.0  # accept at or above (rapidfuzz ratio of the match keys, 0–100)
NEAR_MISS = 85.0  # report pairs from here up to the threshold
MIN_NAME_CHARS = 6  # one-word names shorter than this are acronyms: never matched on


def matchable(key: str) -> bool:
    """Whether a match key says enough to match on (not empty, not a number, not a short acronym)."""
    if not key or key.replace(" ", "").isdigit():
        return False
    return " " in key or len(key) >= MIN_NAME_CHARS


# -- the curated alias file ----------------------------------------------------------------


def default_aliases_path() -> Path:
    return Path(str(resources.files("ingest").joinpath("data", "aliases.yaml")))


@dataclass(frozen=True)
class SameGroup:
    """One organisation, known by these names (match keys) or these actor keys/ids."""

    names: frozenset[str]
    keys: frozenset[str]
    country: str | None
    reason: str


@dataclass(frozen=True)
class Aliases:
    same: tuple[SameGroup, ...] = ()
    different: tuple[tuple[str, str, str], ...] = ()  # (a, b, reason): keys, or match keys of names

    @cached_property
    def _by_term(self) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """(actor key → groups, match key → groups), as positions in `same`: `groups_for` runs for every
        incoming actor, so it looks up the record's few keys and names instead of testing every group."""
        by_key: dict[str, list[int]] = {}
        by_name: dict[str, list[int]] = {}
        for i, g in enumerate(self.same):
            for k in g.keys:
                by_key.setdefault(k, []).append(i)
            for n in g.names:
                by_name.setdefault(n, []).append(i)
        return by_key, by_name

    def groups_for(self, keys: set[str], names: set[str], country: str | None) -> list[SameGroup]:
        """The groups that name one of `keys`, or one of `names` in `country` (or in any), in file order."""
        by_key, by_name = self._by_term
        keyed = {i for k in keys for i in by_key.get(k, ())}
        named = {i for n in names for i in by_name.get(n, ())}
        out = []
        for i in sorted(keyed | named):
            g = self.same[i]
            if i in keyed or g.country is None or g.country == (country or g.country):
                out.append(g)
        return out

    def forbids(self, a: set[str], b: set[str]) -> str | None:
        """The reason when the alias file says the things named by `a` and by `b` are different."""
        for x, y, reason in self.different:
            if (x in a and y in b) or (y in a and x in b):
                return reason
        return None


_KEY = re.compile(r"^[a-z0-9-]+:\S+$")
# How a unit's name joins its parent's: "X, Parent", "Parent – X", "X (Parent)".
_UNIT_SPLIT = re.compile(r"\s*[,()]\s*|\s+[–—-]\s+")
# Words of a unit's own name that let a bare place name be its parent ("Stadsbyggnadsförvaltningen Helsingborg").
_UNIT_WORDS = re.compile(r"forvaltning|namnd|kontor|enhet")
# A name can name a parent only if it has one of these (a body's, a university's or a unit's word).
_PARENT_HINT = re.compile(
    r"kommun|stad\b|region|landsting|municipality|city|universit|hogskola|forvaltning|namnd|kontor|enhet"
)
# Legal forms that make a name a legal entity's own (not "for" or "the", which are also plain words).
# A foundation or an association is one too ("Stiftelsen Tem vid Lunds universitet").
_ENTITY_FORMS = (rules().legal_forms - {"for", "the", "sp", "sl", "zoo", "as", "sa", "ag", "ev"}) | {
    "stiftelse",
    "stiftelsen",
    "forening",
    "foreningen",
}


def _term(value: str) -> str:
    """A `different` entry is an actor key (`cordis:123`) or a name (compared as its match key)."""
    v = str(value).strip()
    return v if _KEY.match(v) else match_key(v)


def load_aliases(path: Path | None = None) -> Aliases:
    """Read the alias file; a malformed one raises `InvalidInput` naming the entry."""
    path = path or default_aliases_path()
    if not path.exists():
        return Aliases()
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise InvalidInput(f"{path}: not valid YAML: {e}") from e
    if not isinstance(doc, dict):
        raise InvalidInput(f"{path}: expected the sections 'same' and 'different'")
    same: list[SameGroup] = []
    for i, raw in enumerate(doc.get("same") or [], start=1):
        if not isinstance(raw, dict) or not (raw.get("names") or raw.get("keys")):
            raise InvalidInput(f"{path}: same entry {i}: needs 'names' or 'keys'")
        names = frozenset(k for k in (match_key(str(n)) for n in raw.get("names") or []) if k)
        keys = frozenset(str(k).strip() for k in raw.get("keys") or [])
        country = str(raw["country"]).upper() if raw.get("country") else None
        same.append(SameGroup(names, keys, country, str(raw.get("reason") or "")))
    different: list[tuple[str, str, str]] = []
    for i, raw in enumerate(doc.get("different") or [], start=1):
        if not isinstance(raw, dict) or not raw.get("a") or not raw.get("b"):
            raise InvalidInput(f"{path}: different entry {i}: needs 'a' and 'b'")
        different.append((_term(raw["a"]), _term(raw["b"]), str(raw.get("reason") or "")))
    return Aliases(tuple(same), tuple(different))


# -- the resolver ----------------------------------------------------------------------------


@dataclass
class Match:
    actor_id: str
    rule: str  # "key", "alias-file", "name", "fuzzy"
    evidence: str
    score: float = 100.0
    # Other actors the graph holds that the same identifiers name: the record proves they are one
    # organisation with `actor_id` (a nameless CORDIS row that became an actor of its own, and SCB's
    # record of the same agency), so the store merges them (`Writer.merge_actors`).
    also: list[str] = field(default_factory=list)


@dataclass
class NearMiss:
    """A pair that almost matched, or matched and was refused; for a person to confirm or reject."""

    incoming_id: str
    incoming_name: str
    candidate_id: str
    candidate_name: str
    score: float
    reason: str


@dataclass
class _Known:
    """What the resolver remembers of one actor id: display name, strong ids, every key and name."""

    name: str
    country: str
    pics: set[str] = field(default_factory=set)
    vats: set[str] = field(default_factory=set)
    orgnrs: set[str] = field(default_factory=set)
    terms: set[str] = field(default_factory=set)  # keys and match keys, for the `different` list
    cities: set[str] = field(default_factory=set)

    def learn(self, actor: Actor) -> None:
        """Add what a record of this actor says for the guards: its PICs, VAT numbers, organisationsnummer, city."""
        pics, vats, orgnrs = strong_ids(actor)
        self.pics |= pics
        self.vats |= vats
        self.orgnrs |= orgnrs
        if actor.city:
            self.cities.add(fold(actor.city))


def strong_ids(actor: Actor) -> tuple[set[str], set[str], set[str]]:
    """(PICs, VAT numbers, organisationsnummer) an actor carries, also through its source records."""
    pics = {actor.pic} if actor.pic else set()
    pics |= {s.record.split(":", 1)[1] for s in actor.sources if s.record.startswith("cordis:")}
    pics = {p for p in pics if p.isdigit()}
    vats = {actor.vat} if actor.vat else set()
    orgnrs = {actor.orgnr} if actor.orgnr else set()
    return pics, vats, orgnrs


def actor_names(actor: Actor) -> set[str]:
    """The match keys of every name an actor is known by that is specific enough to match on.

    Aliases count only when they have two words or more: one-word aliases are mostly short names
    and acronyms (CORDIS gives the Jagiellonian University the short name "SOLARIS", its synchrotron,
    which is also a bus maker's name), while a one-word *name* ("Tillväxtverket") is specific.
    An actor known only from CORDIS is matched on its names, not on its aliases: CORDIS short names
    are free text ("UNIVERSITY OF APPLIED SCIENCES" for two different Hochschulen, a university's name
    as a research centre's short name).
    """
    names = {match_key(actor.name)} if not is_placeholder_name(actor.name) else set()
    names |= {match_key(s.name) for s in actor.sources if s.name}
    if any(s.source not in _UNCURATED_ALIASES for s in actor.sources):
        names |= {k for k in (match_key(a) for a in actor.aliases) if " " in k}
    return {n for n in names if matchable(n)}


def actor_variants(actor: Actor) -> set[str]:
    """The `variant_key`s of the names `actor_names` matches on (name rules of `ingest/names.py`:
    "Lund University" / "Lunds universitet"), for exact lookups only, never for fuzzy ones."""
    raw = [actor.name, *(s.name for s in actor.sources if s.name)]
    if any(s.source not in _UNCURATED_ALIASES for s in actor.sources):
        raw += [a for a in actor.aliases if " " in match_key(a)]
    return {k for k in (variant_key(n) for n in raw) if matchable(k) and " " in k}


BLOCKS_PER_NAME = 3  # a name is compared with the names of its rarest block and of two more if small
SMALL_BLOCK = 64  # "small": a block beyond the rarest one is searched only up to this size
BLOCK_CAP = 500  # at most this many names of the rarest block (only degenerate data has larger ones)


def block_keys(key: str) -> list[str]:
    """The blocks a match key is filed under for fuzzy comparison: its first word, and the first and last
    four letters of every word of four letters or more ("vasterbotten" → `p:vast`, `s:tten`).

    Two names that fuzzy-match share, word by word, a beginning or an ending (a typo rarely hits both in
    every word), so comparing a name only with the names of its rarest blocks finds them; the blocks of
    common words ("university", or a first word that 200,000 names share) are passed over, which keeps
    resolution near-linear instead of comparing every pair of a first-word block.
    """
    words = key.split()
    out = ["w:" + words[0]] if words else []
    for w in words:
        if len(w) >= 4:
            out += ["p:" + w[:4], "s:" + w[-4:]]
    return list(dict.fromkeys(out))


class Blocks:
    """Match keys filed by (country, block key), for candidate generation in the fuzzy rule."""

    def __init__(self) -> None:
        self._names: dict[tuple[str, str], list[str]] = {}
        self._ids: dict[tuple[str, str], list[str]] = {}

    def add(self, country: str, key: str, actor_id: str) -> None:
        for b in block_keys(key):
            self._names.setdefault((country, b), []).append(key)
            self._ids.setdefault((country, b), []).append(actor_id)

    def rename(self, old: str, new: str) -> None:
        """Every name filed under actor `old` is now filed under `new` (two actors merged)."""
        for ids in self._ids.values():
            for i, x in enumerate(ids):
                if x == old:
                    ids[i] = new

    def candidates(self, country: str, key: str) -> list[tuple[list[str], list[str]]]:
        """(match keys, actor ids) of the `BLOCKS_PER_NAME` rarest blocks of `key`, at most `BLOCK_CAP`
        of each: compare `key` with each list (a name may be in several; callers skip repeats)."""
        found = sorted(
            ((country, k) for k in block_keys(key) if (country, k) in self._names),
            key=lambda b: len(self._names[b]),
        )
        chosen = found[:1] + [b for b in found[1:BLOCKS_PER_NAME] if len(self._names[b]) <= SMALL_BLOCK]
        return [(self._names[b][:BLOCK_CAP], self._ids[b][:BLOCK_CAP]) for b in chosen]


class Resolver:
    """An index of the store's actors by key, name and name block, kept current as an ingest adds actors."""

    def __init__(
        self, store: GraphStore, aliases: Aliases | None = None, bodies: PublicBodies | None = None
    ) -> None:
        self.store = store
        self.aliases = aliases if aliases is not None else load_aliases()
        self.bodies = bodies if bodies is not None else default_public_bodies()
        self.near_misses: list[NearMiss] = []
        self._keys: dict[str, str] = {}
        self._names: dict[tuple[str, str], list[str]] = {}  # (country, match key) → actor ids
        self._blocks = Blocks()
        self._known: dict[str, _Known] = {}
        self._loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for a in self.store.iter_actors():
            self.add(a)

    def add(self, actor: Actor) -> None:
        """Index an actor (one already stored, or one the running ingest is about to create)."""
        known = self._known.get(actor.id)
        if known is None:
            known = self._known[actor.id] = _Known(actor.name, actor.country or "")
        known.learn(actor)
        keys = actor.identity_keys()
        known.terms |= keys
        for k in keys:
            self._keys.setdefault(k, actor.id)
        country = actor.country or known.country
        for n in sorted(actor_names(actor)):
            known.terms.add(n)
            ids = self._names.setdefault((country, n), [])
            if actor.id not in ids:
                ids.append(actor.id)
                if country:
                    self._blocks.add(country, n, actor.id)
        for n in sorted(actor_variants(actor)):  # exact lookups only: not in the fuzzy blocks
            ids = self._names.setdefault((country, n), [])
            if actor.id not in ids:
                ids.append(actor.id)
            known.terms.add(n)

    def _refusal(self, actor: Actor, terms: set[str], candidate: str, fuzzy: bool) -> str | None:
        """Why `actor` must not merge into `candidate`, or None."""
        k = self._known.get(candidate)
        if k is None:
            return None
        pics, vats, orgnrs = strong_ids(actor)
        if vats and k.vats and not vats & k.vats:
            return f"different VAT numbers {sorted(vats)[0]} / {sorted(k.vats)[0]}"
        if orgnrs and k.orgnrs and not orgnrs & k.orgnrs:
            return f"different organisationsnummer {sorted(orgnrs)[0]} / {sorted(k.orgnrs)[0]}"
        if fuzzy and pics and k.pics and not pics & k.pics:
            return f"different PICs {sorted(pics)[0]} / {sorted(k.pics)[0]}"
        reason = self.aliases.forbids(terms, k.terms)
        return f"alias file: different ({reason})" if reason is not None else None

    def _city_conflict(self, actor: Actor, candidate: str, with_: str | None = None) -> str | None:
        """Two PIC holders of one name in two cities are two organisations ("INNOVA SRL" in Roma and
        in Storo); a name match between them needs the same city (or a city missing). `with_`: the
        actor the record's key already names, whose PICs and cities count as the record's own (the
        record joins it whatever happens, so the name rule weighs everything known of the two)."""
        k = self._known.get(candidate)
        mine = self._known.get(with_) if with_ is not None else None
        cities = {fold(actor.city)} if actor.city else set()
        pics = strong_ids(actor)[0]
        if mine is not None:
            cities |= mine.cities
            pics = pics | mine.pics
        if k is None or not cities or not k.cities or not (pics and k.pics):
            return None
        if any(city in c or c in city for city in cities for c in k.cities):
            return None
        return f"different cities {sorted(cities)[0]} / {sorted(k.cities)[0]}"

    def canonical(self, actor: Actor) -> Actor:
        """The incoming record as the Swedish region or municipality it is, if it is one
        (`ingest.public_bodies`): the body's id, name, place and number, its own names kept as aliases."""
        return self.bodies.canonical(actor)

    def actor_for_key(self, key: str) -> str | None:
        """The id of the actor (known to the graph or this ingest) that carries `key`, or None."""
        self._load()
        return self._keys.get(key)

    def parent_of(self, actor: Actor) -> str | None:
        """The id of the legal entity `actor` is a unit of (`unit_of`), or None."""
        found = self.unit_of(actor)
        return found[0] if found is not None else None

    def unit_of(self, actor: Actor) -> tuple[str, str | None] | None:
        """The legal entity a record names as its parent, when the record is a unit of it
        ("Lunds Universitet, Department of Chemical Engineering", "Ängelholms sjukhus, Region Skåne",
        "Höganäs Omsorg (Höganäs Kommun)", "Park och naturförvaltningen Göteborgs stad"), or None.

        A parent is a Swedish region or municipality (`public_bodies.yaml`, by id: the body actor may come
        later) or a university the graph knows by that exact name, written apart ("X, University Y"). A record with a legal form (AB,
        ek. för., …) is a legal entity of its own (a municipal company), never a unit; so is one whose
        other part is only an acronym ("Luftfartsverket, Lfv"); so is a foundation or an association
        ("Folkuniversitetet stiftelsen … vid Uppsala universitet").

        Returns (the parent's id, the unit's own name when the record writes it apart and it names one
        body (`_specific_body_name`): "Ängelholms sjukhus" of "Ängelholms sjukhus, Region Skåne", a name
        other sources use for the same unit; not "Department of Physics", which any university has).
        """
        self._load()
        folded = fold(actor.name)
        words = folded.split()
        if not _PARENT_HINT.search(folded) or set(words) & _ENTITY_FORMS or actor.country not in ("SE", None):
            return None  # (most names: no word of a public body, a university or a unit; cheap to rule out)
        parts = [p.strip() for p in _UNIT_SPLIT.split(actor.name) if p.strip()]
        candidates: list[tuple[str, str]] = []  # (parent part, the rest)
        if len(parts) > 1:
            candidates = [(p, " ".join(q for q in parts if q is not p)) for p in parts]
        else:
            raw = actor.name.split()
            for i in range(1, len(raw)):
                candidates += [(" ".join(raw[i:]), " ".join(raw[:i])), (" ".join(raw[:i]), " ".join(raw[i:]))]
        for part, rest in candidates:
            if len(rest.replace(" ", "")) < 6 or rest.isupper():
                continue  # an acronym, not a unit
            own = rest if len(parts) > 1 and _specific_body_name(rest) else None
            body = self.bodies.find_name(part, bare=bool(_UNIT_WORDS.search(fold(rest))))
            if body is not None:
                return self._keys.get(body.id, body.id), own
            key = variant_key(part)
            if len(parts) > 1 and ("universitet" in key.split() or "hogskola" in key.split()):
                for hit in self._names.get((actor.country or "SE", key), ()):
                    if hit != actor.id:
                        return hit, own
        return None

    def order(self, actors: list[Actor]) -> list[Actor]:
        """The batch with the actors the graph already holds (by id) first, and what those bring (a VAT
        number, a city) indexed before any record is compared, so that no comparison depends on which
        of them comes first: Horizon Europe's row of a PIC that was nameless in H2020 gives its VAT
        number before its namesake's row (another PIC, another VAT) is weighed against it."""
        self._load()
        for a in actors:
            k = self._known.get(a.id)
            if k is not None:
                k.learn(a)
        return sorted(actors, key=lambda a: a.id not in self._known)

    def _one_with(self, first: str, others: list[tuple[str, bool]]) -> list[str]:
        """The `others` (each named by an identifier or, `by_name`, a name of one incoming record) that
        can be one actor with `first`: none carries a VAT number or organisationsnummer that contradicts
        the group's, nor (when an identifier named it) another PIC: two PICs sharing a state's VAT
        number stay two actors, as in `resolve`; and the alias file does not keep them apart."""
        group = _Known("", "")
        out = []
        for o, by_name in [(first, False), *others]:
            k = self._known.get(o)
            if k is None:
                continue
            pairs = [(group.vats, k.vats), (group.orgnrs, k.orgnrs)]
            if not by_name:
                pairs.append((group.pics, k.pics))
            if any(mine and theirs and not mine & theirs for mine, theirs in pairs):
                continue
            if self.aliases.forbids(group.terms, k.terms) is not None:
                continue
            group.pics |= k.pics
            group.vats |= k.vats
            group.orgnrs |= k.orgnrs
            group.terms |= k.terms
            if o != first:
                out.append(o)
        return out

    def join(self, survivor: str, loser: str) -> None:
        """Forget `loser` as an actor of its own: everything the index knew of it now names `survivor`
        (the store has merged the two, or will at the end of this batch)."""
        if survivor == loser:
            return
        gone = self._known.pop(loser, None)
        if gone is not None:
            k = self._known.setdefault(survivor, _Known(gone.name, gone.country))
            k.pics |= gone.pics
            k.vats |= gone.vats
            k.orgnrs |= gone.orgnrs
            k.terms |= gone.terms
            k.cities |= gone.cities
        for key, v in self._keys.items():
            if v == loser:
                self._keys[key] = survivor
        self._keys.setdefault(loser, survivor)
        for ids in self._names.values():
            if loser in ids:
                ids[:] = list(dict.fromkeys(survivor if i == loser else i for i in ids))
        self._blocks.rename(loser, survivor)

    def _pic_conflict(self, actor: Actor, candidate: str) -> str | None:
        """Two different PICs are two participants to the EU even when they share a VAT number
        (a state's agencies, a research council's labs): a VAT or orgnr match does not join them."""
        pics = strong_ids(actor)[0]
        other = self._known[candidate].pics if candidate in self._known else set()
        if pics and other and not pics & other:
            return f"different PICs {sorted(pics)[0]} / {sorted(other)[0]}"
        return None

    def _near(self, actor: Actor, candidate: str, score: float, reason: str) -> None:
        name = self._known[candidate].name if candidate in self._known else candidate
        self.near_misses.append(NearMiss(actor.id, actor.name, candidate, name, round(score, 1), reason))

    def resolve(self, actor: Actor) -> Match | None:
        """The existing actor this record describes, with the rule and the evidence; None if new."""
        self._load()
        keys = actor.identity_keys()
        names = actor_names(actor)
        terms = keys | names
        country = actor.country or ""
        found: list[tuple[str, str]] = []  # (actor id, the key that names it), each actor once
        # The record's own ids (its id, its source records, its PIC) are who it is: the actor holding
        # one is this organisation even when a VAT number changed between two downloads (Roche's PIC
        # 999601782: CH118241 in H2020, CHE116267986MWST in Horizon Europe), so no guard refuses it.
        own = {actor.id, *(s.record for s in actor.sources)}
        if actor.pic:
            own |= {f"pic:{actor.pic}", f"cordis:{actor.pic}"}
        for k in sorted(keys):
            hit = self._keys.get(k)
            if hit is None or any(hit == h for h, _ in found):
                continue
            why = None if k in own else self._refusal(actor, terms, hit, fuzzy=False)
            if why is None and k not in own and k.split(":", 1)[0] in _SHARED_KEYS:
                why = self._pic_conflict(actor, hit)
            if why is None:
                found.append((hit, k))
            else:
                self._near(actor, hit, 100.0, f"same {k}, refused: {why}")
        lookups = [(n, "name") for n in sorted(names)]
        lookups += [(n, "variant") for n in sorted(actor_variants(actor) - names)]
        if found:
            # The name rules would have joined the record with another actor had it come first (a
            # nameless CORDIS row made an actor of its own; its named row then arrives after a
            # namesake): what they name is one organisation with the key's actor too.
            first = found[0][0]
            named = [
                hit
                for n, _ in lookups
                for hit in self._names.get((country, n), ())
                if self._refusal(actor, terms, hit, fuzzy=False) is None
                and self._city_conflict(actor, hit, with_=first) is None
            ]
            (first, k), rest = found[0], [h for h, _ in found[1:]]
            others = {h: False for h in rest} | {h: True for h in named if h not in rest}
            others.pop(first, None)
            return Match(first, "key", k, also=self._one_with(first, list(others.items())))
        for n, rule in lookups:
            for hit in self._names.get((country, n), ()):
                why = self._refusal(actor, terms, hit, fuzzy=False) or self._city_conflict(actor, hit)
                if why is None:
                    return Match(hit, rule, n)
                self._near(actor, hit, 100.0, f"same name, refused: {why}")
        for g in self.aliases.groups_for(keys, names, actor.country):
            cands = {self._keys[k] for k in g.keys if k in self._keys}
            for n in g.names:
                for c in {country, g.country or ""}:
                    cands.update(self._names.get((c, n), ()))
            for cand in sorted(cands - {actor.id}):
                why = self._refusal(actor, terms, cand, fuzzy=False)
                if why is None:
                    return Match(cand, "alias-file", g.reason or "curated alias")
                self._near(actor, cand, 100.0, f"alias file says same, refused: {why}")
        if not country:
            return None
        best: tuple[float, str, str] | None = None
        for n in sorted(names):
            hits: dict[tuple[str, str], float] = {}
            for keys_, ids_ in self._blocks.candidates(country, n):
                for other, score, i in process.extract(
                    n, keys_, scorer=fuzz.ratio, score_cutoff=NEAR_MISS, limit=3
                ):
                    hits[(other, ids_[i])] = score
            for (other, cand), score in sorted(hits.items(), key=lambda h: (-h[1], h[0]))[:3]:
                reason = fuzzy_refusal(n, other, score)
                reason = (
                    reason
                    or self._refusal(actor, terms, cand, fuzzy=True)
                    or self._city_conflict(actor, cand)
                )
                if reason is None:
                    if best is None or (score, cand) > (best[0], best[1]):
                        best = (score, cand, f"{n} ~ {other}")
                else:
                    self._near(actor, cand, score, f"{n} ~ {other}: {reason}")
        if best is not None:
            return Match(best[1], "fuzzy", best[2], round(best[0], 1))
        return None


def _specific_body_name(name: str) -> bool:
    """Whether a unit's own name names one body and can be matched on alone: a public body's word
    ("Ängelholms sjukhus": `body_words`) and a word of its own (a place). "Department of Physics" or
    "University Hospital" could be any university's or region's."""
    words = set(variant_key(name).split())
    body = rules().body_words
    return bool(words & body) and bool(words - body)


def fuzzy_refusal(a: str, b: str, score: float) -> str | None:
    """Why two similar match keys are still not one organisation by the fuzzy rule, or None."""
    if score < FUZZY_THRESHOLD:
        return f"score {score:.1f} below {FUZZY_THRESHOLD}"
    if len(a.split()) != len(b.split()):
        return "different number of words"
    if re.findall(r"\d+", a) != re.findall(r"\d+", b):
        return "different numbers"
    if min(len(a), len(b)) < 10:
        return "names too short for a fuzzy match"
    for x, y in zip(a.split(), b.split(), strict=True):
        if x != y and (fuzz.ratio(x, y) < 80 or min(len(x), len(y)) < 4):
            return f"words differ: {x} / {y}"  # "studi di pavia" is not "studi di padova"
    return None


# -- review report -----------------------------------------------------------------------------


@dataclass
class Decision:
    """One row of `innograph resolve --report`: a merge the graph holds, or a near-miss."""

    kind: str  # "merge" or "near-miss"
    actor_id: str
    actor_name: str
    other_record: str
    other_name: str
    rule: str
    evidence: str
    score: float
    country: str

    def row(self) -> dict[str, Any]:
        return dict(vars(self))


def explain_merges(actor: Actor, aliases: Aliases) -> Iterator[Decision]:
    """For each source record merged into `actor` (beyond the one that gave it its id), the evidence.

    Recomputed from the stored actor, so it works on any store and after any number of ingests: a
    record whose name equals another record's (normalised) was a ``name`` merge, one the alias file
    covers an ``alias-file`` merge, a similar name a ``fuzzy`` one; the rest were joined by a shared
    identifier or an alias of another record (``key/alias``), shown with their best name similarity.
    """
    names: dict[str, str] = {}
    body = next((s.record for s in actor.sources if s.source == PUBLIC_BODIES), None)
    for s in sorted(actor.sources, key=lambda s: (s.source, s.record, s.file or "")):
        if s.source != PUBLIC_BODIES:  # the reference identity is what records join, not a record
            names.setdefault(s.record, s.name or actor.name)
    if len(names) < 2:
        return
    for record, name in sorted(names.items()):
        if record == actor.id or (actor.id not in names and record == min(names)):
            continue  # the record that gave the actor its id (or, if none, the first) merged nothing
        k = match_key(name)
        others = {r: match_key(n) for r, n in names.items() if r != record}
        other_keys = set(others.values())
        group = next(
            (
                g
                for g in aliases.same
                if (k in g.names or record in g.keys)
                and (g.names & other_keys or g.keys & (set(others) | actor.identity_keys()) - {record})
            ),
            None,
        )
        scored = sorted(((fuzz.ratio(k, o), o) for o in other_keys if o), reverse=True)
        best_score, best_name = scored[0] if scored else (0.0, "")
        v = variant_key(name)
        if k and k in other_keys:
            rule, evidence, score = "name", k, 100.0
        elif " " in v and v in {variant_key(n) for r, n in names.items() if r != record}:
            rule, evidence, score = "variant", v, best_score
        elif group is not None:
            rule, evidence, score = "alias-file", group.reason or "curated alias", best_score
        elif best_score >= FUZZY_THRESHOLD:
            rule, evidence, score = "fuzzy", f"{k} ~ {best_name}", best_score
        elif body is not None:
            rule, score = "public-body", best_score
            evidence = f"reference identity {body} (ingest/data/public_bodies.yaml: number or name)"
        else:
            rule, score = "key/alias", best_score
            evidence = f"a shared identifier or alias; nearest name {best_name!r}"
        yield Decision(
            "merge",
            actor.id,
            actor.name,
            record,
            name,
            rule,
            evidence,
            round(score, 1),
            actor.country or "",
        )


def near_misses(actors: Iterable[Actor], aliases: Aliases | None = None) -> list[Decision]:
    """Pairs of distinct actors in one country whose names almost match, or match but were refused."""
    aliases = aliases if aliases is not None else Aliases()
    blocks = Blocks()
    by_id: dict[str, Actor] = {}
    items: list[tuple[str, str, str]] = []  # (country, match key, actor id)
    for a in actors:
        if not a.country:
            continue
        by_id[a.id] = a
        for n in sorted(actor_names(a)):
            blocks.add(a.country, n, a.id)
            items.append((a.country, n, a.id))
    out: dict[tuple[str, str], Decision] = {}
    for country, n1, id1 in items:
        hits: dict[tuple[str, str], float] = {}
        for keys_, ids_ in blocks.candidates(country, n1):
            for n2, score, i in process.extract(
                n1, keys_, scorer=fuzz.ratio, score_cutoff=NEAR_MISS, limit=None
            ):
                if ids_[i] > id1:  # each pair once
                    hits[(n2, ids_[i])] = score
        for (n2, id2), score in sorted(hits.items()):
            a1, a2 = by_id[id1], by_id[id2]
            pair = (id1, id2)
            reason = (
                fuzzy_refusal(n1, n2, score)
                or _strong_conflict(a1, a2)
                or "same name, not matched: a CORDIS short name, or two PICs in two cities"
            )
            prev = out.get(pair)
            if prev is None or score > prev.score:
                out[pair] = Decision(
                    "near-miss",
                    id1,
                    a1.name,
                    id2,
                    a2.name,
                    "fuzzy",
                    f"{n1} ~ {n2}: {reason}",
                    round(score, 1),
                    country,
                )
    return [out[k] for k in sorted(out)]


def name_problems(actors: Iterable[Actor]) -> list[Decision]:
    """Actors shown under a broken encoding or a stand-in name: no source gives a clean name to repair it."""
    out = []
    for a in actors:
        if is_mojibake(a.name):
            why = "broken encoding and no clean name for the same PIC in any source: fix it in the source"
        elif is_placeholder_name(a.name):
            why = "no source names it: shown as 'Unnamed organisation (PIC n)'"
        else:
            continue
        out.append(Decision("name", a.id, a.name, a.id, a.name, "name", why, 0.0, a.country or ""))
    return out


def _strong_conflict(a: Actor, b: Actor) -> str | None:
    pa, va, oa = strong_ids(a)
    pb, vb, ob = strong_ids(b)
    if va and vb and not va & vb:
        return "different VAT numbers"
    if oa and ob and not oa & ob:
        return "different organisationsnummer"
    if pa and pb and not pa & pb:
        return "different PICs"
    return None
