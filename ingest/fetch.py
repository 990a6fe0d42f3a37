"""Download a source file (the official CORDIS zips) with resume, and pin what was fetched.

The download goes to `<name>.part` first; when a transfer breaks it is retried with an HTTP `Range`
request from the bytes already on disk, so a 200 MB zip need not start over. When complete the file
is renamed and `<name>.json` is written beside it: URL, size, sha256 and the UTC time of the download,
so that an ingest can cite exactly which copy it read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from http.client import HTTPException
from pathlib import Path
from urllib.parse import urlparse

from graph.errors import InnographError
from ingest.progress import Progress

CHUNK = 1 << 16


class FetchError(InnographError):
    """A download that could not be completed (HTTP error, network gone after every retry)."""


@dataclass
class Fetched:
    url: str
    file: str
    bytes: int
    sha256: str
    downloaded_at: str
    resumed: int  # how many times the transfer was resumed

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _total_from(resp: object, offset: int) -> int | None:
    headers = getattr(resp, "headers", {})
    content_range = headers.get("Content-Range") if headers else None
    if content_range and "/" in content_range:
        total = content_range.rsplit("/", 1)[1].strip()
        return int(total) if total.isdigit() else None
    length = headers.get("Content-Length") if headers else None
    return offset + int(length) if length and length.isdigit() else None


def fetch(
    url: str,
    out_dir: Path,
    *,
    retries: int = 3,
    timeout: float = 60.0,
    backoff: float = 1.0,
    name: str | None = None,
) -> Fetched:
    """Download `url` into `out_dir` (resuming a `.part` left by an earlier try); returns what was pinned."""
    filename = name or Path(urlparse(url).path).name or "download"
    out_dir.mkdir(parents=True, exist_ok=True)
    dest = out_dir / filename
    part = out_dir / (filename + ".part")
    resumed = 0
    attempt = 0
    while True:
        offset = part.stat().st_size if part.exists() else 0
        req = urllib.request.Request(url, headers={"User-Agent": "innograph-fetch"})
        if offset:
            req.add_header("Range", f"bytes={offset}-")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                status = resp.status
                if offset and status == 200:  # the server ignored the range: start over
                    offset = 0
                elif offset and status == 206:
                    resumed += 1
                total = _total_from(resp, offset)
                progress = Progress(filename, total or 0, min_total=1)
                with part.open("ab" if offset else "wb") as f:
                    done = offset
                    while block := resp.read(CHUNK):
                        f.write(block)
                        done += len(block)
                        progress.update(done)
                progress.close()
                if total is not None and done < total:
                    raise HTTPException(f"transfer ended at {done} of {total} bytes")
            break
        except urllib.error.HTTPError as e:
            if e.code == 416 and offset:  # nothing left to send: the part is complete
                break
            raise FetchError(f"cannot download {url}: HTTP {e.code} {e.reason}") from e
        except (urllib.error.URLError, HTTPException, OSError, TimeoutError) as e:
            attempt += 1
            if attempt > retries:
                raise FetchError(f"cannot download {url} after {retries} retries: {e}") from e
            time.sleep(backoff * attempt)
    part.replace(dest)
    pinned = Fetched(
        url=url,
        file=dest.name,
        bytes=dest.stat().st_size,
        sha256=sha256_of(dest),
        downloaded_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        resumed=resumed,
    )
    (out_dir / (dest.name + ".json")).write_text(
        json.dumps(pinned.as_dict(), indent=2) + "\n", encoding="utf-8"
    )
    return pinned
