"""Calls matched to the region (`graph.calls`, `innograph calls match`, `/calls`) on the crafted graph.

The crafted graph of tests/test_partners.py: MUNI (Blekinge, county 10) coordinated DIGIPLAT
"Digital platform for manufacturing" and sat in ESTORE "Energy storage materials"; SKANE (county 12)
in S3LAB "Regional smart specialisation lab"; OCEAN (FR) in the two marine robotics projects.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from test_partners import MUNI, OCEAN, SKANE, _fill

from api.app import create_app
from api.cli import cli
from graph.calls import match_actor, match_calls, parse_calls, read_calls
from graph.errors import InvalidInput
from graph.partners import partner_index
from graph.settings import Settings
from graph.store.sqlite import SqliteStore

CALLS_CSV = (
    '"projectID";"topic";"title"\n'
    '"1";"HORIZON-CL4-2024-TWIN-01-01";"Digital platforms for manufacturing"\n'
    '"2";"HORIZON-CL4-2024-TWIN-01-01";"Digital platforms for manufacturing"\n'
    '"3";"HORIZON-CL5-2024-D2-01-03";"Energy storage materials for batteries"\n'
    '"4";"HORIZON-CL6-2024-BIODIV-01";"Marine robotics for healthy oceans"\n'
)


@pytest.fixture
def crafted(store: SqliteStore) -> SqliteStore:
    _fill(store)
    return store


@pytest.fixture
def calls_csv(tmp_path: Path) -> Path:
    p = tmp_path / "topics.csv"
    p.write_text(CALLS_CSV, encoding="utf-8")
    return p


def test_read_calls_csv_one_topic_per_code(calls_csv: Path) -> None:
    calls = read_calls(calls_csv)
    assert [c.code for c in calls] == [
        "HORIZON-CL4-2024-TWIN-01-01",
        "HORIZON-CL5-2024-D2-01-03",
        "HORIZON-CL6-2024-BIODIV-01",
    ]
    assert calls[0].title == "Digital platforms for manufacturing"


def test_read_calls_jsonl_and_funding_tenders_columns(tmp_path: Path) -> None:
    p = tmp_path / "ft.jsonl"
    p.write_text(
        json.dumps(
            {
                "identifier": "HORIZON-CL5-2025-D3-01-05",
                "title": "Offshore wind",
                "deadlineDate": "2025-09-02",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    (c,) = read_calls(p)
    assert (c.code, c.title, c.deadline) == ("HORIZON-CL5-2025-D3-01-05", "Offshore wind", "2025-09-02")
    ft = tmp_path / "ft.csv"
    ft.write_text(
        "Topic identifier,Topic title,Deadline\nHORIZON-X-1,Batteries,2025-01-01\n", encoding="utf-8"
    )
    assert read_calls(ft)[0].code == "HORIZON-X-1"


def test_bad_call_files_say_where(tmp_path: Path) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_text('{"code": "A-1", "title": "x"}\n{oops\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"bad.jsonl:2: not JSON"):
        read_calls(p)
    q = tmp_path / "nohead.csv"
    q.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"nohead.csv:1: no topic code or title"):
        read_calls(q)
    with pytest.raises(InvalidInput, match="no such file"):
        read_calls(tmp_path / "missing.csv")


def test_pasted_lines() -> None:
    calls = parse_calls("HORIZON-CL5-2024-D2-01-03 Energy storage\nsmart specialisation labs\n")
    assert [(c.code, c.title) for c in calls] == [
        ("HORIZON-CL5-2024-D2-01-03", "Energy storage"),
        ("smart specialisation labs", "smart specialisation labs"),
    ]


def test_match_calls_ranks_the_county_actor_with_evidence_and_partners(
    crafted: SqliteStore, calls_csv: Path
) -> None:
    index = partner_index(crafted)
    r = match_calls(index, read_calls(calls_csv), ["10"])
    codes = [t.code for t in r.topics]
    # MUNI (Blekinge) fits manufacturing platforms and energy storage, not marine robotics.
    assert codes[:2] == ["HORIZON-CL4-2024-TWIN-01-01", "HORIZON-CL5-2024-D2-01-03"] or set(codes) == {
        "HORIZON-CL4-2024-TWIN-01-01",
        "HORIZON-CL5-2024-D2-01-03",
    }
    assert "HORIZON-CL6-2024-BIODIV-01" not in codes
    top = r.topics[0]
    assert top.actors[0].actor_id == MUNI
    assert top.actors[0].evidence[0].startswith("1 past project on the topic")
    assert all(p.country != "SE" for t in r.topics for p in t.partners)
    # Skåne's lab fits none of these three topics.
    assert match_calls(index, read_calls(calls_csv), ["12"]).topics == []


def test_match_actor_lists_its_topics(crafted: SqliteStore, calls_csv: Path) -> None:
    index = partner_index(crafted)
    r = match_actor(index, read_calls(calls_csv), index.actor_pos[OCEAN])
    assert [t.code for t in r.topics] == ["HORIZON-CL6-2024-BIODIV-01"]
    assert "2 past projects on the topic" in r.topics[0].actors[0].evidence[0]
    assert SKANE not in {a.actor_id for t in r.topics for a in t.actors}


def test_cli_calls_match(crafted: SqliteStore, calls_csv: Path) -> None:
    res = CliRunner().invoke(
        cli, ["calls", "match", str(calls_csv), "--county", "10", "--json", "--db", str(crafted.path)]
    )
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout)
    assert body["topics"][0]["actors"][0]["name"] == "Member University"
    res = CliRunner().invoke(
        cli, ["calls", "match", str(calls_csv), "--actor", OCEAN, "--db", str(crafted.path)]
    )
    assert res.exit_code == 0 and "HORIZON-CL6-2024-BIODIV-01" in res.stdout
    res = CliRunner().invoke(
        cli, ["calls", "match", str(calls_csv), "--county", "99", "--db", str(crafted.path)]
    )
    assert res.exit_code != 0 and "unknown county code '99'" in str(res.exception or res.output)


def test_api_calls(crafted: SqliteStore, calls_csv: Path) -> None:
    client = TestClient(create_app(Settings(db=crafted.path), store=crafted))
    r = client.get(
        "/calls",
        params={"code": "HORIZON-CL5-2024-D2-01-03", "title": "Energy storage materials", "county": "10"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["topics"][0]["actors"][0]["actor_id"] == MUNI
    r = client.post(
        "/calls", params={"county": "10"}, content=CALLS_CSV, headers={"Content-Type": "text/plain"}
    )
    assert r.status_code == 200, r.text
    assert len(r.json()["topics"]) == 2
    # The same topics as JSON (the body's schema is the pydantic model CallList).
    r = client.post(
        "/calls",
        params={"county": "10"},
        json={"topics": [{"code": "HORIZON-CL5-2024-D2-01-03", "title": "Energy storage materials"}]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["topics"][0]["actors"][0]["actor_id"] == MUNI
    # A JSON body without a topic, an empty text body, or another media type: refused, saying why.
    r = client.post("/calls", json={"topics": []})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:2] == ["body", "topics"]
    r = client.post("/calls", content=b"  ", headers={"Content-Type": "text/plain"})
    assert r.status_code == 422 and "give at least one call topic" in r.json()["detail"]
    r = client.post("/calls", content=b"<x/>", headers={"Content-Type": "application/xml"})
    assert r.status_code == 415
    r = client.post("/calls", content=b"\x80", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "json_invalid"
    # A method the path does not take: 405 naming every method it does take (two routes here).
    r = client.put("/calls")
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
    # No topic at all over GET (every parameter is optional): nobody is matched and the answer says why.
    r = client.get("/calls")
    assert r.status_code == 200 and r.json()["topics"] == []
    assert "give at least one call topic" in r.json()["message"]
    page = client.get(
        "/views/calls",
        params={"topics": "HORIZON-CL5-2024-D2-01-03 Energy storage materials", "county": "10"},
    )
    assert page.status_code == 200 and "Member University" in page.text and "not seen" in page.text
    sv = client.get(
        "/views/calls",
        params={"topics": "HORIZON-CL5-2024-D2-01-03 Energy storage materials", "county": "10", "lang": "sv"},
    )
    assert sv.status_code == 200 and "Utlysningar matchade mot regionen" in sv.text
    assert "syns inte" in sv.text and "Bäst passande ämnen först" in sv.text
    assert "Best-fitting" not in sv.text and "Call topics, one per line" not in sv.text


def test_a_pasted_line_of_codes_is_one_topic_per_code() -> None:
    from graph.calls import parse_calls

    got = parse_calls(
        "HORIZON-CL5-2023-D3-01-05,HORIZON-CL5-2022-D5-01-03; HORIZON-CL4-2021-DIGITAL-EMERGING-01-09"
    )
    assert [t.code for t in got] == [
        "HORIZON-CL5-2023-D3-01-05",
        "HORIZON-CL5-2022-D5-01-03",
        "HORIZON-CL4-2021-DIGITAL-EMERGING-01-09",
    ]
    one = parse_calls("HORIZON-CL5-2023-D3-01-05 Next-generation offshore wind, floating")
    assert [(t.code, t.title) for t in one] == [
        ("HORIZON-CL5-2023-D3-01-05", "Next-generation offshore wind, floating")
    ]
