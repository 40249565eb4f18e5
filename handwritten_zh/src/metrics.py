"""The reference's accuracy, 1 - CER = 1 - sum of edit distances / sum of reference lengths over all lines
(``model_utils.metrics.CharacterErrors``), with line accuracy beside it.

Every character counts, Chinese or not: nothing is filtered or folded, and a truth character outside the
charset (``UNKNOWN``) can never be matched.
"""
from __future__ import annotations

from dataclasses import dataclass

from .model_utils.metrics import CharacterErrors


@dataclass
class CharacterMetric(CharacterErrors):
    """1 - CER and line accuracy; ``skipped_wide`` holds the lines the reference's protocol leaves out (wider
    than ``max_width``), set by the evaluation."""

    skipped_wide: int = 0

    @property
    def score(self) -> float:
        """The number that picks the best checkpoint: 1 - CER."""
        return self.one_minus_cer

    def summary(self) -> str:
        return (f"1-CER {self.one_minus_cer:.4f} line accuracy {self.line_accuracy:.4f} ({self.count} lines, "
                f"{self.characters} characters, {self.skipped_wide} too wide skipped)")

    def columns(self) -> dict[str, str]:
        return {"1-CER": f"{100 * self.one_minus_cer:.2f}", "line_acc": f"{100 * self.line_accuracy:.2f}",
                "lines": str(self.count), "characters": str(self.characters), "too_wide": str(self.skipped_wide)}
