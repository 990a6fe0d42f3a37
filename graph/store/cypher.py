"""Every Cypher statement of the Neo4j store, in one place.

Fixed statements are UPPER_CASE constants; where a label or relationship type varies, a small builder
function checks it against an allow-list first (labels and types cannot be query parameters, so they
are the one thing that would otherwise be formatted into a query). Every value is a parameter.

The queries are Cypher that Neo4j 5 accepts. Where ArcadeDB's Bolt server (the test server) differs,
the difference is in `Dialect`, chosen once per store from the server's agent string.

Graph shape: `(:Actor)-[:PARTICIPATES_IN {role, contribution_amount, contribution_currency}]->(:Project)`,
`(:Actor)-[:LOCATED_IN]->(:County)`, `(:Project)-[:ADDRESSES]->(:Theme)`. Each node and participation
keeps the model's JSON in `data` (what reads return, so both stores give identical records) beside the
snake_case properties that queries use. `(:ActorKey {key, actor_id})` nodes index every identity key of
an actor (first claimant keeps a key); one `(:Meta {key: "innograph"})` node holds the schema and data versions.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.errors import InvalidInput

LABELS = frozenset({"Actor", "Project", "County", "Theme", "ActorKey", "Meta", "Derived"})
RELATIONSHIPS = frozenset({"PARTICIPATES_IN", "LOCATED_IN", "ADDRESSES"})
SCHEMA_VERSION = 1

# (name, label, property) of each uniqueness constraint; the store checks they exist before use.
CONSTRAINTS: tuple[tuple[str, str, str], ...] = (
    ("innograph_actor_id", "Actor", "id"),
    ("innograph_project_id", "Project", "id"),
    ("innograph_county_code", "County", "code"),
    ("innograph_theme_id", "Theme", "id"),
    ("innograph_actor_key", "ActorKey", "key"),
    ("innograph_meta_key", "Meta", "key"),
)
# Range indexes for the filters (county, kind, country, programme) and the participation role.
INDEXES: tuple[tuple[str, str, str], ...] = (
    ("innograph_actor_county", "Actor", "county_code"),
    ("innograph_actor_kind", "Actor", "kind"),
    ("innograph_actor_country", "Actor", "country"),
    ("innograph_actor_name", "Actor", "name"),
    ("innograph_project_programme", "Project", "programme"),
    ("innograph_project_start", "Project", "start"),
)
# Text indexes back `CONTAINS` on the folded search strings (Neo4j 5 only, see `Dialect`).
TEXT_INDEXES: tuple[tuple[str, str, str], ...] = (
    ("innograph_actor_search", "Actor", "search"),
    ("innograph_project_search", "Project", "search"),
)


def label(name: str) -> str:
    """`name` if it is one of our labels; anything else (an injection attempt) is refused."""
    if name not in LABELS:
        raise InvalidInput(f"not an innograph node label: {name!r}")
    return name


def rel_type(name: str) -> str:
    if name not in RELATIONSHIPS:
        raise InvalidInput(f"not an innograph relationship type: {name!r}")
    return name


def _prop(name: str) -> str:
    if not name.isidentifier() or not name.islower():
        raise InvalidInput(f"not a snake_case property name: {name!r}")
    return name


@dataclass(frozen=True)
class Dialect:
    """What differs between the servers we speak to. Chosen from the Bolt agent string, nothing else.

    `text_index`: Neo4j 5 has `CREATE TEXT INDEX`, which backs `CONTAINS` on the search strings.
    ArcadeDB accepts the statement but turns it into a property-type constraint, not an index, and a
    range index cannot serve `CONTAINS`, so there the search strings get no index (search scans).
    """

    name: str
    text_index: bool


NEO4J = Dialect(name="neo4j", text_index=True)
ARCADEDB = Dialect(name="arcadedb", text_index=False)


def dialect_for(agent: str) -> Dialect:
    """`Neo4j/5.26.0` → NEO4J; `Neo4j/5.26.0 compatible (ArcadeDB 26.10.2)` → ARCADEDB."""
    return ARCADEDB if "arcadedb" in agent.lower() else NEO4J


def create_constraint(name: str, node_label: str, prop: str) -> str:
    return (
        f"CREATE CONSTRAINT {_prop(name)} IF NOT EXISTS "
        f"FOR (n:{label(node_label)}) REQUIRE n.{_prop(prop)} IS UNIQUE"
    )


def create_index(name: str, node_label: str, prop: str, text: bool = False) -> str:
    kind = "TEXT INDEX" if text else "INDEX"
    return f"CREATE {kind} {_prop(name)} IF NOT EXISTS FOR (n:{label(node_label)}) ON (n.{_prop(prop)})"


def schema_statements(dialect: Dialect) -> list[str]:
    """What `init_schema()` runs, in order; every statement is safe to run again."""
    out = [create_constraint(*c) for c in CONSTRAINTS]
    out += [create_index(*i) for i in INDEXES]
    if dialect.text_index:
        out += [create_index(*i, text=True) for i in TEXT_INDEXES]
    return out


SHOW_CONSTRAINTS = "SHOW CONSTRAINTS YIELD labelsOrTypes, properties RETURN labelsOrTypes, properties"
# The data version starts at the creation time in milliseconds (`$epoch`), not at 0, so that a
# database emptied and set up again never repeats a version that a running process cached results for.
# `uid` is the database's identity (`GraphStore.identity`), made once with the Meta node.
INIT_META = (
    "MERGE (m:Meta {key: 'innograph'}) ON CREATE SET m.version = $epoch "
    "SET m.schema = coalesce(m.schema, $schema), m.uid = coalesce(m.uid, $uid)"
)
BUMP_VERSION = (
    "MERGE (m:Meta {key: 'innograph'}) ON CREATE SET m.version = $epoch "
    "SET m.version = coalesce(m.version, 0) + 1, m.uid = coalesce(m.uid, $uid)"
)
GET_VERSION = "OPTIONAL MATCH (m:Meta {key: 'innograph'}) RETURN m.version AS version"
GET_IDENTITY = "OPTIONAL MATCH (m:Meta {key: 'innograph'}) RETURN m.uid AS uid"
# Derived data (`GraphStore.write_derived`): base64 text in parts, one node per part, beside the graph.
READ_DERIVED = (
    "MATCH (d:Derived {store: $store, key: $key, version: $version}) RETURN d.part AS part, d.data AS data "
    "ORDER BY part"
)
#: The newest version marked complete (`COMPLETE_KEY`): kept when older versions are dropped.
KEPT_DERIVED = "MATCH (d:Derived {store: $store, key: $complete}) RETURN max(d.version) AS kept"
DROP_DERIVED = (
    "MATCH (d:Derived) WHERE d.store <> $store OR (d.key = $key AND d.version = $version) "
    "OR (d.version < $version AND d.version <> $kept) DETACH DELETE d"
)
WRITE_DERIVED = "UNWIND $parts AS p CREATE (:Derived {store: $store, key: $key, version: $version, part: p.part, data: p.data})"


# -- generic, label checked ---------------------------------------------------------------------
def existing_data(node_label: str, key: str = "id") -> str:
    """`$ids` → (id, data) of the nodes that exist."""
    k = _prop(key)
    return f"UNWIND $ids AS i MATCH (n:{label(node_label)} {{{k}: i}}) RETURN n.{k} AS id, n.data AS data"


def merge_nodes(node_label: str, key: str = "id") -> str:
    """`$rows` of {key, props} → one node each, its properties replaced by `props` (null removes)."""
    k = _prop(key)
    return f"UNWIND $rows AS row MERGE (n:{label(node_label)} {{{k}: row.key}}) SET n += row.props"


def all_data(node_label: str, order: str = "id") -> str:
    return f"MATCH (n:{label(node_label)}) RETURN n.data AS data ORDER BY n.{_prop(order)}"


def count_nodes(node_label: str) -> str:
    return f"MATCH (x:{label(node_label)}) RETURN count(x) AS n"


def count_by(node_label: str, prop: str) -> str:
    """Counts grouped by one property, nulls left out (the caller sorts, as SQLite's ORDER BY does)."""
    p = _prop(prop)
    return f"MATCH (x:{label(node_label)}) WHERE x.{p} IS NOT NULL RETURN x.{p} AS value, count(x) AS n"


def count_relationships(rel: str) -> str:
    return f"MATCH ()-[r:{rel_type(rel)}]->() RETURN count(r) AS n"


# -- writes -------------------------------------------------------------------------------------
MERGE_KEYS = "UNWIND $rows AS row MERGE (k:ActorKey {key: row.key}) ON CREATE SET k.actor_id = row.actor_id"
DELETE_KEY = "MATCH (k:ActorKey {key: $key}) DELETE k"
MOVE_KEYS = "MATCH (k:ActorKey {actor_id: $old}) SET k.actor_id = $new"
DELETE_ACTOR = "MATCH (a:Actor {id: $id}) DETACH DELETE a"
UNLINK_COUNTY = "UNWIND $ids AS i MATCH (:Actor {id: i})-[r:LOCATED_IN]->(:County) DELETE r"
LINK_COUNTY = (
    "UNWIND $rows AS row MATCH (a:Actor {id: row.id}) MATCH (c:County {code: row.county_code}) "
    "MERGE (a)-[:LOCATED_IN]->(c)"
)
LINK_COUNTY_BACK = (
    "UNWIND $codes AS code MATCH (c:County {code: code}) MATCH (a:Actor {county_code: code}) "
    "MERGE (a)-[:LOCATED_IN]->(c)"
)
LINK_THEMES = (
    "UNWIND $rows AS row MATCH (p:Project {id: row.id}) UNWIND row.themes AS tid "
    "MATCH (t:Theme {id: tid}) MERGE (p)-[:ADDRESSES]->(t)"
)
LINK_THEMES_BACK = (
    "UNWIND $ids AS tid MATCH (t:Theme {id: tid}) MATCH (p:Project) WHERE tid IN p.themes "
    "MERGE (p)-[:ADDRESSES]->(t)"
)
EXISTING_PARTICIPATIONS = (
    "UNWIND $ids AS pid MATCH (:Project {id: pid})<-[r:PARTICIPATES_IN]-(a:Actor) "
    "RETURN a.id AS actor_id, pid AS project_id, r.data AS data"
)
EXISTING_IDS = "UNWIND $ids AS i MATCH (n:{label} {{id: i}}) RETURN n.id AS id"


def existing_ids(node_label: str) -> str:
    return EXISTING_IDS.format(label=label(node_label))


MERGE_PARTICIPATIONS = (
    "UNWIND $rows AS row MATCH (a:Actor {id: row.actor_id}) MATCH (p:Project {id: row.project_id}) "
    "MERGE (a)-[r:PARTICIPATES_IN]->(p) SET r += row.props RETURN count(r) AS n"
)

# -- reads --------------------------------------------------------------------------------------
UNITS = "MATCH (a:Actor) WHERE a.part_of = $id RETURN a.data AS data ORDER BY a.id"
ACTOR_BY_KEY = "MATCH (k:ActorKey {key: $key}) MATCH (a:Actor {id: k.actor_id}) RETURN a.data AS data LIMIT 1"
ACTOR_BY_ID = "MATCH (a:Actor {id: $key}) RETURN a.data AS data"
LOOKUP_KEYS = "UNWIND $keys AS k MATCH (x:ActorKey {key: k}) RETURN x.key AS key, x.actor_id AS actor_id"
PROJECT_BY_ID = "MATCH (p:Project {id: $id}) RETURN p.data AS data"


def participations_of(actor: bool, project: bool) -> str:
    """Participations of one actor, one project, both or all; the pattern starts at the node given by id.

    (ArcadeDB's planner uses the id index only for the first node of a pattern; Neo4j does not mind.)
    """
    a = "(a:Actor {id: $actor_id})" if actor else "(a:Actor)"
    p = "(p:Project {id: $project_id})" if project else "(p:Project)"
    pattern = f"{p}<-[r:PARTICIPATES_IN]-{a}" if project and not actor else f"{a}-[r:PARTICIPATES_IN]->{p}"
    return f"MATCH {pattern} RETURN r.data AS data ORDER BY a.id, p.id"


PROJECTS_OF_ACTORS = (
    "UNWIND $ids AS i MATCH (:Actor {id: i})-[:PARTICIPATES_IN]->(p:Project) RETURN DISTINCT p.id AS id"
)
MEMBERS_OF_PROJECTS = (
    "UNWIND $ids AS i MATCH (p:Project {id: i})<-[:PARTICIPATES_IN]-(a:Actor) "
    "RETURN DISTINCT p.id AS project, a.id AS id"
)
# Starts at the project given by id (ArcadeDB uses an id index only for a pattern's first node).
PARTICIPATIONS_OF_PROJECTS = (
    "UNWIND $ids AS i MATCH (:Project {id: i})<-[r:PARTICIPATES_IN]-(a:Actor) "
    "WHERE a.id IN $actors RETURN r.data AS data ORDER BY i, a.id"
)


def search_actors(
    words: int, county: bool, kind: bool, country: bool, programme: bool, theme: bool
) -> tuple[str, str]:
    """(count query, page query) for actor search; `words` is how many `$w0`, `$w1`, … must all occur.

    Ranking as in the embedded store: the exact name or alias first, then names starting with the
    query, then by name and id.
    """
    where = [f"a.search CONTAINS $w{i}" for i in range(words)]
    where += [
        c
        for c, on in (
            ("a.county_code IN $county", county),
            ("a.kind IN $kind", kind),
            ("a.country IN $country", country),
            (
                "EXISTS { MATCH (a)-[:PARTICIPATES_IN]->(j:Project) WHERE j.programme IN $programme }",
                programme,
            ),
            (
                "EXISTS { MATCH (a)-[:PARTICIPATES_IN]->(j:Project) WHERE any(t IN j.themes WHERE t IN $theme) }",
                theme,
            ),
        )
        if on
    ]
    match = "MATCH (a:Actor)" + (" WHERE " + " AND ".join(where) if where else "")
    count = match + " RETURN count(a) AS n"
    page = (
        match + " RETURN a.data AS data ORDER BY (a.search = $q OR a.search STARTS WITH $q_alias "
        "OR a.search CONTAINS $q_mid OR a.search ENDS WITH $q_end) DESC, "
        "a.search STARTS WITH $q DESC, a.name, a.id SKIP $offset LIMIT $limit"
    )
    return count, page


def search_projects(words: int, programme: bool, theme: bool, actor: bool) -> tuple[str, str]:
    """(count query, page query); newest first (no start date last), then by id."""
    where = [f"j.search CONTAINS $w{i}" for i in range(words)]
    where += [
        c
        for c, on in (
            ("j.programme IN $programme", programme),
            ("any(t IN j.themes WHERE t IN $theme)", theme),
            ("EXISTS { MATCH (:Actor {id: $actor})-[:PARTICIPATES_IN]->(j) }", actor),
        )
        if on
    ]
    match = "MATCH (j:Project)" + (" WHERE " + " AND ".join(where) if where else "")
    return (
        match + " RETURN count(j) AS n",
        match + " RETURN j.data AS data ORDER BY coalesce(j.start, '') DESC, j.id SKIP $offset LIMIT $limit",
    )
