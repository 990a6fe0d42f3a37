"""Isolated actors: five named rules, each returning the actors it finds with a reason in plain words.

Every rule takes the actor–project graph and/or the collaboration graph of the projects that count,
and the candidate actors; it returns ``[(actor_id, reason), …]`` in the candidates' order. Each reason
is English text that also carries its `graph.said.Said` (key `iso_*`), so a page words it in Swedish.

Partial sources (`graph.model.Coverage`): a project whose source lists only its Swedish partners
(Interreg) or only its owner (ERDF) says nothing about the partners missing from the list. An actor
with such a project is never called "no partner" or "partners only in its own county" (nor flagged
for S3 work without an outside partner on such a project); when one of those rules would have named
it, `partners_not_in_data` lists it apart, with the sources that leave its partners out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from statistics import median

import networkx as nx

from graph.geo import COUNTIES
from graph.said import Reason, Said, reason, said

#: Kinds that, by what they are for, should be well connected.
STRONG_KINDS: tuple[str, ...] = (
    "university",
    "science_park",
    "research_institute",
    "incubator",
    "cluster_organisation",
)
#: A kind needs at least this many actors in the graph before its bottom decile means anything.
MIN_PEERS = 10

RULES: dict[str, str] = {
    "no_collaboration": "no partner in any project that counts (no project, or alone in its projects)",
    "only_own_county": "has partners, and every one of them is in the actor's own county",
    "no_eu_project": "in no project of an EU programme ({programmes})",
    "weak_despite_profile": (
        "a university, science park, research institute, incubator or cluster organisation whose number "
        f"of partners is in the bottom decile (nearest rank) of all actors of its kind in the graph "
        f"(kinds with at least {MIN_PEERS} actors)"
    ),
    "s3_theme_without_outside_partner": (
        "in a project on a smart-specialisation (s3:) theme, with no partner outside its own county in those projects"
    ),
    "partners_not_in_data": (
        "would have no partner, or partners only in its own county, in the data; but some of its projects come "
        "from a source that lists only Swedish partners (Interreg) or only the owner (ERDF), so its partners "
        "abroad (or all its partners) are not in the data: counted apart, not as isolated"
    ),
}

#: The lists of the isolated analysis, in the order results, reports and exports show them.
ISOLATION_LISTS: tuple[str, ...] = tuple(RULES)


def county_name(code: str) -> str:
    return COUNTIES[code].short_name if code in COUNTIES else (code or "an unknown county")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _all_partners(n: int, where: str = "") -> str:
    return f"its only partner{where} is" if n == 1 else f"all {n} partners{where} are"


def _word(word: str, n: int = 1) -> Said:
    """ "project" / "counting project" as a `Said` (singular, or plural when n != 1)."""
    return said("word_" + word.replace(" ", "_") + ("s" if n != 1 else ""))


def no_collaboration(
    bipartite: nx.Graph, collab: nx.Graph, candidates: Iterable[str], project_word: str = "project"
) -> list[tuple[str, Reason]]:
    """Actors with no partner at all (`project_word` names the projects looked at in the reason).

    Actors in a project whose source does not list every member are left to `partners_not_in_data`.
    """
    out = []
    for a in candidates:
        if collab.degree(a) > 0 or partial_projects(bipartite, a):
            continue
        n = bipartite.degree(a) if a in bipartite else 0
        why = (
            reason(f"in no {project_word}", "iso_in_no_project", word=_word(project_word))
            if n == 0
            else reason(
                f"in {_plural(n, project_word)}, with no other actor in them",
                "iso_alone_in_projects",
                n=n,
                word=_word(project_word, n),
            )
        )
        out.append((a, why))
    return out


def partial_projects(bipartite: nx.Graph, actor: str) -> list[str]:
    """The actor's projects whose source does not list every member (`coverage` other than `all`)."""
    if actor not in bipartite:
        return []
    return sorted(p for p in bipartite[actor] if bipartite.nodes[p].get("coverage", "all") != "all")


def partners_not_in_data(
    bipartite: nx.Graph, collab: nx.Graph, candidates: Iterable[str]
) -> list[tuple[str, Reason]]:
    """Actors with a partial project that would otherwise read as isolated or local-only.

    They have no partner in the data, or all their partners are in their own county; either may be
    an artefact of the source (see the module docstring), so they are listed apart with the reason.
    """
    out = []
    for a in candidates:
        partial = partial_projects(bipartite, a)
        if not partial:
            continue
        own = collab.nodes[a].get("county_code", "")
        partners = list(collab[a])
        if partners and (not own or any(collab.nodes[p].get("county_code", "") != own for p in partners)):
            continue
        owner_only = [p for p in partial if bipartite.nodes[p].get("coverage") == "owner"]
        swedish_only = [p for p in partial if bipartite.nodes[p].get("coverage") == "swedish"]
        sources: list[Reason] = []
        if swedish_only:
            progs = ", ".join(sorted({str(bipartite.nodes[p].get("programme", "")) for p in swedish_only}))
            n = len(swedish_only)
            sources.append(
                reason(
                    f"{_plural(n, 'project')} of {progs} list Swedish partners only",
                    "iso_src_swedish",
                    n=n,
                    programmes=progs,
                )
            )
        if owner_only:
            progs = ", ".join(sorted({str(bipartite.nodes[p].get("programme", "")) for p in owner_only}))
            n = len(owner_only)
            sources.append(
                reason(
                    f"{_plural(n, 'project')} of {progs} list the owner only",
                    "iso_src_owner",
                    n=n,
                    programmes=progs,
                )
            )
        seen = (
            reason(
                f"{_all_partners(len(partners), ' in the data')} in {county_name(own)}",
                "iso_seen_in_county",
                n=len(partners),
                county=county_name(own),
            )
            if partners
            else reason("no partner in the data", "iso_seen_none")
        )
        out.append(
            (
                a,
                reason(
                    f"{seen}; partners abroad not in the data ({'; '.join(sources)})",
                    "iso_not_in_data",
                    seen=seen.said,
                    sources=[x.said for x in sources],
                ),
            )
        )
    return out


def only_own_county(
    collab: nx.Graph, candidates: Iterable[str], bipartite: nx.Graph | None = None
) -> list[tuple[str, Reason]]:
    """Actors with partners, all in their own county (a partner abroad or of unknown county is outside).

    With `bipartite`, actors in a project whose members abroad are not in the data are left to
    `partners_not_in_data`.
    """
    out = []
    for a in candidates:
        if bipartite is not None and partial_projects(bipartite, a):
            continue
        own = collab.nodes[a].get("county_code", "")
        partners = list(collab[a])
        if not own or not partners:
            continue
        if all(collab.nodes[p].get("county_code", "") == own for p in partners):
            n, county = len(partners), county_name(own)
            out.append(
                (a, reason(f"{_all_partners(n)} in {county}", "iso_all_in_county", n=n, county=county))
            )
    return out


def no_eu_project(
    bipartite: nx.Graph, candidates: Iterable[str], eu_programmes: Sequence[str]
) -> list[tuple[str, Reason]]:
    """Actors in no project whose programme is EU-funded."""
    eu = {p.casefold() for p in eu_programmes}
    out = []
    for a in candidates:
        progs = (
            sorted({str(bipartite.nodes[p].get("programme", "")) for p in bipartite[a]})
            if a in bipartite
            else []
        )
        if any(p.casefold() in eu for p in progs):
            continue
        why = (
            reason("in no project", "iso_in_no_project", word=_word("project"))
            if not progs
            else reason(
                "only in projects of " + ", ".join(progs), "iso_only_programmes", programmes=", ".join(progs)
            )
        )
        out.append((a, why))
    return out


def weak_despite_profile(
    collab: nx.Graph,
    candidates: Iterable[str],
    kinds: Sequence[str] = STRONG_KINDS,
    min_peers: int = MIN_PEERS,
) -> list[tuple[str, Reason]]:
    """Actors of a well-connected kind whose degree is in the bottom decile of their kind.

    The threshold is the nearest-rank 10th percentile of the degrees of every actor of that kind in
    `collab` (all countries); kinds with fewer than `min_peers` actors are skipped.
    """
    degrees: dict[str, list[int]] = {k: [] for k in kinds}
    for n, d in collab.nodes(data=True):
        k = d.get("kind", "")
        if k in degrees:
            degrees[k].append(collab.degree(n))
    threshold: dict[str, tuple[int, int, float]] = {}
    for k, ds in degrees.items():
        if len(ds) >= min_peers:
            ds.sort()
            threshold[k] = (ds[max(0, math.ceil(0.1 * len(ds)) - 1)], len(ds), median(ds))
    out = []
    for a in candidates:
        k = collab.nodes[a].get("kind", "")
        if k not in threshold:
            continue
        limit, peers, med = threshold[k]
        d = collab.degree(a)
        if d <= limit:
            label = k.replace("_", " ")
            text = (
                f"{label} with {_plural(d, 'partner')}: bottom decile of the {peers} actors of its kind "
                f"(at most {limit}; median {med:g})"
            )
            why = reason(
                text, "iso_weak", kind=said("kind_" + k), n=d, peers=peers, limit=limit, median=float(med)
            )
            out.append((a, why))
    return out


def s3_theme_without_outside_partner(
    bipartite: nx.Graph,
    candidates: Iterable[str],
    project_themes: Mapping[str, Iterable[str]],
    theme_name: Callable[[str], str],
) -> list[tuple[str, Reason]]:
    """Actors in projects on S3 themes whose partners in those projects are all in their own county."""
    out = []
    for a in candidates:
        if a not in bipartite:
            continue
        own = bipartite.nodes[a].get("county_code", "")
        s3_projects = [p for p in bipartite[a] if any(t.startswith("s3:") for t in project_themes.get(p, ()))]
        if not s3_projects or not own:
            continue
        if any(bipartite.nodes[p].get("coverage", "all") != "all" for p in s3_projects):
            continue  # partners abroad of these projects are not in the data
        partners = {m for p in s3_projects for m in bipartite[p] if m != a}
        if any(bipartite.nodes[m].get("county_code", "") != own for m in partners):
            continue
        themes = sorted({t for p in s3_projects for t in project_themes.get(p, ()) if t.startswith("s3:")})
        named = ", ".join(theme_name(t) for t in themes)
        where = (
            reason(
                f"{_all_partners(len(partners), ' there')} in {county_name(own)}",
                "iso_there_in_county",
                n=len(partners),
                county=county_name(own),
            )
            if partners
            else reason("no partner there", "iso_there_none")
        )
        n = len(s3_projects)
        text = f"in {_plural(n, 'project')} on S3 themes ({named}); {where}"
        out.append((a, reason(text, "iso_s3", n=n, themes=named, where=where.said)))
    return out


def outside_partners(collab: nx.Graph, actor: str) -> int:
    """Partners of `actor` that are not in its county (abroad, another county or unknown)."""
    own = collab.nodes[actor].get("county_code", "")
    return sum(1 for p in collab[actor] if collab.nodes[p].get("county_code", "") != own)


def suggested_brokers(collab: nx.Graph, county: str, per_county: int = 3) -> list[tuple[str, int]]:
    """The actors of `county` with the most partners outside it (ties by id), those with any."""
    scored = [
        (a, outside_partners(collab, a))
        for a, d in collab.nodes(data=True)
        if d.get("county_code", "") == county
    ]
    scored = [s for s in scored if s[1] > 0]
    scored.sort(key=lambda s: (-s[1], s[0]))
    return scored[:per_county]
