"""Draw the hand-check sample of merge decisions from `innograph resolve --report` output.

    .venv/bin/python -m eval.resolution.draw_sample /tmp/ev/review.csv > sample-draft.csv

Every merge that is not an exact-name merge (alias-file, fuzzy, key/alias), plus 40 exact-name
merges drawn with a fixed seed; a person then fills in `correct` and `note` (see README.md).
"""

from __future__ import annotations

import csv
import random
import sys

SEED = 7
NAME_SAMPLE = 40


def main(path: str) -> None:
    with open(path, encoding="utf-8", newline="") as f:
        merges = [r for r in csv.DictReader(f) if r["kind"] == "merge"]
    sample = [r for r in merges if r["rule"] != "name"]
    names = [r for r in merges if r["rule"] == "name"]
    random.Random(SEED).shuffle(names)
    sample += sorted(names[:NAME_SAMPLE], key=lambda r: (r["actor_id"], r["other_record"]))
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(
        [
            "n",
            "rule",
            "country",
            "actor_id",
            "actor_name",
            "other_record",
            "other_name",
            "score",
            "correct",
            "note",
        ]
    )
    for i, r in enumerate(sample, 1):
        w.writerow(
            [
                i,
                r["rule"],
                r["country"],
                r["actor_id"],
                r["actor_name"],
                r["other_record"],
                r["other_name"],
                r["score"],
                "",
                "",
            ]
        )


if __name__ == "__main__":
    main(sys.argv[1])
