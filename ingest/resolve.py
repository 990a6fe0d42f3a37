"""Entity resolution: decide whether an incoming organisation is one the graph already holds.

Order of evidence, strongest first:
1. a strong identifier the actor already carries: PIC, VAT number, Swedish organisationsnummer, or the
   same source record id (so re-ingesting a source finds its own records again);
2. the same normalised name (case, accents, punctuation, legal-form suffixes and "i … län" removed)
   within the same country;
3. (later) fuzzy similarity above a threshold, reported for review.
The first match wins; no match means a new actor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.model import Actor
from graph.store.base import GraphStore
from graph.text import fold

# Legal forms and filler that differ between sources but never distinguish two organisations.
LEGAL_FORMS = {
    "ab",
    "aktiebolag",
    "publ",
    "ek",
    "for",
    "ekonomisk",
    "forening",
    "ideell",
    "hb",
    "kb",
    "ltd",
    "limited",
    "plc",
    "llc",
    "inc",
    "gmbh",
    "ag",
    "mbh",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "oyj",
    "as",
    "asa",
    "aps",
    "sl",
    "sp",
    "zoo",
    "ev",
    "vzw",
    "asbl",
    "svb",
    "the",
}
_I_LAN = re.compile(r"\b(i|in) (\w+ )?lan\b|\blans?\b")


def normalise_name(name: str | None) -> str:
    """The name with the noise removed: `Länsstyrelsen I Blekinge län` → `lansstyrelsen blekinge`.

    >>> normalise_name("Techtank AB") == normalise_name("TECHTANK")
    True
    """
    text = fold(name)
    text = _I_LAN.sub(lambda m: (m.group(2) or "").strip(), text)
    words = [w for w in text.split() if w not in LEGAL_FORMS]
    return " ".join(words)


@dataclass
class Match:
    actor_id: str
    rule: str  # "key", "name", "fuzzy", "alias-file"
    evidence: str


@dataclass
class Resolver:
    """An index of the store's actors by key and by normalised name, kept current as an ingest adds actors."""

    store: GraphStore
    _names: dict[tuple[str, str], str] = field(default_factory=dict)
    _keys: dict[str, str] = field(default_factory=dict)
    _loaded: bool = False

    def _load(self) -> None:
        if self._loaded:
            return
        for a in self.store.iter_actors():
            self.add(a)
        self._loaded = True

    def add(self, actor: Actor) -> None:
        """Index an actor (one already stored, or one the running ingest is about to create)."""
        for k in actor.identity_keys():
            self._keys.setdefault(k, actor.id)
        for n in self._index_names(actor):
            self._names.setdefault((actor.country or "", n), actor.id)

    @staticmethod
    def _index_names(actor: Actor) -> Iterable[str]:
        names = {normalise_name(actor.name), *(normalise_name(a) for a in actor.aliases)}
        names |= {normalise_name(s.name) for s in actor.sources if s.name}
        names.discard("")
        return names

    def resolve(self, actor: Actor) -> Match | None:
        """The existing actor this record describes, with the rule and the evidence; None if new."""
        self._load()
        for k in sorted(actor.identity_keys()):
            if k in self._keys:
                return Match(self._keys[k], "key", k)
        for n in sorted(self._index_names(actor)):
            hit = self._names.get((actor.country or "", n))
            if hit:
                return Match(hit, "name", n)
        return None
