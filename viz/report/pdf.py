"""Printing a rendered page to PDF with headless Chromium (Debian's `chromium`).

Apart from the rendering because it runs a program: its failures are about the machine (no Chromium,
a timeout), not about the report, and are raised as `ToolUnavailable` (HTTP 503), not as bad input.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from graph.errors import ToolUnavailable

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


def print_pdf(html: str, out: Path, chromium: str = CHROMIUM, timeout: float = 120.0) -> Path:
    """Print the page to PDF with headless Chromium (no network: the page has no external assets)."""
    exe = shutil.which(chromium) or (chromium if Path(chromium).exists() else None)
    if exe is None:
        raise ToolUnavailable(f"--pdf needs Chromium at {chromium} (apt-get install chromium)")
    out = out.resolve()
    with tempfile.TemporaryDirectory(prefix="innograph-report-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        cmd = [
            exe,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp}/profile",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as e:
            raise ToolUnavailable(f"Chromium did not print the report within {timeout:.0f} s") from e
    if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
        raise ToolUnavailable(f"Chromium could not print the report: {last}")
    return out


def pdf_bytes(html: str) -> bytes:
    """The report printed to PDF, as bytes (for the HTTP download)."""
    with tempfile.TemporaryDirectory(prefix="innograph-pdf-") as tmp:
        return print_pdf(html, Path(tmp) / "report.pdf").read_bytes()
