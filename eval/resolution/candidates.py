"""Draw the candidate pairs of the labelled resolution set (`labels.csv`) from the shared data.

    .venv/bin/python -m eval.resolution.candidates > /tmp/candidates.csv

Records: every organisation record the loaders read (before resolution; its record id is the loader's
id: `cordis:<PIC>`, `interreg-org:<slug>`, `erdf-org:<slug>`, `se-org:<nr>`) that sits in South Sweden
(county 06, 07, 08, 09, 10, 12, 13 from its NUTS code, county name or city) from CORDIS H2020 and Horizon
Europe, Interreg 2021–27, ERDF 2014–20 (owners) and SCB's agency register. Pairs: two records of different
ids with the same PIC or organisationsnummer, or names that look alike (token-set similarity ≥ 70 on folded
names, or a shared rare word and similarity ≥ 55) — so both true variants and hard negatives (a
university and its holding company, a municipality and its energy company, the county board and the
region) are drawn. The pairs are then judged by a person from names, numbers and places (README).
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path

from rapidfuzz import fuzz

from graph.geo import SOUTH_SWEDEN
from graph.model import Actor
from graph.text import fold
from ingest.agencies import load_agencies
from ingest.cordis import load_cordis
from ingest.erdf import load_erdf
from ingest.interreg import load_interreg

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
STOP = {"och", "for", "i", "of", "the", "and", "ab", "stiftelsen", "sweden", "sverige", "svenska", "swedish"}


def south_records(shared: Path = SHARED) -> list[tuple[str, Actor]]:
    """(source, actor as loaded) of every South Swedish organisation record, one per record id."""
    batches = [
        ("cordis-h2020", load_cordis(shared / "cordis" / "h2020-2014-2018")),
        ("cordis-he", load_cordis(shared / "cordis" / "horizon-europe-2021-2024")),
        ("interreg", load_interreg(shared / "interreg" / "swedish-partners-interreg-2021-2027.json")),
        ("erdf", load_erdf(shared / "sweden" / "erdf-2014-2020-projektbanken-2016-10.json")),
        ("scb", load_agencies(shared / "sweden" / "myndighetsregister-scb.json")),
    ]
    out: dict[str, tuple[str, Actor]] = {}
    for source, batch in batches:
        for a in batch.actors:
            if a.country == "SE" and a.county_code in SOUTH_SWEDEN:
                out.setdefault(a.id, (source, a))
    return [out[k] for k in sorted(out)]


def pairs(records: list[tuple[str, Actor]]) -> list[tuple[float, str, tuple[str, Actor], tuple[str, Actor]]]:
    words = Counter(w for _, a in records for w in set(fold(a.name).split()))
    out = []
    for r1, r2 in combinations(records, 2):
        a, b = r1[1], r2[1]
        na, nb = fold(a.name), fold(b.name)
        same_id = bool((a.pic and a.pic == b.pic) or (a.orgnr and a.orgnr == b.orgnr))
        score = fuzz.token_set_ratio(na, nb)
        rare = {
            w for w in set(na.split()) & set(nb.split()) if w not in STOP and len(w) > 3 and words[w] <= 8
        }
        why = (
            "same id"
            if same_id
            else "similar"
            if score >= 70
            else "rare word"
            if rare and score >= 55
            else ""
        )
        if why:
            out.append((score, why, r1, r2))
    return sorted(out, key=lambda p: (p[2][1].id, p[3][1].id))


def main() -> None:
    recs = south_records()
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["a", "a_source", "a_name", "a_ids", "b", "b_source", "b_name", "b_ids", "why", "score"])

    def ids(a: Actor) -> str:
        return " ".join(x for x in (a.pic and f"pic {a.pic}", a.orgnr and f"orgnr {a.orgnr}", a.city) if x)

    for score, why, (sa, a), (sb, b) in pairs(recs):
        w.writerow([a.id, sa, a.name, ids(a), b.id, sb, b.name, ids(b), why, round(score)])
    print(f"{len(recs)} records", file=sys.stderr)


if __name__ == "__main__":
    main()
