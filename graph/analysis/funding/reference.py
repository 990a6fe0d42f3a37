"""The reference files funding figures divide or convert by: county populations (SCB) and SEK per EUR (ECB).

Both are small CSV files in `graph/data/` with a provenance header; each row says whether it is approximate,
and every page that uses them says so.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Population:
    """County populations from `graph/data/population.csv` and the source line of that file."""

    year: int
    by_county: dict[str, int]
    source: str
    approximate: bool = False  # the figures were not checked against SCB (see the file's note)

    @property
    def sweden(self) -> int:
        return sum(self.by_county.values())


@dataclass(frozen=True)
class Rates:
    """SEK per EUR by year from `graph/data/sek_per_eur.csv`."""

    sek_per_eur: dict[int, float]
    source: str
    approximate: bool = False  # the rates were not checked against the ECB (see the file's note)

    def rate(self, year: int | None) -> tuple[int, float]:
        """The (year, rate) used for an amount of `year`: that year, else the nearest, else the latest."""
        years = sorted(self.sek_per_eur)
        if year is None:
            y = years[-1]
        elif year in self.sek_per_eur:
            y = year
        else:
            y = min(years, key=lambda k: (abs(k - year), -k))
        return y, self.sek_per_eur[y]


def _data_rows(name: str) -> tuple[list[dict[str, str]], str]:
    """The rows of a package CSV whose leading `#` lines are its provenance note, and the note's first
    paragraph (what the figures are and whose; continuation lines are indented) as the source."""
    text = resources.files("graph").joinpath("data", name).read_text(encoding="utf-8")
    lines = text.splitlines()
    comments = [ln for ln in lines if ln.startswith("#")]
    first = comments[:1] + list(itertools.takewhile(lambda ln: ln.startswith("#   "), comments[1:]))
    body = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(body)), " ".join(ln.lstrip("# ").rstrip() for ln in first)


def _approximate(rows: list[dict[str, str]]) -> bool:
    """Whether any row says its figure was not checked against the source (`approximate` = yes)."""
    return any(r.get("approximate", "").strip().lower() in ("yes", "true", "1") for r in rows)


@lru_cache(maxsize=1)
def population() -> Population:
    rows, note = _data_rows("population.csv")
    years = {int(r["year"]) for r in rows}
    return Population(
        year=max(years),
        by_county={r["code"]: int(r["population"]) for r in rows},
        source=note,
        approximate=_approximate(rows),
    )


@lru_cache(maxsize=1)
def rates() -> Rates:
    rows, note = _data_rows("sek_per_eur.csv")
    return Rates(
        {int(r["year"]): float(r["sek_per_eur"]) for r in rows}, source=note, approximate=_approximate(rows)
    )
