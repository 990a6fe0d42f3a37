"""Explanation: a ranked candidate in words, the consortium's gaps, and the answer to one query (`find`).

Every reason is built from evidence a person can check in the data: the past projects on the topic
(by name), the members it already worked with (and on which projects), a network path through a
shared partner, its track record, the gap it fills, and whether the programme can fund it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from graph.errors import InvalidInput
from graph.geo import COUNTIES
from graph.partners.index import PartnerIndex
from graph.partners.query import SME, Candidate, Gaps, Member, PartnerQuery, PartnerResult, ProjectRef
from graph.partners.ranking import FEATURES, Scored, missing_kinds, ranked, score
from graph.said import Reason, reason, said
from graph.store.base import GraphStore

GREEDY_POOL = 300  # the greedy gap cover picks from this many top-ranked candidates
NETWORK_LIST = 5  # "your existing network": members' partners without evidence on the topic

# Who Horizon Europe funds (Regulation (EU) 2021/695, art. 22): legal entities in the EU member
# states and in the countries associated to the programme (as of 2024). Others may join, usually
# with their own funding (as associated partners). Switzerland was not associated in 2021–2024.
EU27 = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
HORIZON_ASSOCIATED = frozenset(
    [
        "AL",
        "AM",
        "BA",
        "FO",
        "GE",
        "IS",
        "IL",
        "XK",
        "MD",
        "ME",
        "NZ",
        "MK",
        "NO",
        "RS",
        "TN",
        "TR",
        "UA",
        "GB",
        "CA",
    ]
)


def programme_of(q: PartnerQuery) -> str | None:
    """The programme a query is for, from its call-topic codes or programme parts (None when unsaid)."""
    for c in [*q.topic_codes, *q.programme_parts, *q.topic.split()]:
        u = c.strip(",;()[]\"'").upper()
        if u.startswith("HORIZON-") or u.startswith("HORIZON."):
            return "Horizon Europe"
    return None


def funding_note(
    programme: str | None, q: PartnerQuery, country: str | None, kind: str, sme: bool
) -> Reason | None:
    """Why the programme may not fund this candidate, or None when nothing speaks against it."""
    if programme != "Horizon Europe":
        return None
    if country and country not in EU27 and country not in HORIZON_ASSOCIATED:
        return reason(
            f"{country} is neither an EU member state nor associated to Horizon Europe: "
            "usually joins with its own funding",
            "fund_not_eligible",
            country=country,
        )
    if any("-EIC-" in c.upper() and "ACCELERATOR" in c.upper() for c in q.topic_codes) and not sme:
        return reason("the EIC Accelerator funds SMEs (and start-ups) only", "fund_eic_smes")
    return None


def _pref(index: PartnerIndex, j: int) -> ProjectRef:
    p = index.projects[j]
    return ProjectRef(id=p.id, acronym=p.acronym, title=p.title, year=p.start.year if p.start else None)


def _plabel(index: PartnerIndex, j: int) -> str:
    p = index.projects[j]
    label = p.acronym or p.title
    return f"{p.id} {label}" + (f" ({p.start.year})" if p.start else "")


def _shared(index: PartnerIndex, i: int, k: int) -> np.ndarray:
    return np.intersect1d(index.actor_projects(i), index.actor_projects(k), assume_unique=True)


def _weights(index: PartnerIndex, i: int, cols: np.ndarray) -> np.ndarray:
    """Shared-project counts A[i, cols] for sorted partner positions `cols` of actor i."""
    lo, hi = index.A.indptr[i], index.A.indptr[i + 1]
    return np.asarray(index.A.data[lo:hi][np.searchsorted(index.A.indices[lo:hi], cols)])


def network_path(index: PartnerIndex, i: int, members: Sequence[int]) -> list[str]:
    """Candidate → project → shared partner → project → member, through the strongest shared partner."""
    mine = index.partners_of(i)
    best: tuple[float, int, int] | None = None  # (-strength, shared partner, member): smallest wins
    for mi in members:
        common = np.intersect1d(mine, index.partners_of(mi), assume_unique=True)
        if not common.size:
            continue
        strength = _weights(index, i, common) + _weights(index, mi, common)
        k = int(np.argmax(strength))  # first maximum: the smallest id (actors are sorted by id)
        key = (-float(strength[k]), int(common[k]), mi)
        if best is None or key[:2] < best[:2]:
            best = key
    if best is None:
        return []
    _, z, mi = best
    p1 = int(_shared(index, i, z)[0])
    p2 = int(_shared(index, z, mi)[0])
    return [
        index.actors[i].name,
        f"[{_plabel(index, p1)}]",
        index.actors[z].name,
        f"[{_plabel(index, p2)}]",
        f"{index.actors[mi].name} (member)",
    ]


def explain(index: PartnerIndex, i: int, s: Scored, q: PartnerQuery, programme: str | None) -> Candidate:
    """One candidate with its reasons in words."""
    a = index.actors[i]
    reasons: list[Reason] = []
    projs = index.actor_projects(i)
    # Topic: projects matching the call's text, then the call's code hierarchy.
    rel = s.project_topic[projs] + 0.5 * s.project_code[projs] * (s.project_code[projs] >= 0.5)
    on = projs[rel > 0]
    n_on = int(on.size)
    on = on[np.lexsort((on, -rel[rel > 0]))][:3]
    refs = [_pref(index, int(j)) for j in on]
    if on.size:
        coord_on = index.coordinated_in(i, on)
        shown = "; ".join(_plabel(index, int(j)) for j in on)
        reasons.append(
            reason(
                f"{n_on} past project{'s' * (n_on != 1)} on the topic, e.g. "
                + shown
                + (f" ({coord_on} of the shown coordinated)" if coord_on else ""),
                "pr_topic",
                n=n_on,
                projects=shown,
                coord=said("pr_topic_coord", n=coord_on) if coord_on else "",
            )
        )
    same_topic = projs[s.project_code[projs] >= 0.999]
    if same_topic.size:
        shown = "; ".join(_plabel(index, int(j)) for j in same_topic[:3])
        n_same = int(same_topic.size)
        reasons.append(
            reason(
                f"{n_same} project{'s' * (n_same != 1)} under the same call topic code: " + shown,
                "pr_same_code",
                n=n_same,
                projects=shown,
            )
        )
    # Network: direct collaborations, else a path through a shared partner.
    worked: list[str] = []
    for mi in s.members:
        shared = _shared(index, i, mi)
        shared = shared[np.lexsort((shared, -s.project_topic[shared]))]
        if shared.size:
            worked.append(index.actors[mi].id)
            shown = "; ".join(_plabel(index, int(j)) for j in shared[:3])
            member = index.actors[mi].name
            reasons.append(
                reason(
                    f"already worked with member {member} on {shared.size} "
                    f"project{'s' * (shared.size != 1)}: " + shown,
                    "pr_worked_with",
                    member=member,
                    n=int(shared.size),
                    projects=shown,
                )
            )
    path: list[str] = []
    if not worked and s.members:
        path = network_path(index, i, s.members)
        if path:
            n_common = int(s.members_partners(index)[index.partners_of(i)].sum())
            reasons.append(
                reason(
                    f"shares {n_common} partner{'s' * (n_common != 1)} with the consortium; network path: "
                    + " → ".join(path),
                    "pr_path",
                    n=n_common,
                    path=" → ".join(path[:-1]),
                    member=path[-1].removesuffix(" (member)"),
                )
            )
    # Track record.
    n = int(projs.size)
    coord = int(index.coordinated[i])
    yrs = index.year[projs]
    last = int(yrs.max()) if yrs.size and yrs.max() > 0 else None
    reasons.append(
        reason(
            f"track record: {n} project{'s' * (n != 1)}"
            + (f", {coord} as coordinator" if coord else "")
            + (f", last started {last}" if last else ""),
            "pr_track",
            n=n,
            coord=said("pr_track_coord", n=coord) if coord else "",
            last=said("pr_track_last", year=last) if last else "",
        )
    )
    # Gaps.
    fills: list[str] = []
    if s.fills_country[i]:
        fills.append(f"country:{a.country}")
        reasons.append(
            reason(
                f"brings a new country ({a.country}) that the consortium needs",
                "pr_new_country",
                country=a.country or "",
            )
        )
    if s.fills_kind[i]:
        got = [
            k
            for k in missing_kinds(index, q.kinds, s.members)
            if (k == SME and index.sme[i]) or index.kind[i] == k
        ]
        fills.extend(f"kind:{k}" for k in got)
        reasons.append(
            reason(
                "fills a wanted kind: "
                + ", ".join("an SME" if k == SME else k.replace("_", " ") for k in got),
                "pr_fills_kind",
                kinds_list=[said("kind_" + k) for k in got],
            )
        )
    if s.favoured[i]:
        county = COUNTIES[index.county[i]].name
        reasons.append(reason(f"in a favoured region ({county})", "pr_favoured", county=county))
    note = funding_note(programme, q, a.country, a.kind.value, bool(a.sme))
    if note:
        reasons.append(reason("funding: " + note, "pr_funding", note=note.said))
    ids = {k: v for k, v in (("pic", a.pic), ("vat", a.vat), ("orgnr", a.orgnr)) if v}
    if "pic" not in ids and a.id.startswith("cordis:"):
        ids["pic"] = a.id.removeprefix("cordis:")
    return Candidate(
        actor_id=a.id,
        name=a.name,
        kind=a.kind.value,
        country=a.country,
        county_code=a.county_code,
        score=round(float(s.score[i]), 6),
        signals={k: round(s.feature(k, i), 4) for k in FEATURES},
        reasons=list(reasons),
        said=[r.said for r in reasons],
        identifiers=ids,
        topic_projects=refs,
        worked_with=worked,
        path=path,
        fills=fills,
        projects=n,
        coordinated=coord,
        last_year=last,
        topic_evidence=bool(s.evidence[i]),
        funding_note=note,
    )


def gaps(index: PartnerIndex, q: PartnerQuery, s: Scored, pool: Sequence[int]) -> Gaps:
    """What the consortium lacks and the greedy smallest set of pool candidates that fills it."""
    present = sorted({index.country[i] for i in s.members if index.country[i]})
    need = max(q.min_countries - len(present), 0)
    missing = missing_kinds(index, q.kinds, s.members)
    have_c = set(present)
    need_k = set(missing)
    cover: list[str] = []
    cover_fills: dict[str, list[str]] = {}
    chosen: set[int] = set()
    while need > 0 or need_k:
        best, best_gain, best_fills = -1, 0, []
        for i in pool:  # pool is in rank order: ties go to the better-ranked candidate
            if i in chosen:
                continue
            f = []
            if need > 0 and index.country[i] and index.country[i] not in have_c:
                f.append(f"country:{index.country[i]}")
            f.extend(
                f"kind:{k}" for k in sorted(need_k) if (index.sme[i] if k == SME else index.kind[i] == k)
            )
            if len(f) > best_gain:
                best, best_gain, best_fills = i, len(f), f
        if best < 0:
            break
        chosen.add(best)
        cover.append(index.actors[best].id)
        cover_fills[index.actors[best].id] = best_fills
        for fill in best_fills:
            kind, _, v = fill.partition(":")
            if kind == "country":
                have_c.add(v)
                need -= 1
            else:
                need_k.discard(v)
    unfilled = ([f"{need} more countr{'ies' if need != 1 else 'y'}"] if need > 0 else []) + [
        f"kind:{k}" for k in sorted(need_k)
    ]
    return Gaps(
        countries_present=present,
        countries_needed=max(q.min_countries - len(present), 0),
        kinds_missing=missing,
        cover=cover,
        cover_fills=cover_fills,
        unfilled=unfilled,
    )


EMPTY_QUERY = "give a call topic (text or code) or at least one consortium member to get suggestions"


def is_empty(q: PartnerQuery) -> bool:
    """A query with neither a topic nor members: nothing to rank on."""
    return not (q.members or q.topic.strip() or q.topic_codes or q.programme_parts or q.themes)


def find(index: PartnerIndex, q: PartnerQuery, store: GraphStore | None = None) -> PartnerResult:
    """The answer to one query: ranked candidates with reasons, the existing network, and the gaps.

    With a topic, the main list holds only candidates with evidence on it (a past project matching
    the call's text or in the same call destination); members' partners without such evidence are
    listed apart as "your existing network" instead of being ranked among the topic's experts.
    Raises `InvalidInput` for an empty query.
    """
    if is_empty(q):
        raise InvalidInput(EMPTY_QUERY)
    members: list[Member] = []
    positions: list[int] = []
    unknown: list[str] = []
    for key in q.members:
        i = index.resolve(key, store)
        if i is None:
            unknown.append(key)
            continue
        if i in positions:
            continue
        positions.append(i)
        a = index.actors[i]
        members.append(Member(key=key, actor_id=a.id, name=a.name, country=a.country, kind=a.kind.value))
    s = score(index, q, positions)
    programme = programme_of(q)
    main_mask = s.evidence if s.has_topic else None
    pool = ranked(index, s, max(q.top, GREEDY_POOL), main_mask)
    partners = [explain(index, i, s, q, programme) for i in pool[: q.top]]
    network: list[Candidate] = []
    if s.has_topic and positions:
        direct = s.members_partners(index)
        network = [
            explain(index, i, s, q, programme) for i in ranked(index, s, NETWORK_LIST, direct & ~s.evidence)
        ]
    message = None
    if q.members and not positions and not s.has_topic:
        partners, network, pool = [], [], []
        message = "none of the members was found and no topic was given: nothing to rank on"
    elif q.members and not positions:
        message = "none of the members was found: candidates are ranked on the topic alone"
    elif not s.has_topic and (q.topic.strip() or q.topic_codes):
        message = "nothing in the data matches the topic: candidates are ranked on the consortium's network"
    return PartnerResult(
        query=q,
        members=members,
        unknown_members=unknown,
        partners=partners,
        network=network,
        gaps=gaps(index, q, s, pool),
        candidates_considered=int(s.eligible.sum()),
        programme=programme,
        message=message,
    )
