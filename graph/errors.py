"""One small error tree shared by every layer.

The CLI turns any `InnographError` into a one-line message and a non-zero exit; the API maps
`NotFound` to 404, `InvalidInput`/`RecordError` to 422 and `StoreUnavailable`/`ToolUnavailable` to 503. Nothing else
should need to catch broad exceptions.
"""

from __future__ import annotations


class InnographError(Exception):
    """Base of every error a user can cause or must be told about."""


class NotFound(InnographError):
    """An id or key that the store does not hold."""


class InvalidInput(InnographError):
    """A request or a file that cannot be used as given (wrong format, missing columns, bad option)."""


class RecordError(InvalidInput):
    """One record failed validation; names the record and the field so a person can fix the source."""

    def __init__(self, record: str, field: str, reason: str) -> None:
        self.record = record
        self.field = field
        self.reason = reason
        super().__init__(f"{record}: field {field!r}: {reason}")


class StoreUnavailable(InnographError):
    """The store cannot be reached (server down, file unreadable, schema missing)."""


class ToolUnavailable(InnographError):
    """A program the request needs is missing or failed on this machine (Chromium for PDF printing).

    Not the user's mistake, so the API answers 503, not 422.
    """
