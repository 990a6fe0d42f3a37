"""Does any page, table, export or report label an actor with a bare number (or with its id)?

    .venv/bin/innograph derive --db $DB          # optional: the pages then read precomputed data
    .venv/bin/python -m eval.resolution.labels --db $DB [--county 10] [--sample 200]

Asks the app (FastAPI's TestClient on the store, as a browser would) for the actor page and ego view
of the actors most likely to lack a name (CORDIS PICs that no source names, the biggest PICs, a
random sample), the isolated view, the partner finder (page and JSON), the call matcher, the county
report, the actor search, and the GEXF and XLSX exports of a county, and reads every label an actor
is shown under there: network nodes (`graph-data`), links to an actor page, the report's actor rows,
GEXF node labels and every name column of every sheet (a funding sheet's `label` where it is an actor). Prints how many labels each surface showed, how many of them are
"Unnamed organisation (PIC n)" (the label of an organisation no source names) and every label that
is a bare number or an id; exits non-zero if there is one.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import random
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.app import create_app
from graph.settings import Settings
from graph.store.sqlite import SqliteStore
from graph.text import UNNAMED

_ANCHOR = re.compile(r'<a\b[^>]*href="[^"]*/views/actor/[^"]*"[^>]*>(.*?)</a>', re.S)
_GRAPH = re.compile(r'<script type="application/json" id="graph-data">(.*?)</script>', re.S)
_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_ROW = re.compile(r'<tr data-actor="[^"]*"[^>]*>(.*?)</tr>', re.S)  # the report's actor rows
_CELL = re.compile(r"<td\b[^>]*>(.*?)</td>", re.S)
_TAG = re.compile(r"<[^>]+>")
_ID = re.compile(r"^[a-z][a-z0-9-]*:\S+$")


def bad_label(label: str) -> bool:
    """A bare number ("888893336"), or an id in place of a name ("cordis:888893336")."""
    text = label.strip()
    return not text or bool(re.fullmatch(r"[\d\s.,#()+-]+", text)) or bool(_ID.match(text))


def html_labels(page: str) -> Iterator[str]:
    """The actor labels of a page: its network's actor nodes and the text of its links to actor pages."""
    for m in _ANCHOR.finditer(page):
        yield _text(m.group(1))
    for table in _TABLE.finditer(page):
        for n, row in enumerate(_ROW.finditer(table.group(0)), start=1):
            cells = [_text(c) for c in _CELL.findall(row.group(1))]
            # a ranked list's first cell is the rank (1, 2, 3 …), the name comes next
            name = cells[1] if len(cells) > 1 and cells[0] == str(n) else cells[0] if cells else ""
            yield name
    g = _GRAPH.search(page)
    if g:
        for node in json.loads(g.group(1)).get("nodes", []):
            if str(node.get("id", "")).startswith("project:") or node.get("kind") == "project":
                continue
            for field in ("label", "name"):
                if field in node and node[field] is not None:
                    yield str(node[field])


def _text(fragment: str) -> str:
    return html.unescape(_TAG.sub("", fragment)).strip()


def gexf_labels(data: bytes) -> Iterator[str]:
    for el in ET.fromstring(data).iter():
        if el.tag.endswith("}node") or el.tag == "node":
            yield el.get("label", "")


def xlsx_labels(data: bytes) -> Iterator[tuple[str, str]]:
    """(sheet/column, value) of every column whose header names an actor's name."""
    wb = load_workbook(io.BytesIO(data), read_only=True)
    for ws in wb.worksheets:
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            continue
        cols = [(i, str(h)) for i, h in enumerate(header) if h and re.search(r"(^|_)(name|label)$", str(h))]
        # a funding sheet's `label` names its row's breakdown: a year, a programme … or an actor
        kind = header.index("breakdown") if "breakdown" in header else None
        for row in rows:
            if kind is not None and row[kind] != "actor":
                continue
            for i, h in cols:
                if i < len(row) and row[i] is not None:
                    yield f"{ws.title}/{h}", str(row[i])


def get(client: TestClient, url: str, tries: int = 120) -> bytes:
    """The answer to `url`, waiting out 202 (still computing) answers."""
    for _ in range(tries):
        r = client.get(url)
        if r.status_code != 202:
            if r.status_code != 200:
                raise SystemExit(f"{url}: HTTP {r.status_code}: {r.text[:200]}")
            return r.content
        time.sleep(float(r.headers.get("Retry-After", "5")))
    raise SystemExit(f"{url}: still computing after {tries} tries")


def actors_to_visit(store: SqliteStore, sample: int) -> list[str]:
    """Unnamed PICs (a few), the ten busiest actors, CORDIS actors labelled by a short name, a sample."""
    counts: dict[str, int] = {}
    for p in store.iter_participations():
        counts[p.actor_id] = counts.get(p.actor_id, 0) + 1
    actors = {a.id: a for a in store.iter_actors()}
    unnamed = sorted(a for a, x in actors.items() if x.name.startswith(UNNAMED) and a in counts)
    busiest = sorted(counts, key=lambda a: (-counts[a], a))[:10]
    rng = random.Random(16)
    rest = sorted(actors)
    return list(dict.fromkeys([*unnamed[:5], *busiest, *rng.sample(rest, min(sample, len(rest)))]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--county", default="10")
    ap.add_argument("--sample", type=int, default=100, help="random actors whose page and ego view are read")
    args = ap.parse_args()
    store = SqliteStore(args.db)
    visit = actors_to_visit(store, args.sample)
    county = args.county
    surfaces: dict[str, list[str]] = {}
    bad: list[tuple[str, str]] = []

    def seen(surface: str, labels: Iterator[str] | list[str]) -> None:
        got = surfaces.setdefault(surface, [])
        for label in labels:
            got.append(label)
            if bad_label(label):
                bad.append((surface, label))

    with TestClient(create_app(Settings(db=args.db), store=store)) as c:
        for aid in visit:
            seen("actor page (ego view)", html_labels(get(c, f"/views/actor/{aid}").decode()))
            detail = json.loads(get(c, f"/actors/{aid}"))
            seen(
                "actor JSON",
                [detail["actor"]["name"], *(x["name"] for x in detail["partners"] + detail["units"])],
            )
        seen("isolated view", html_labels(get(c, f"/views/isolated?county={county}").decode()))
        seen("counties view", html_labels(get(c, "/views/counties").decode()))
        topic = "marine robotics for healthy oceans"
        seen(
            "partner page", html_labels(get(c, f"/views/partners?topic={topic}&with=pic:999901318").decode())
        )
        found = json.loads(get(c, f"/partners?topic={topic}&with=pic:999901318&top=20"))
        seen("partners JSON", [x["name"] for x in [*found["members"], *found["partners"], *found["network"]]])
        calls = "HORIZON-CL5-2024-D3-01 offshore wind energy; circular economy in the bio-based industry"
        seen("calls page", html_labels(get(c, f"/views/calls?topics={calls}&county={county}").decode()))
        seen("county report", html_labels(get(c, f"/reports/county/{county}?format=html").decode()))
        hits = json.loads(get(c, "/actors?q=universit&limit=100"))
        seen("actor search JSON", [a["name"] for a in hits["data"]])
        seen("GEXF", gexf_labels(get(c, f"/export/graph.gexf?county={county}")))
        for where, label in xlsx_labels(get(c, f"/export/tables.xlsx?county={county}")):
            seen(f"XLSX {where.split('/')[0]}", [label])
    store.close()
    print(f"{len(visit)} actors' pages read; labels by surface (bare numbers or ids / 'Unnamed …' / all):")
    for surface, labels in surfaces.items():
        n_bad = sum(1 for s, _ in bad if s == surface)
        n_unnamed = sum(1 for x in labels if x.startswith(UNNAMED))
        print(f"  {surface}: {n_bad} / {n_unnamed} / {len(labels)}")
    for surface, label in bad[:50]:
        print(f"  BARE: {surface}: {label!r}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
