"""`innograph fetch cordis` against a local HTTP server on loopback: resume with Range, sha256 pinned."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli
from ingest.cordis import load_cordis
from ingest.fetch import FetchError, fetch

HORIZON = Path(__file__).parent / "fixtures" / "sources" / "cordis-horizon"


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:  # stored: big enough to cut mid-way
        for p in sorted(HORIZON.iterdir()):
            zf.write(p, p.name)
    return buf.getvalue()


class _Server:
    """Serves one file; can cut the first N transfers short; honours `Range: bytes=N-`."""

    def __init__(self, payload: bytes, cut_first: int = 0, honour_range: bool = True) -> None:
        self.payload = payload
        self.cuts_left = cut_first
        self.honour_range = honour_range
        self.requests: list[str | None] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if self.path != "/cordis-HORIZONprojects-csv.zip":
                    self.send_error(404)
                    return
                rng = self.headers.get("Range")
                outer.requests.append(rng)
                start = int(rng.split("=")[1].rstrip("-")) if rng and outer.honour_range else 0
                body = outer.payload[start:]
                if start:
                    self.send_response(206)
                    self.send_header(
                        "Content-Range", f"bytes {start}-{len(outer.payload) - 1}/{len(outer.payload)}"
                    )
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if outer.cuts_left:
                    outer.cuts_left -= 1
                    self.wfile.write(body[: len(body) // 3])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/cordis-HORIZONprojects-csv.zip"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def payload() -> Iterator[bytes]:
    yield _zip()


def test_resumes_with_range_and_pins_sha256(tmp_path: Path, payload: bytes) -> None:
    with _Server(payload, cut_first=2) as srv:
        pinned = fetch(srv.url, tmp_path, retries=3, backoff=0.0)
    assert srv.requests[0] is None and srv.requests[1] is not None and srv.requests[1].startswith("bytes=")
    assert len(srv.requests) == 3 and pinned.resumed == 2
    data = (tmp_path / "cordis-HORIZONprojects-csv.zip").read_bytes()
    assert data == payload
    assert pinned.sha256 == hashlib.sha256(payload).hexdigest()
    meta = json.loads((tmp_path / "cordis-HORIZONprojects-csv.zip.json").read_text())
    assert (meta["bytes"], meta["sha256"], meta["url"]) == (len(payload), pinned.sha256, srv.url)
    assert meta["downloaded_at"].endswith("+00:00")
    assert not (tmp_path / "cordis-HORIZONprojects-csv.zip.part").exists()
    assert len(load_cordis(tmp_path / "cordis-HORIZONprojects-csv.zip").projects) == 2


def test_server_without_range_starts_over(tmp_path: Path, payload: bytes) -> None:
    with _Server(payload, cut_first=1, honour_range=False) as srv:
        pinned = fetch(srv.url, tmp_path, retries=2, backoff=0.0)
    assert pinned.resumed == 0 and (tmp_path / pinned.file).read_bytes() == payload


def test_gives_up_with_one_line(tmp_path: Path, payload: bytes) -> None:
    with _Server(payload, cut_first=10) as srv:
        with pytest.raises(FetchError, match="after 1 retries"):
            fetch(srv.url, tmp_path, retries=1, backoff=0.0)
        with pytest.raises(FetchError, match="HTTP 404"):
            fetch(srv.url.replace(".zip", ".nope"), tmp_path, retries=0)


def test_cli_fetch_cordis_uses_settings_url(
    tmp_path: Path, payload: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _Server(payload, cut_first=1) as srv:
        monkeypatch.setenv("INNOGRAPH_CORDIS_URLS", json.dumps({"horizon": srv.url}))
        monkeypatch.setenv("INNOGRAPH_DATA_DIR", str(tmp_path))
        res = CliRunner().invoke(cli, ["fetch", "cordis", "--programme", "horizon", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["resumed"] == 1 and doc["sha256"] == hashlib.sha256(payload).hexdigest()
    assert (tmp_path / "downloads" / "cordis-HORIZONprojects-csv.zip").read_bytes() == payload
