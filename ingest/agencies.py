"""SCB's register of state agencies (myndighetsregistret) as reference identities.

The register (civictechsweden/myndighetsdata's JSON: an object keyed by agency name) gives each agency its
organisationsnummer (`org_nr`, NNNNNN-NNNN), group, addresses, website, start/end years, sometimes a short
name and old names. Every agency with an `org_nr` becomes an actor:

- id `se-org:<10 digits>`, `orgnr` NNNNNN-NNNN, country SE, source `scb-agencies` (record = the id), so
  the orgnr is a strong key: a CORDIS VAT number `SE` + orgnr + `01` or any source that carries the
  number finds it;
- canonical name: the register's name, with UPPER-CASE names written the Swedish way ("LUNDS UNIVERSITET"
  → "Lunds universitet", place names capitalised); the name as written, the short name, the old names and
  the curated everyday names (`ingest/data/agencies.yaml`, `known_as`) become aliases;
- kind: university (universitet, högskola, Karolinska institutet), research_institute (forskningsinstitut),
  otherwise government_agency (länsstyrelser, courts, AP funds and public enterprises included);
- website as written; county and municipality from the office (else postal) address city when that city
  is the name of a municipality in SCB's list (`graph.geo.municipality_from_name`): "KARLSKRONA" gives
  Karlskrona, county 10; a district or town that is not a municipality ("KISTA", "VISBY") gives none.

Several register entries may share one number (the courts are units of Domstolsverket, 202100-2742): they
are one legal entity and so one actor, named after the entry the register's group is named after
(Domstolsverket) or else the first active entry by name; the other entries' names become aliases.

An ended agency with a curated successor (`agencies.yaml`, `successors`: Växjö universitet and Högskolan i
Kalmar → Linnéuniversitetet) is not an actor of its own: it is folded into the successor, its name an alias
and its number a lookup key (a source record `se-org:<its number>` naming it), so an old name or number in
any source resolves to today's organisation. Other ended agencies stay actors of their own.

Entries without an `org_nr` (the embassies) are not identities and are passed over; a malformed entry is a
`Problem` (file, record number, reason). A file that is not such a register raises `InvalidInput`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from graph.errors import InvalidInput
from graph.geo import COUNTIES, MUNICIPALITIES, municipality_from_name
from graph.model import Actor, ActorKind, SourceRef
from graph.text import fold
from ingest.enrich import place_from_own_name
from ingest.pipeline import Problem, SourceBatch, validation_message
from ingest.validate import BadValue, identifier, load_json, read_file, text

SOURCE = "scb-agencies"
_ORGNR = re.compile(r"^(\d{6})-?(\d{4})$")
_UNIVERSITY = re.compile(r"universitet|hogskola|hogskolan|karolinska institutet")
_RESEARCH = re.compile(r"forskningsinstitut")
# Words that are also municipality names but ordinary words in agency names ("mark- och miljödomstol").
_NOT_PLACES = {"mark", "ale", "vara", "berg", "ed", "bro", "nora", "sala", "mora", "habo", "bjuv", "boden"}
_PLACES = (
    {fold(m.short_name) for m in MUNICIPALITIES.values()}
    | {fold(c.short_name) for c in COUNTIES.values()}
    | {
        "sverige",
        "norden",
        "europa",
        "norrland",
        "svealand",
        "gotaland",
        "vastra sverige",
        "ovre norrland",
        "vast",
    }
) - _NOT_PLACES


def orgnr_key(orgnr: str) -> str:
    """`202100-4011` → `se-org:2021004011` (the id and lookup key of an agency)."""
    return "se-org:" + orgnr.replace("-", "")


def _cap(word: str) -> str:
    return "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-"))


def _is_place(folded: str) -> bool:
    return folded in _PLACES or (folded.endswith("s") and folded[:-1] in _PLACES)


def canonical_name(name: str) -> str:
    """The register's name as Swedish writes it; mixed-case names are kept as they are.

    >>> canonical_name("LÄNSSTYRELSEN I VÄSTRA GÖTALANDS LÄN")
    'Länsstyrelsen i Västra Götalands län'
    >>> canonical_name("VERKET FÖR NÄRINGSLIVSUTVECKLING, NUTEK")
    'Verket för näringslivsutveckling, NUTEK'
    >>> canonical_name("Linnéuniversitetet")
    'Linnéuniversitetet'
    """
    name = " ".join(name.split())
    if any(c.islower() for c in name):
        return name
    words = name.split(" ")
    out = [w.lower() for w in words]
    i = 0
    while i < len(words):
        for span in (3, 2, 1):
            chunk = words[i : i + span]
            if len(chunk) == span and _is_place(fold(" ".join(chunk))):
                out[i : i + span] = [_cap(w) for w in chunk]
                i += span
                break
        else:
            i += 1
    out[0] = _cap(words[0])
    _head, sep, last = name.rpartition(", ")
    if sep and " " not in last and len(last) <= 6 and last.isalpha():
        out[-1] = last  # "…, NUTEK": an acronym after a comma stays upper case
    return " ".join(out)


def agency_kind(name: str) -> ActorKind:
    key = fold(name)
    if _UNIVERSITY.search(key):
        return ActorKind.university
    if _RESEARCH.search(key):
        return ActorKind.research_institute
    return ActorKind.government_agency


@dataclass
class _Entry:
    record: int
    name: str
    orgnr: str
    data: dict[str, Any]

    @property
    def ended(self) -> bool:
        return self.data.get("end") is not None


@dataclass
class Curated:
    """The curated facts of `ingest/data/agencies.yaml`."""

    successors: dict[str, tuple[str, str]] = field(default_factory=dict)  # ended orgnr -> (successor, reason)
    known_as: dict[str, list[str]] = field(default_factory=dict)


def default_curated_path() -> Path:
    return Path(str(resources.files("ingest").joinpath("data", "agencies.yaml")))


def load_curated(path: Path | None = None) -> Curated:
    path = path or default_curated_path()
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise InvalidInput(f"{path}: cannot read the curated agency facts: {e}") from e
    cur = Curated()
    for item in doc.get("successors") or []:
        ended, succ = str(item.get("ended", "")), str(item.get("successor", ""))
        if not (_ORGNR.match(ended) and _ORGNR.match(succ) and str(item.get("reason", "")).strip()):
            raise InvalidInput(
                f"{path.name}: successor entry {item!r} needs ended, successor (NNNNNN-NNNN), reason"
            )
        cur.successors[ended] = (succ, str(item["reason"]))
    for orgnr, names in (doc.get("known_as") or {}).items():
        if not _ORGNR.match(str(orgnr)) or not isinstance(names, list):
            raise InvalidInput(
                f"{path.name}: known_as entry {orgnr!r} needs an NNNNNN-NNNN key and a list of names"
            )
        cur.known_as[str(orgnr)] = [str(n) for n in names]
    return cur


def _read(path: Path) -> dict[str, Any]:
    doc = load_json(read_file(path, "SCB's agency register (JSON)"), path.name)
    if not isinstance(doc, dict) or not doc:
        raise InvalidInput(
            f"{path.name}: expected SCB's agency register: a JSON object of agencies keyed by name"
        )
    with_orgnr = sum(1 for v in doc.values() if isinstance(v, dict) and "org_nr" in v)
    if with_orgnr * 2 < len(doc):
        raise InvalidInput(
            f"{path.name}: not SCB's agency register: only {with_orgnr} of {len(doc)} entries have an 'org_nr'"
        )
    return doc


def _city(data: dict[str, Any]) -> str | None:
    for key in ("office_address", "postal_address"):
        addr = data.get(key)
        if isinstance(addr, dict):
            city = text(addr.get("city"), f"{key}.city")
            if city:
                return city
    return None


def _aliases(entry: _Entry, canonical: str) -> list[str]:
    names = [entry.name]
    short = entry.data.get("short_name")
    if isinstance(short, str) and short.strip():
        names.append(text(short, "short_name"))
    old = entry.data.get("old_names")
    if isinstance(old, list):
        names.extend(canonical_name(text(n, "old_names")) for n in old if isinstance(n, str) and n.strip())
    return [n for n in names if n != canonical]


def _distinct(names: set[str], canonical: str) -> list[str]:
    """One spelling per name: "LUNDS TINGSRÄTT" and "Lunds tingsrätt" are one alias (the mixed-case one)."""
    best: dict[str, str] = {fold(canonical): canonical}
    for n in sorted(names, key=lambda x: (x.isupper(), x)):
        best.setdefault(fold(n), n)
    return sorted(v for k, v in best.items() if v != canonical)


def _choose(entries: list[_Entry]) -> _Entry:
    """The entry that names the legal entity when several register units share its number."""
    group = fold(str(entries[0].data.get("group") or ""))
    named = [e for e in entries if fold(e.name) and fold(e.name) in group]
    if named:
        return named[0]
    active = [e for e in entries if not e.ended] or entries
    return sorted(active, key=lambda e: fold(e.name))[0]


def load_agencies(path: Path, curated: Curated | None = None) -> SourceBatch:
    """Parse SCB's agency register into actors (see the module doc for every rule)."""
    doc = _read(path)
    curated = curated or load_curated()
    fname = path.name
    batch = SourceBatch(source=SOURCE)
    by_orgnr: dict[str, list[_Entry]] = {}
    for i, (name, data) in enumerate(doc.items(), start=1):
        batch.rows_read += 1
        if not isinstance(data, dict):
            batch.problems.append(
                Problem(fname, i, f"{name!r}: expected an object, got {type(data).__name__}")
            )
            continue
        notes: list[str] = []
        try:
            clean_name = text(name, "agency name", notes=notes)
            raw = identifier(data.get("org_nr"), "org_nr")
            _city(data)  # the values used later, checked here where the record number is known
            _aliases(_Entry(i, "", "", data), "")
            text(data.get("website"), "website")
        except BadValue as e:
            batch.problems.append(Problem(fname, i, f"{name[:60]!r}: {e}"))
            continue
        if not clean_name:
            batch.problems.append(Problem(fname, i, "an agency without a name"))
            continue
        if not raw:
            continue  # embassies and other units without a number of their own: no identity to give
        m = _ORGNR.match(raw)
        if not m:
            batch.problems.append(Problem(fname, i, f"{name!r}: org_nr {raw!r} is not NNNNNN-NNNN"))
            continue
        batch.problems.extend(Problem(fname, i, f"{n} (kept)", kept=True) for n in notes)
        orgnr = f"{m.group(1)}-{m.group(2)}"
        by_orgnr.setdefault(orgnr, []).append(_Entry(i, clean_name, orgnr, data))

    actors: dict[str, Actor] = {}
    for orgnr in sorted(by_orgnr):
        entries = by_orgnr[orgnr]
        main = _choose(entries)
        name = canonical_name(main.name)
        aliases = {a for e in entries for a in _aliases(e, name)}
        aliases |= {canonical_name(e.name) for e in entries} - {name}
        aliases |= set(curated.known_as.get(orgnr, []))
        city = _city(main.data)
        muni = municipality_from_name(city)
        kind = agency_kind(name)
        place = {"county_code": muni.county_code} if muni else place_from_own_name(name, kind)
        website = text(main.data.get("website"), "website") or None
        try:
            actor = Actor(
                id=orgnr_key(orgnr),
                name=name,
                aliases=_distinct(aliases, name),
                kind=kind,
                country="SE",
                orgnr=orgnr,
                **place,
                municipality=muni.short_name if muni else None,
                city=_cap(city) if city else None,
                website=website,
                sources=[SourceRef(source=SOURCE, record=orgnr_key(orgnr), name=main.name, file=fname)],
            )
        except ValidationError as e:
            batch.problems.append(Problem(fname, main.record, f"{main.name[:60]!r}: {validation_message(e)}"))
            continue
        actors[orgnr] = actor

    for ended in sorted(curated.successors):
        succ, _reason = curated.successors[ended]
        if ended not in actors or succ not in actors or not all(e.ended for e in by_orgnr[ended]):
            continue
        old, new = actors.pop(ended), actors[succ]
        refs = [
            SourceRef(source=SOURCE, record=orgnr_key(ended), name=e.name, file=fname)
            for e in by_orgnr[ended]
        ]
        actors[succ] = new.model_copy(
            update={
                "aliases": _distinct({*new.aliases, old.name, *old.aliases}, new.name),
                "sources": sorted([*new.sources, *refs], key=lambda s: s.key()),
            }
        )
    batch.actors = [actors[k] for k in sorted(actors)]
    return batch
