"""The theme crosswalk: every programme's vocabulary mapped onto the seeds' smart-specialisation areas.

CORDIS speaks of programme parts (`SC5`, `HORIZON.2.5`), Interreg of policy objectives (`PO2`, `RSO2.6`),
Projektbanken of thematic objectives and priority axes in Swedish. A strategist asks about the S3
areas of the county strategy (`s3:blekinge:missions`, `s3:smaland-oarna:food`, …). The human-editable
`graph/data/crosswalk.yaml` says, term by term, which S3 areas a term serves and why; this module reads it.

>>> from graph.model import Project
>>> p = Project(id="h2020:1", title="t", programme="Horizon 2020", themes=["part:h2020:SC5"])
>>> [link.theme_id for link in themes_for(p)]
['s3:blekinge:missions']

Matching (see the file's header): a project's theme ids match an entry by id, or by the code after the
last colon within the same id namespace; its `programme_part` and `topics` match the entries of its own
programme by code (case, accents and punctuation ignored; `H2020-EU.3.5.2` falls back to `H2020-EU.3.5`),
by label, or by topic pattern. When an entry and the broader entry it is `within` both match, only the
narrower one counts. S3 areas a project names itself link with the reason "named by the project itself".
Optionally (`text=True`) the file's keyword rules link areas named in the project's title and objective.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graph.errors import InvalidInput
from graph.model import Project, SourceRef, Theme, ThemeKind
from graph.text import fold

S3_PREFIX = "s3:"
SELF_REASON = "named by the project itself"


class ThemeLink(BaseModel):
    """One S3 area a project serves, why, and through which vocabulary terms (`via`)."""

    model_config = ConfigDict(frozen=True)

    theme_id: str
    reason: str
    via: tuple[str, ...] = ()


class VocabularyEntry(BaseModel):
    """One term of a programme's vocabulary and the S3 areas it maps onto."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9-]+:.+$")
    programme: str
    name: str
    kind: ThemeKind
    codes: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    topic_patterns: tuple[str, ...] = ()
    within: str | None = None
    to: dict[str, str] = Field(default_factory=dict)
    note: str | None = None

    @field_validator("to")
    @classmethod
    def _targets_are_s3(cls, v: dict[str, str]) -> dict[str, str]:
        for target, reason in v.items():
            if not target.startswith(S3_PREFIX):
                raise ValueError(f"target {target!r} is not an S3 area id (s3:<region>:<area>)")
            if not str(reason or "").strip():
                raise ValueError(f"the mapping to {target!r} gives no reason")
        return v

    @property
    def namespace(self) -> str:
        return self.id.rsplit(":", 1)[0]


class CrosswalkRow(BaseModel):
    """One line of the crosswalk table: a term and one S3 area (or none, with the note why)."""

    term_id: str
    term_name: str
    programme: str
    kind: str
    s3_theme: str | None
    reason: str


class Crosswalk:
    """The parsed crosswalk with its lookup indexes."""

    def __init__(
        self, entries: list[VocabularyEntry], source: str, keywords: dict[str, list[str]] | None = None
    ) -> None:
        self.entries = entries
        self.source = source
        self.keywords = {
            target: [re.compile(r"\b(?:" + p + r")\w*") for p in patterns]
            for target, patterns in sorted((keywords or {}).items())
        }
        self.by_id = {e.id: e for e in entries}
        self._by_id_folded = {fold(e.id): e for e in entries}
        self._by_code: dict[tuple[str, str], list[VocabularyEntry]] = {}
        self._by_tail: dict[tuple[str, str], list[VocabularyEntry]] = {}
        self._patterns: dict[str, list[tuple[re.Pattern[str], VocabularyEntry]]] = {}
        self._matches: dict[tuple[object, ...], list[VocabularyEntry]] = {}
        self._text_hits: dict[tuple[str, str], tuple[VocabularyEntry, ...]] = {}
        for e in entries:
            prog = fold(e.programme)
            for code in {*e.codes, *e.labels, e.id.rsplit(":", 1)[1]}:
                self._by_code.setdefault((prog, fold(code)), []).append(e)
                self._by_tail.setdefault((e.namespace, fold(code)), []).append(e)
            # by folded programme, so a text is only tried against its own programme's patterns
            self._patterns.setdefault(prog, []).extend(
                (re.compile(p, re.IGNORECASE), e) for p in e.topic_patterns
            )

    def label_to_id(self, namespace: str, label: str | None) -> str | None:
        """The id of the term in `namespace` (e.g. `erdf-axis`) that a source writes as `label`."""
        key = fold(label)
        for e in self.entries:
            if e.namespace == namespace and any(fold(lbl) == key for lbl in e.labels):
                return e.id
        return None

    def _code_hits(
        self, index: dict[tuple[str, str], list[VocabularyEntry]], scope: str, code: str
    ) -> list[VocabularyEntry]:
        key = fold(code)
        while key:
            hits = index.get((scope, key))
            if hits:
                return hits
            head, _, last = key.rpartition(" ")
            if not head or not last.isdigit():
                return []
            key = head
        return []

    def matching_entries(self, project: Project) -> list[VocabularyEntry]:
        """The vocabulary terms a project carries, the narrowest of each line, sorted by id.

        Memoised on what the answer depends on: thousands of CORDIS projects share one programme
        part and topic list, and analysis asks for every project of the graph.
        """
        key = (tuple(project.themes), project.programme, project.programme_part, tuple(project.topics))
        hit = self._matches.get(key)
        if hit is None:
            hit = self._matches[key] = self._matching_entries(project)
        return list(hit)

    def _matching_entries(self, project: Project) -> list[VocabularyEntry]:
        found: dict[str, VocabularyEntry] = {}
        for tid in project.themes:
            if tid.startswith(S3_PREFIX):
                continue
            exact = self._by_id_folded.get(fold(tid))
            if exact is not None:
                found[exact.id] = exact
                continue
            namespace, _, tail = tid.rpartition(":")
            for e in self._code_hits(self._by_tail, namespace, tail):
                found[e.id] = e
        prog = fold(project.programme)
        for text in [project.programme_part or "", *project.topics]:
            if text.strip():
                found.update((e.id, e) for e in self._text_entries(prog, text))
        broader = {e.within for e in found.values() if e.within}
        return [found[k] for k in sorted(found) if k not in broader]

    def _text_entries(self, prog: str, text: str) -> tuple[VocabularyEntry, ...]:
        """The terms one programme part or topic text names, folded and matched once per distinct text.

        Horizon Europe projects each carry their own topic list, so a memo on the whole project misses;
        the topic texts themselves repeat across thousands of projects.
        """
        key = (prog, text)
        hit = self._text_hits.get(key)
        if hit is None:
            found = list(self._code_hits(self._by_code, prog, text))
            stripped = text.strip()
            found.extend(e for pattern, e in self._patterns.get(prog, ()) if pattern.match(stripped))
            hit = self._text_hits[key] = tuple(found)
        return hit

    def text_matches(self, project: Project) -> dict[str, str]:
        """S3 area -> the first keyword its text rules find in the project's title, acronym, objective, topics."""
        text = fold(
            " ".join([project.title, project.acronym or "", project.objective or "", *project.topics])
        )
        found: dict[str, str] = {}
        for target, patterns in self.keywords.items():
            hits = sorted({m.group(0) for p in patterns for m in [p.search(text)] if m})
            if hits:
                found[target] = hits[0]
        return found

    def themes_for(self, project: Project, text: bool = False) -> list[ThemeLink]:
        reasons: dict[str, list[tuple[str, str]]] = {}
        for tid in project.themes:
            if tid.startswith(S3_PREFIX):
                reasons.setdefault(tid, []).append((tid, SELF_REASON))
        for e in self.matching_entries(project):
            for target, why in e.to.items():
                reasons.setdefault(target, []).append((e.id, f"{e.id}: {why}"))
        if text:
            for target, word in self.text_matches(project).items():
                reasons.setdefault(target, []).append(
                    (f"text:{word}", f"the project's text mentions '{word}'")
                )
        links = []
        for target in sorted(reasons):
            pairs = sorted(set(reasons[target]))
            links.append(
                ThemeLink(
                    theme_id=target, reason="; ".join(r for _, r in pairs), via=tuple(v for v, _ in pairs)
                )
            )
        return links

    def table(self) -> list[CrosswalkRow]:
        rows: list[CrosswalkRow] = []
        for e in sorted(self.entries, key=lambda x: x.id):
            base = {"term_id": e.id, "term_name": e.name, "programme": e.programme, "kind": e.kind.value}
            if not e.to:
                rows.append(CrosswalkRow(**base, s3_theme=None, reason=e.note or ""))
            rows.extend(CrosswalkRow(**base, s3_theme=t, reason=e.to[t]) for t in sorted(e.to))
        return rows

    def themes(self) -> list[Theme]:
        """A `Theme` record for every term, for loaders that use the term ids."""
        ref = SourceRef(source="crosswalk", record="crosswalk:graph/data/crosswalk.yaml", file=self.source)
        return [
            Theme(id=e.id, name=e.name, kind=e.kind, description=e.note, sources=[ref])
            for e in sorted(self.entries, key=lambda x: x.id)
        ]


def default_path() -> Path:
    return Path(str(resources.files("graph").joinpath("data", "crosswalk.yaml")))


def load_crosswalk(path: Path | None = None) -> Crosswalk:
    """Parse and check a crosswalk file (the bundled one by default); a mistake names the entry."""
    path = path or default_path()
    try:
        doc: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise InvalidInput(f"{path}: no such file") from e
    except yaml.YAMLError as e:
        raise InvalidInput(f"{path}: not valid YAML: {e}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("vocabulary"), list):
        raise InvalidInput(f"{path}: expected a 'vocabulary' list")
    keywords = doc.get("keywords") or {}
    if not isinstance(keywords, dict):
        raise InvalidInput(f"{path.name}: keywords: expected S3 area -> list of patterns")
    for target, patterns in keywords.items():
        if not str(target).startswith(S3_PREFIX) or not isinstance(patterns, list):
            raise InvalidInput(
                f"{path.name}: keywords: {target!r} must be an S3 area id with a list of patterns"
            )
        for p in patterns:
            try:
                re.compile(str(p))
            except re.error as exc:
                raise InvalidInput(f"{path.name}: keywords: {target}: pattern {p!r}: {exc}") from exc
    entries: list[VocabularyEntry] = []
    for i, raw in enumerate(doc["vocabulary"], start=1):
        label = raw.get("id", f"entry {i}") if isinstance(raw, dict) else f"entry {i}"
        try:
            entry = VocabularyEntry.model_validate(raw)
            for p in entry.topic_patterns:
                re.compile(p)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(x) for x in err["loc"]) or "(entry)"
            raise InvalidInput(f"{path.name}: {label}: {where}: {err['msg']}") from exc
        except re.error as exc:
            raise InvalidInput(f"{path.name}: {label}: topic pattern: {exc}") from exc
        entries.append(entry)
    ids = [x.id for x in entries]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise InvalidInput(f"{path.name}: duplicate ids {', '.join(dupes)}")
    for x in entries:
        if x.within and x.within not in ids:
            raise InvalidInput(f"{path.name}: {x.id}: within {x.within!r} is not an entry")
    return Crosswalk(entries, path.name, {str(k): [str(p) for p in v] for k, v in keywords.items()})


@lru_cache(maxsize=1)
def default_crosswalk() -> Crosswalk:
    return load_crosswalk()


def themes_for(
    project: Project, crosswalk: Crosswalk | None = None, *, text: bool = False
) -> list[ThemeLink]:
    """The S3 areas a project serves according to the crosswalk, one link per area, sorted by id.

    With `text=True` the file's keyword rules also link areas the project's own words name (reason "the
    project's text mentions 'skog'", `via` "text:skog"); off by default, since words are weaker evidence
    than the programme's own vocabulary.
    """
    return (crosswalk or default_crosswalk()).themes_for(project, text=text)


def crosswalk_table(crosswalk: Crosswalk | None = None) -> list[CrosswalkRow]:
    """Every term with each S3 area it maps onto (or none, with the note why), for reports and exports."""
    return (crosswalk or default_crosswalk()).table()
