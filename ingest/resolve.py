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
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from graph.errors import InvalidInput
from graph.model import Actor
from graph.store.base import GraphStore
from graph.text import fold, is_mojibake, is_placeholder_name
from ingest.names import match_key, variant_key
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

    def groups_for(self, keys: set[str], names: set[str], country: str | None) -> list[SameGroup]:
        out = []
        for g in self.same:
            if g.keys & keys or (
                g.names & names and (g.country is None or g.country == (country or g.country))
            ):
                out.append(g)
        return out

    def forbids(self, a: set[str], b: set[str]) -> str | None:
        """The reason when the alias file says the things named by `a` and by `b` are different."""
        for x, y, reason in self.different:
            if (x in a and y in b) or (y in a and x in b):
                return reason
        return None


_KEY = re.compile(r"^[a-z0-9-]+:\S+$")


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
        self._blocks: dict[tuple[str, str], list[str]] = {}
        self._block_ids: dict[tuple[str, str], list[str]] = {}
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
        pics, vats, orgnrs = strong_ids(actor)
        known.pics |= pics
        known.vats |= vats
        known.orgnrs |= orgnrs
        if actor.city:
            known.cities.add(fold(actor.city))
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
                    block = (country, n.split()[0])
                    self._blocks.setdefault(block, []).append(n)
                    self._block_ids.setdefault(block, []).append(actor.id)
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

    def _city_conflict(self, actor: Actor, candidate: str) -> str | None:
        """Two PIC holders of one name in two cities are two organisations ("INNOVA SRL" in Roma and
        in Storo); a name match between them needs the same city (or a city missing)."""
        k = self._known.get(candidate)
        if k is None or not actor.city or not k.cities or not (strong_ids(actor)[0] and k.pics):
            return None
        city = fold(actor.city)
        if any(city in c or c in city for c in k.cities):
            return None
        return f"different cities {actor.city} / {sorted(k.cities)[0]}"

    def canonical(self, actor: Actor) -> Actor:
        """The incoming record as the Swedish region or municipality it is, if it is one
        (`ingest.public_bodies`): the body's id, name, place and number, its own names kept as aliases."""
        return self.bodies.canonical(actor)

    def order(self, actors: list[Actor]) -> list[Actor]:
        """The batch with the actors the graph already holds (by id) first, so that what they bring
        (a VAT number, a city) is indexed before the new ones are compared with them."""
        self._load()
        return sorted(actors, key=lambda a: a.id not in self._known)

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
        for k in sorted(keys):
            hit = self._keys.get(k)
            if hit is None:
                continue
            why = self._refusal(actor, terms, hit, fuzzy=False)
            if why is None and k.split(":", 1)[0] in _SHARED_KEYS:
                why = self._pic_conflict(actor, hit)
            if why is None:
                return Match(hit, "key", k)
            self._near(actor, hit, 100.0, f"same {k}, refused: {why}")
        lookups = [(n, "name") for n in sorted(names)]
        lookups += [(n, "variant") for n in sorted(actor_variants(actor) - names)]
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
            block = (country, n.split()[0])
            choices = self._blocks.get(block)
            if not choices:
                continue
            for other, score, i in process.extract(
                n, choices, scorer=fuzz.ratio, score_cutoff=NEAR_MISS, limit=3
            ):
                cand = self._block_ids[block][i]
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
    blocks: dict[tuple[str, str], list[tuple[str, str, Actor]]] = {}
    for a in actors:
        if not a.country:
            continue
        for n in sorted(actor_names(a)):
            blocks.setdefault((a.country, n.split()[0]), []).append((n, a.id, a))
    out: dict[tuple[str, str], Decision] = {}
    for (country, _), items in sorted(blocks.items()):
        if len(items) < 2:
            continue
        names = [n for n, _, _ in items]
        matrix = process.cdist(names, names, scorer=fuzz.ratio, score_cutoff=NEAR_MISS)
        for i, j in zip(*matrix.nonzero(), strict=True):
            if i >= j:
                continue
            (n1, id1, a1), (n2, id2, a2) = items[i], items[j]
            if id1 == id2:
                continue
            score = float(matrix[i, j])
            pair = (min(id1, id2), max(id1, id2))
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
