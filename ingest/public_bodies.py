"""Sweden's regions and municipalities as reference identities (`ingest/data/public_bodies.yaml`).

Like SCB's agencies, a region or a municipality is one organisation whatever a source calls it: "BLEKINGE
LANS LANDSTING" (Horizon Europe), "Region Blekinge" (Interreg) and "County Council of Blekinge" are one
body. Before an incoming actor is resolved, `canonical` recognises a body

1. by the organisationsnummer its Swedish VAT number embeds (SE + 232100-0081 + 01 is Region Blekinge),
   when the reference file states that number (it states only numbers a shared source shows); or
2. by its name: one of the body's current or former names, compared by `ingest.names.variant_key`
   ("Karlshamns kommun" / "Karlshamn Municipality" / "City of Karlshamn"). A bare place name
   ("Karlshamn") counts only for a record that is not a company, university or research organisation;
   a record whose own organisationsnummer is another one is never a body by name ("Region Skåne AB").

It then gives the actor the body's id, name (the source's name stays an alias), kind, county, municipality
and number, and a source record `public-bodies:<body id>` of the priority of a curated source, so the body's
name and place win over a source's spelling in any loading order and `get_actor("se:region-blekinge")`
finds the body whatever id it ended up with.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from graph.errors import InvalidInput
from graph.geo import MUNICIPALITIES
from graph.model import Actor, ActorKind, SourceRef
from ingest.enrich import orgnr_from_vat
from ingest.names import variant_key

SOURCE = "public-bodies"
# libyaml's safe loader when installed (the file has 310 entries: 0.1 s instead of 3 s), else the Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Kinds of record that a bare place name ("Lund") may name: a company called "Lund" is not the municipality.
_BARE_NAME_KINDS = {
    ActorKind.municipality,
    ActorKind.regional_authority,
    ActorKind.government_agency,
    ActorKind.other,
}


@dataclass(frozen=True)
class PublicBody:
    id: str
    kind: ActorKind
    name: str
    names: tuple[str, ...]
    county_code: str
    municipality_code: str | None
    orgnr: str | None

    @property
    def municipality(self) -> str | None:
        m = MUNICIPALITIES.get(self.municipality_code or "")
        return m.short_name if m is not None else None


@dataclass(frozen=True)
class PublicBodies:
    bodies: tuple[PublicBody, ...]
    by_orgnr: dict[str, PublicBody]
    by_key: dict[str, tuple[PublicBody, ...]]

    def get(self, body_id: str) -> PublicBody | None:
        return next((b for b in self.bodies if b.id == body_id), None)

    def find(self, actor: Actor) -> PublicBody | None:
        """The body this record describes, or None (see the module doc for the evidence)."""
        if actor.country not in ("SE", None):
            return None
        orgnr = actor.orgnr or orgnr_from_vat(actor.vat)
        if orgnr and orgnr in self.by_orgnr:
            return self.by_orgnr[orgnr]
        if orgnr and orgnr[:4] not in ("2321", "2120"):
            return None  # a company or an agency by its own number, whatever its name says
        for name in (actor.name, *(s.name for s in actor.sources if s.name)):
            key = variant_key(name)
            hits = self.by_key.get(key, ())
            if len(hits) > 1:  # Habo / Håbo: only the exact spelling decides
                hits = tuple(b for b in hits if name.casefold() in {n.casefold() for n in (b.name, *b.names)})
            if len(hits) != 1:
                continue
            body = hits[0]
            if " " not in key and actor.kind not in _BARE_NAME_KINDS:
                continue
            if orgnr and body.orgnr and orgnr != body.orgnr:
                continue
            return body
        return None

    def find_name(self, name: str, bare: bool = False) -> PublicBody | None:
        """The one body `name` names (a bare place name only when `bare`), or None."""
        key = variant_key(name)
        hits = self.by_key.get(key, ())
        if len(hits) > 1:
            hits = tuple(b for b in hits if name.casefold() in {n.casefold() for n in (b.name, *b.names)})
        if len(hits) != 1 or (" " not in key and not bare):
            return None
        return hits[0]

    def canonical(self, actor: Actor) -> Actor:
        """The actor as its body, if it is one (module doc); otherwise the actor unchanged."""
        body = self.find(actor)
        if body is None:
            return actor
        ref = SourceRef(source=SOURCE, record=body.id, name=body.name)
        aliases = sorted({*actor.aliases, actor.name} - {body.name})
        orgnr = actor.orgnr or body.orgnr
        return actor.model_copy(
            update={
                "id": body.id,
                "name": body.name,
                "aliases": aliases,
                "kind": body.kind,
                "country": "SE",
                "county_code": body.county_code,
                "municipality": body.municipality or actor.municipality,
                "orgnr": orgnr,
                "sources": sorted(
                    {s.key(): s for s in (*actor.sources, ref)}.values(), key=lambda s: s.key()
                ),
            }
        )


def default_path() -> Path:
    return Path(str(resources.files("ingest").joinpath("data", "public_bodies.yaml")))


def load_public_bodies(path: Path | None = None) -> PublicBodies:
    """Read the reference file; a malformed one raises `InvalidInput` naming the entry."""
    path = path or default_path()
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        bodies = tuple(
            PublicBody(
                id=str(b["id"]),
                kind=ActorKind(b["kind"]),
                name=str(b["name"]),
                names=tuple(str(n) for n in b.get("names") or []),
                county_code=str(b["county_code"]),
                municipality_code=str(b["municipality_code"]) if b.get("municipality_code") else None,
                orgnr=str(b["orgnr"]) if b.get("orgnr") else None,
            )
            for b in doc["bodies"]
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as e:
        raise InvalidInput(f"{path}: not a public-bodies reference file: {e}") from e
    by_key: dict[str, list[PublicBody]] = {}
    for b in bodies:
        for n in (b.name, *b.names):
            hits = by_key.setdefault(variant_key(n), [])
            if b not in hits:
                hits.append(b)
    return PublicBodies(
        bodies,
        {b.orgnr: b for b in bodies if b.orgnr},
        {k: tuple(v) for k, v in by_key.items()},
    )


@cache
def default_public_bodies() -> PublicBodies:
    return load_public_bodies()
