"""A minimal progress bar on stderr, drawn only when stderr is a terminal (never in pipes, logs, tests)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """`Progress("organization.csv", total_bytes)`; call `update(done)`; `close()` ends the line."""

    def __init__(
        self, label: str, total: int, stream: TextIO | None = None, min_total: int = 1_000_000
    ) -> None:
        self.label = label
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        self.enabled = total >= min_total and bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = 0.0

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and done < self.total:
            return
        self._last = now
        frac = min(done / self.total, 1.0)
        bar = "#" * int(frac * 30)
        self.stream.write(f"\r{self.label:24.24} [{bar:30}] {frac * 100:5.1f}%")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.update(self.total)
            self.stream.write("\n")
            self.stream.flush()
