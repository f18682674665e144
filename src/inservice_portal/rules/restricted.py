"""Activities that need the education authority's consent before hours count: 002 Art. 9.

The portal cannot judge an activity, so it flags words from Art. 9's own examples found in the
title or outline, citing the clause, for the reviewer to decide. Flags never block.
"""
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class RestrictedFlag:
    clause: int
    label: str
    word: str

    def describe(self) -> str:
        return f"第 9 條第 {self.clause} 款（{self.label}）：「{self.word}」"


def flags(activities: list[dict], *texts: str) -> list[RestrictedFlag]:
    """``activities``: Art. 9's clauses with their example words (data/restricted_activities
    .yaml, passed in: a rule reads no files)."""
    haystack = unicodedata.normalize("NFKC", " ".join(t or "" for t in texts))
    found = []
    for rule in activities:
        for word in rule["words"]:
            if word in haystack:
                found.append(RestrictedFlag(rule["clause"], rule["label"], word))
                break            # one flag per clause is enough for the reviewer
    return found
