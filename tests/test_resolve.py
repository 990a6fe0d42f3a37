"""Entity resolution: each rule, the guards that keep precision, the alias file and the review report."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli
from graph.errors import InvalidInput
from graph.model import Actor, Participation, Project, SourceRef
from graph.store.sqlite import SqliteStore
from ingest.enrich import orgnr_from_vat, place_name, swedish_place
from ingest.pipeline import SourceBatch, commit
from ingest.resolve import (
    Aliases,
    Resolver,
    explain_merges,
    fuzzy_refusal,
    load_aliases,
    match_key,
    near_misses,
    normalise_name,
)


def _actor(aid: str, name: str, country: str | None = "SE", source: str = "interreg", **kw: object) -> Actor:
    return Actor(
        id=aid, name=name, country=country, sources=[SourceRef(source=source, record=aid, name=name)], **kw
    )  # type: ignore[arg-type]


def _batch(source: str, *actors: Actor) -> SourceBatch:
    b = SourceBatch(source=source, actors=list(actors))
    b.projects = [Project(id=f"{source}:p", title="p", programme="X")]
    b.participations = [Participation(actor_id=a.id, project_id=f"{source}:p") for a in actors]
    return b


def test_normalisation() -> None:
    assert normalise_name("Länsstyrelsen I Blekinge län") == normalise_name("Länsstyrelsen Blekinge")
    assert normalise_name("Techtank AB") == "techtank"
    assert (
        match_key("GOETEBORGS UNIVERSITET") == match_key("Göteborgs universitet") == "goteborgs universitet"
    )
    assert match_key("Högskolan i Halmstad") == match_key("HOGSKOLAN HALMSTAD")
    assert orgnr_from_vat("SE202100401101") == "202100-4011"
    assert orgnr_from_vat("SE20210040110") is None and orgnr_from_vat("DE202100401101") is None
    assert swedish_place(nuts="SE224") == {"county_code": "12", "nuts3": "SE224"}
    assert swedish_place(county_name="Kalmar län", city="Växjö") == {"county_code": "08", "nuts3": "SE213"}
    assert swedish_place(city="VÄXJÖ") == {"municipality": "Växjö", "county_code": "07", "nuts3": "SE212"}
    # a phone number or a dash in CORDIS's city column is no second city for the city guard
    assert (
        place_name("+4930209346295") is None and place_name("-") is None and place_name("Berlin") == "Berlin"
    )


def test_rules_in_order(store: SqliteStore) -> None:
    commit(
        store,
        _batch(
            "cordis",
            _actor("cordis:999589172", "BLEKINGE TEKNISKA HOGSKOLA", source="cordis", pic="999589172"),
            _actor("cordis:999613422", "RISE RESEARCH INSTITUTES OF SWEDEN AB", source="cordis"),
            _actor("cordis:913886083", "Länsstyrelsen Västerbotten", source="cordis"),
        ),
    )
    r = Resolver(store, aliases=load_aliases())
    m = r.resolve(_actor("x:1", "Blekinge Tekniska Högskola", pic="999589172"))
    assert m is not None and (m.actor_id, m.rule) == ("cordis:999589172", "key")
    m = r.resolve(_actor("x:2", "Blekinge Tekniska Högskola"))
    assert m is not None and (m.actor_id, m.rule, m.evidence) == (
        "cordis:999589172",
        "name",
        "blekinge tekniska hogskola",
    )
    m = r.resolve(_actor("x:3", "Blekinge Institute of Technology"))  # the glossary of name_rules.yaml
    assert m is not None and (m.actor_id, m.rule) == ("cordis:999589172", "variant")
    m = r.resolve(_actor("x:3b", "BLEKINGE INSTITUTE TECHNOLOGY BTH"))
    assert m is not None and (m.actor_id, m.rule) == ("cordis:999589172", "alias-file")
    m = r.resolve(_actor("x:4", "Länsstyrelsen I Västerbottens Län"))  # genitive s
    assert m is not None and (m.actor_id, m.rule) == ("cordis:913886083", "variant")
    m = r.resolve(_actor("x:4b", "Länsstyrelsen Västerbottten"))
    assert m is not None and (m.actor_id, m.rule) == ("cordis:913886083", "fuzzy") and m.score >= 93
    assert r.resolve(_actor("x:5", "Blekinge Tekniska Högskola", country="NO")) is None  # another country


def test_guards_keep_precision(store: SqliteStore) -> None:
    commit(
        store,
        _batch(
            "interreg",
            _actor("i:region-skane", "Region Skåne"),
            _actor("i:pavia", "Universita degli Studi di Pavia", country="IT"),
            _actor("i:hallands", "Hushållningssällskapet Hallands"),
            _actor("i:vat", "Acme Sweden", vat="SE556000000101"),
            _actor("i:almi", "Almi Företagspartner Blekinge", aliases=["Almi"]),
        ),
    )
    r = Resolver(store, aliases=Aliases())
    assert r.resolve(_actor("x:1", "Region Skåne Ängelholms sjukhus")) is None
    assert r.resolve(_actor("x:2", "Universita degli Studi di Padova", country="IT")) is None
    assert r.resolve(_actor("x:3", "Hushållningssällskapet Jämtlands")) is None
    assert r.resolve(_actor("x:4", "Acme Sweden", vat="SE556999999901")) is None  # same name, other VAT
    assert r.resolve(_actor("x:5", "Almi", aliases=[])) is None  # acronyms/short names never match
    assert any("different VAT numbers" in n.reason for n in r.near_misses)
    assert fuzzy_refusal("studi di pavia", "studi di padova", 95.0) == "words differ: pavia / padova"
    assert (
        fuzzy_refusal("region skane", "region skane angelholms sjukhus", 95.0) == "different number of words"
    )


def test_vat_does_not_join_two_pics(store: SqliteStore) -> None:
    commit(
        store,
        _batch(
            "cordis",
            _actor(
                "cordis:111111111",
                "Bayerische Staatsbibliothek",
                country="DE",
                source="cordis",
                pic="111111111",
                vat="DE811335517",
            ),
        ),
    )
    r = Resolver(store, aliases=Aliases())
    other = _actor(
        "cordis:222222222",
        "Landesamt fuer Gesundheit",
        country="DE",
        source="cordis",
        pic="222222222",
        vat="DE811335517",
    )
    assert r.resolve(other) is None
    no_pic = _actor("csv:bsb", "BSB", country="DE", source="csv", vat="DE811335517")
    m = r.resolve(no_pic)
    assert m is not None and (m.actor_id, m.rule) == ("cordis:111111111", "key")


def test_alias_file_same_and_different(tmp_path: Path, store: SqliteStore) -> None:
    f = tmp_path / "aliases.yaml"
    f.write_text(
        """
same:
  - names: ["SP Sveriges Tekniska Forskningsinstitut", "RISE Research Institutes of Sweden"]
    keys: ["cordis:999613422"]
    country: SE
    reason: former name
different:
  - a: "interreg-org:rise-x"
    b: "cordis:999613422"
    reason: not the same
""",
        encoding="utf-8",
    )
    aliases = load_aliases(f)
    commit(
        store,
        _batch(
            "cordis",
            _actor("cordis:999613422", "SP SVERIGES TEKNISKA FORSKNINGSINSTITUT AB", source="cordis"),
        ),
    )
    r = Resolver(store, aliases=aliases)
    m = r.resolve(_actor("interreg-org:rise", "RISE Research Institutes of Sweden"))
    assert m is not None and (m.actor_id, m.rule, m.evidence) == (
        "cordis:999613422",
        "alias-file",
        "former name",
    )
    assert (
        r.resolve(_actor("interreg-org:rise-x", "RISE Research Institutes of Sweden")) is None
    )  # never-merge wins
    assert any("alias file: different" in n.reason for n in r.near_misses)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("same: [{country: SE}]", "same entry 1: needs 'names' or 'keys'"),
        ("different: [{a: x}]", "different entry 1"),
        ("- a\n- b", "expected the sections"),
    ],
)
def test_bad_alias_file(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "aliases.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        load_aliases(f)


def test_bundled_alias_file_loads() -> None:
    a = load_aliases()
    assert any("cordis:999589172" in g.keys for g in a.same)


def test_report_explains_merges_and_near_misses(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    s = SqliteStore(db)
    s.init_schema()
    commit(
        s,
        _batch(
            "cordis",
            _actor("cordis:999589172", "BLEKINGE TEKNISKA HOGSKOLA", source="cordis", pic="999589172"),
            _actor("cordis:913886083", "Länsstyrelsen Västerbotten", source="cordis"),
        ),
    )
    commit(
        s,
        _batch(
            "interreg",
            _actor("interreg-org:bth", "Blekinge Institute of Technology"),
            _actor("interreg-org:lst", "Länsstyrelsen I Västerbottens Län"),
            _actor("interreg-org:hh", "Hushållningssällskapet Hallands"),
            _actor("interreg-org:hj", "Hushållningssällskapet Jämtlands"),
        ),
    )
    rows = {d.other_record: d for a in s.iter_actors() for d in explain_merges(a, load_aliases())}
    assert (  # name_rules.yaml's glossary: institute of technology = tekniska högskola
        rows["interreg-org:bth"].rule == "variant" and rows["interreg-org:bth"].actor_id == "cordis:999589172"
    )
    assert rows["interreg-org:lst"].rule == "variant"  # a genitive s
    near = near_misses(s.iter_actors())
    assert [(d.actor_id, d.other_record) for d in near] == [("interreg-org:hh", "interreg-org:hj")]
    s.close()
    out = tmp_path / "review.csv"
    res = CliRunner().invoke(cli, ["resolve", "--report", "--out", str(out), "--db", str(db)])
    assert res.exit_code == 0, res.output
    got = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["kind"], r["other_record"], r["rule"]) for r in got] == [
        ("merge", "interreg-org:lst", "variant"),  # actors in id order: cordis:913886083 first
        ("merge", "interreg-org:bth", "variant"),
        ("near-miss", "interreg-org:hj", "fuzzy"),
    ]
    assert "2 merges (variant 2), 1 near-misses, 0 names to fix" in res.output
    assert CliRunner().invoke(cli, ["resolve", "--db", str(db)]).exit_code != 0


def test_same_name_two_pics_two_cities_stay_apart(store: SqliteStore) -> None:
    def innova(pic: str, city: str | None, vat: str | None = None) -> Actor:
        return _actor(
            f"cordis:{pic}", "INNOVA SRL", country="IT", source="cordis", pic=pic, city=city, vat=vat
        )

    commit(store, _batch("cordis", innova("999787052", None)))  # H2020: no city, no VAT
    # Horizon Europe: the same PIC now with its VAT and city, and another INNOVA SRL in another town.
    # The known PIC is resolved first, so its city and VAT are there when the other one is compared.
    r = commit(
        store,
        _batch("horizon", innova("905209821", "STORO TN"), innova("999787052", "Roma", "IT05066661009")),
    )
    assert r.resolved == {} and store.stats().actors == 2
    r = Resolver(store, aliases=Aliases())
    m = r.resolve(innova("911111111", "ROMA"))
    assert m is not None and (m.actor_id, m.rule) == ("cordis:999787052", "name")


@pytest.mark.parametrize("order", [("h2020", "horizon"), ("horizon", "h2020")])
def test_a_real_name_replaces_a_pic_used_as_name(tmp_path: Path, order: tuple[str, str]) -> None:
    s = SqliteStore(tmp_path / "g.db")
    s.init_schema()
    named = {
        "h2020": _actor("cordis:999628263", "999628263", country="AT", source="cordis", pic="999628263"),
        "horizon": _actor(
            "cordis:999628263", "OSTERREICHISCHE NATIONALBIBLIOTHEK", country="AT", source="cordis"
        ),
    }
    for o in order:
        commit(s, _batch(o, named[o]))
    a = s.get_actor("pic:999628263")
    assert (a.name, a.aliases) == ("OSTERREICHISCHE NATIONALBIBLIOTHEK", [])
    s.close()


def _cordis(pic: str, name: str | None, file: str, **kw: object) -> Actor:
    from graph.text import unnamed

    return Actor(
        id=f"cordis:{pic}",
        name=name or unnamed(pic),
        pic=pic,
        sources=[SourceRef(source="cordis", record=f"cordis:{pic}", name=name, file=file)],
        **kw,
    )  # type: ignore[arg-type]


def _order_sources() -> dict[str, SourceBatch]:
    """Small versions of the real cases where the loading order used to decide the actors: a nameless
    H2020 row of a state agency (Polismyndigheten), its named Horizon Europe row and SCB's record; a
    nameless PIC whose named row arrives after a namesake PIC; a company renamed between H2020 and
    Horizon Europe while ERDF knows both names (Norrbottens Energikontor / Energikontor Norr); two PICs
    of one name whose Horizon Europe rows give two VAT numbers (Essilor International SAS / SA), one of
    them nameless in H2020; a PIC whose VAT number changed between the downloads while a second PIC of
    the same company has the new one (F. Hoffmann-La Roche); a university's PIC without a city in H2020
    and a namesake PIC in another city (the city guard weighs both rows of the first PIC)."""
    police = {"vat": "SE202100007601", "orgnr": "202100-0076", "country": "SE"}
    essilor = {"name": "ESSILOR INTERNATIONAL SA", "country": "FR"}
    roche = {"name": "F. HOFFMANN-LA ROCHE AG", "country": "CH", "city": "Basel"}
    uni = {"name": "UNIVERSITAET WESTSTADT", "country": "DE"}
    return {
        "h2020": _batch(
            "cordis",
            _cordis("921186788", file="h2020", name=None),
            _cordis("997893806", file="h2020", name=None),
            _cordis("900925331", file="h2020", name="ONTOTEXT AD", country="BG", city="Sofia"),
            _cordis("965234003", file="h2020", name="NORRBOTTENS ENERGIKONTOR AB", country="SE"),
            _cordis("905770190", file="h2020", name=None),
            _cordis("998323225", file="h2020", **essilor),
            _cordis("999601782", file="h2020", vat="CH118241", **roche),
            _cordis("999850700", file="h2020", **uni),
        ),
        "horizon-europe": _batch(
            "cordis",
            _cordis("921186788", file="he", name="POLISMYNDIGHETEN SWEDISH POLICE AUTHORITY", **police),
            _cordis("997893806", file="he", name="ONTOTEXT AD", country="BG"),
            _cordis("965234003", file="he", name="Energikontor Norr AB", country="SE"),
            _cordis("905770190", file="he", vat="FR43439769654", **essilor),
            _cordis("998323225", file="he", vat="FR25712049618", **essilor),
            _cordis("892933501", file="he", vat="CHE116267986MWST", **roche),
            _cordis("999601782", file="he", vat="CHE116267986MWST", **roche),
            _cordis("891055800", file="he", city="Potsdam", **uni),
            _cordis("999850700", file="he", city="Berlin", **uni),
        ),
        "agencies": _batch(
            "scb-agencies",
            _actor("se-org:2021000076", "POLISMYNDIGHETEN", source="scb-agencies", orgnr="202100-0076"),
        ),
        "erdf": _batch(
            "erdf",
            _actor("erdf-org:norrbottens-energikontor", "Norrbottens Energikontor AB", source="erdf"),
            _actor("erdf-org:energikontor-norr", "Energikontor Norr", source="erdf"),
        ),
    }


def test_loading_order_never_changes_the_actors(tmp_path: Path) -> None:
    """Every order of the four sources gives the same actors (each as the set of its source records),
    because a record that proves two stored actors are one makes the store merge them."""
    import itertools

    def groups(order: tuple[str, ...]) -> set[frozenset[str]]:
        s = SqliteStore(tmp_path / f"{'-'.join(order)}.db")
        s.init_schema()
        sources = _order_sources()
        for name in order:
            commit(s, sources[name])
        out = {frozenset(x.record for x in a.sources) for a in s.iter_actors()}
        s.close()
        return out

    orders = list(itertools.permutations(["h2020", "horizon-europe", "agencies", "erdf"]))
    first = groups(orders[0])
    assert {
        "cordis:921186788",
        "se-org:2021000076",
    } in first  # the agency, whichever source came first
    assert frozenset({"cordis:997893806", "cordis:900925331"}) in first
    assert (
        frozenset({"cordis:965234003", "erdf-org:norrbottens-energikontor", "erdf-org:energikontor-norr"})
        in first
    )
    assert {frozenset({"cordis:905770190"}), frozenset({"cordis:998323225"})} <= first  # two VAT numbers
    assert frozenset({"cordis:999601782", "cordis:892933501"}) in first  # one PIC never splits
    assert {frozenset({"cordis:999850700"}), frozenset({"cordis:891055800"})} <= first  # two cities
    for order in orders[1:]:
        assert groups(order) == first, order
