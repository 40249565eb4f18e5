"""Edit-distance alignment of a truth and a result token sequence, and counts of the confusions it shows:
substitutions (truth -> result), deletions (a truth token missing) and insertions (a result token too many)."""
from __future__ import annotations

from collections import Counter
from typing import Optional, Sequence

Pair = tuple[Optional[str], Optional[str]]  # (truth token, result token): None on the missing side


def align(truth: Sequence[str], result: Sequence[str]) -> list[Pair]:
    """A minimal-edit alignment (Levenshtein, every edit costs 1) as pairs in order: matches and substitutions
    hold both tokens, deletions ``(t, None)``, insertions ``(None, r)``.  Ties prefer a substitution, then a
    deletion."""
    rows, cols = len(truth), len(result)
    cost = [[i + j if i == 0 or j == 0 else 0 for j in range(cols + 1)] for i in range(rows + 1)]
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            cost[i][j] = min(cost[i - 1][j - 1] + (truth[i - 1] != result[j - 1]),
                             cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    pairs: list[Pair] = []
    i, j = rows, cols
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (truth[i - 1] != result[j - 1]):
            i, j = i - 1, j - 1
            pairs.append((truth[i], result[j]))
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            i -= 1
            pairs.append((truth[i], None))
        else:
            j -= 1
            pairs.append((None, result[j]))
    return pairs[::-1]


def edits(pairs: Sequence[Pair]) -> list[Pair]:
    """The pairs of an alignment that are errors (everything but matches)."""
    return [(t, r) for t, r in pairs if t != r]


class Confusions:
    """Counts of the edits of many aligned samples."""

    def __init__(self) -> None:
        self.counts: Counter[Pair] = Counter()

    def add(self, pairs: Sequence[Pair]) -> int:
        """Count the edits of one alignment; return how many there were."""
        errors = edits(pairs)
        self.counts.update(errors)
        return len(errors)

    def total(self) -> int:
        return sum(self.counts.values())

    def top(self, count: int) -> list[tuple[str, str, str, int]]:
        """The ``count`` most frequent edits as (kind, truth, result, count), most frequent first (ties by
        kind and tokens); a missing side is ``""``."""
        kinds = [("substitution" if t is not None and r is not None else "deletion" if r is None else "insertion",
                  t or "", r or "", n) for (t, r), n in self.counts.items()]
        return sorted(kinds, key=lambda row: (-row[3], row[0], row[1], row[2]))[:count]
