"""Hostile requests to the API's inputs that take whole texts: POST /calls (JSON or text bodies) and
GET /calls?topics=…. Each is refused with a status the schema documents and one readable detail (with
the line of the body at fault), never a 500; the store is not touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.calls import CallTopic, parse_calls
from graph.settings import Settings

from .conftest import store_hash

JSON = {"content-type": "application/json"}
TEXT = {"content-type": "text/plain"}


@pytest.fixture
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=db)), raise_server_exceptions=False) as c:
        yield c


POSTS = [
    ("deep-json-body", b'{"topics": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", JSON, 422, "recursion limit"),
    (
        "deep-jsonl-text",
        b'{"code": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        TEXT,
        422,
        "body:1: JSON nested too deep",
    ),
    ("body-over-5mb", b"x" * 5_000_001, TEXT, 413, "larger than 5,000,000 bytes"),
    ("xml-body", b"<topics/>", {"content-type": "application/xml"}, 415, "application/json or text/plain"),
    ("binary-text", b"\x00\x01\x02" * 100, TEXT, 422, "body: not a CSV or JSONL text (binary content)"),
    ("not-utf8-text", "code,title\nA-1,Växjö\n".encode("latin-1"), TEXT, 422, "body: not UTF-8 text"),
    ("unbalanced-quote", b'code,title\nA-1,"open\nB-2,x\n', TEXT, 422, 'body:2: unbalanced quote (")'),
    ("title-number-inf", b'{"topics": [{"code": "A", "title": 1e400}]}', JSON, 422, "valid string"),
    (
        "title-too-long",
        b'{"topics": [{"code": "A", "title": "' + b"x" * 2000 + b'"}]}',
        JSON,
        422,
        "at most 1000",
    ),
    ("code-dict-jsonl", b'{"code": {"a": 1}, "title": "x"}\n', TEXT, 422, "body:1: code is a mapping"),
    ("no-topics", b'{"topics": []}', JSON, 422, "at least 1"),
    ("blank-text", b"  \n ", TEXT, 422, "body: empty"),
]


@pytest.mark.parametrize(
    ("body", "headers", "status", "said"), [p[1:] for p in POSTS], ids=[p[0] for p in POSTS]
)
def test_hostile_call_lists_posted(
    client: TestClient, db: Path, body: bytes, headers: dict[str, str], status: int, said: str
) -> None:
    before = store_hash(db)
    r = client.post("/calls", content=body, headers=headers)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    detail = r.json()["detail"]
    said_as = detail if isinstance(detail, str) else " ".join(e["msg"] for e in detail)
    assert said in said_as and "Traceback" not in r.text
    assert store_hash(db) == before


def test_hostile_topics_in_a_query(client: TestClient) -> None:
    for topics, said in [
        ('code,title\nA-1,"open\nB-2,x\n', 'topics:2: unbalanced quote (")'),
        ('{"code": ' + "[" * 10_000 + "]" * 10_000 + "}", "topics:1: JSON nested too deep"),
        ('{"code": 1e400}', "topics:1: code is a number"),
    ]:
        r = client.get("/calls", params={"topics": topics})
        assert r.status_code == 422 and said in r.json()["detail"], r.text
        page = client.get("/views/calls", params={"topics": topics})
        assert page.status_code == 200 and "html" in page.headers["content-type"]
        assert said.replace('"', "&#34;") in page.text or said.replace('"', "&quot;") in page.text


def test_control_characters_never_reach_a_topic() -> None:
    """Terminal escapes, an RTL override and a BEL in a call list are removed however the list arrives."""
    (t,) = parse_calls("code,title\nA-1\u202e,\x1b[31mBattery\x1b[0m storage\x07\n", "calls")
    assert (t.code, t.title) == ("A-1", "[31mBattery[0m storage")
    j = CallTopic.model_validate_json(
        '{"code": "B\\u001b[2J", "title": "x\\u200b", "description": "a\\nb\\u0007"}'
    )
    assert (j.code, j.title, j.description) == ("B[2J", "x", "a\nb")


# Tricky values for the parameters with a vocabulary: the schema's pattern and the API must agree on
# each (found by schemathesis: blank values, white space, commas, case, a tab, a non-breaking space).
TRICKY = [
    "",
    " ",
    "10",
    " 10 ",
    "\t10\n",
    "10,12",
    "10,,12",
    "1012",
    "10 12",
    "\xa010",
    "south",
    "SOUTH-sweden",
    "all",
    "23  ",
    "se",
    " se ",
    "SE,dk",
    "s e",
    "xyz",
    "company",
    "company,sme",
    "en",
    " SV ",
    "de",
]
PARAMS = [
    ("/actors", "county"),
    ("/actors", "country"),
    ("/analysis/centrality", "county"),
    ("/funding/untapped", "county"),
    ("/partners", "country"),
    ("/partners", "exclude_country"),
    ("/partners", "kind"),
    ("/partners", "favour_county"),
    ("/calls", "county"),
    ("/views/counties", "lang"),
]


@pytest.mark.parametrize(("path", "name"), PARAMS, ids=[f"{p} {n}" for p, n in PARAMS])
def test_the_schema_and_the_api_agree_on_every_value(client: TestClient, path: str, name: str) -> None:
    import re

    (param,) = [
        p for p in client.get("/openapi.json").json()["paths"][path]["get"]["parameters"] if p["name"] == name
    ]
    schema = param["schema"]
    pattern = (schema.get("items") or schema)["pattern"]
    base = {"county": "10"} if path == "/funding/untapped" and name != "county" else {}
    if path == "/partners" and name != "favour_county":
        base = {"topic": "battery"}
    disagree = []
    for value in TRICKY:
        allowed = re.search(pattern, value) is not None
        r = client.get(
            path, params={**base, name: value, **({"topic": "battery"} if path == "/partners" else {})}
        )
        assert r.status_code != 500, (value, r.text)
        if allowed != (r.status_code != 422):
            disagree.append((value, allowed, r.status_code, r.text[:120]))
    assert disagree == []


def test_the_longest_url_the_schema_allows_reaches_the_app(db: Path) -> None:
    """GET /calls?topics= up to 200,000 characters is schema-valid: a real server answers it (here a 422
    naming the line, the title being too long) instead of resetting the connection (h11's 16 KB)."""
    import json
    import sys
    import urllib.error
    import urllib.parse
    import urllib.request

    sys.path.insert(0, str(Path(__file__).parent.parent))
    from api_server import serve_api

    with serve_api(db) as url:  # urllib: httpx itself refuses a query over 64 KB
        try:
            urllib.request.urlopen(
                f"{url}/calls?topics=" + urllib.parse.quote("\u00e4" * 199_000), timeout=60
            )
            raise AssertionError("a 199,000-character title was accepted")
        except urllib.error.HTTPError as e:
            status, detail = e.code, json.loads(e.read())["detail"]
    assert status == 422 and detail.startswith("topics:1: title has 199,000 characters"), detail
