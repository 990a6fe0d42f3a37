"""A sentence as the key of its wording and the values that go into it, so each page words it in its
own language.

The analysis and the partner finder say *why* in English for the API and the CLI (`reason`,
`reasons`). Beside each such sentence they give the same sentence as a `Said`: the key of its wording
in `viz/texts.yaml` (section `said`, English and Swedish) and its values; the pages render that in
the reader's language (`viz.texts.say`). A test words every `Said` in English and compares it with
the English sentence, so the two cannot drift apart.

A value may itself be a `Said` (worded in place) or a list of them (worded and joined with "; ").
When a wording has a variant `<key>_one`, it is used when the value `n` is 1 ("1 project" / "2 projects").
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Said(BaseModel):
    """One sentence: the key of its wording and the values that fill it."""

    key: str = Field(description="the wording's key in viz/texts.yaml, section `said`")
    args: dict[str, str | int | float | Said | list[Said]] = Field(default_factory=dict)


def said(key: str, **args: str | int | float | Said | list[Said]) -> Said:
    """`Said(key=key, args=args)`, shorter to write where reasons are built."""
    return Said(key=key, args=args)


class Reason(str):
    """An English sentence that carries its `Said`, for code that passes reasons on as plain strings
    (`(actor, reason)` pairs): it compares, prints and serialises as the English text."""

    said: Said

    def __new__(cls, text: str, sentence: Said) -> Reason:
        obj = super().__new__(cls, text)
        obj.said = sentence
        return obj


def reason(text: str, key: str, **args: str | int | float | Said | list[Said]) -> Reason:
    """The English `text` with the `Said` that words it in any language (`key`, `args`)."""
    return Reason(text, Said(key=key, args=args))


def said_of(text: str) -> Said | None:
    """The `Said` a reason carries, or None for a plain string."""
    return getattr(text, "said", None)
