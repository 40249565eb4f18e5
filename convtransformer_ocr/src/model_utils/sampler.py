"""Order of training samples: a seeded stream of indices, optionally mixing datasets on a schedule.

Without a mix the stream is one shuffled pass over all samples after another (epochs).  With
``train_mix`` (a mapping "fraction of the steps -> weight per training path", e.g.
``{0.0: [1, 3], 0.1: [1, 1], 0.75: [1, 0]}``) each position first draws a dataset by the
weights of the phase its step falls in, then the next sample of that dataset's own
shuffled cycle.  The stream depends only on the seed, so a resumed run continues exactly
where it stopped; with several devices, device ``r`` takes positions ``r, r+n, r+2n, ...``.

Length buckets (variable-length inputs such as utterances): given each sample's length, every window of
``bucket_steps`` steps of the stream is sorted by length and cut into steps, and the steps of the window
are shuffled; a step's samples (on every device) then have similar lengths and pad little, while each
sample is still used as often as without buckets.  Windows are fixed by the step numbers, so resuming
stays exact.
"""
from __future__ import annotations

from typing import Iterator, Mapping, Optional, Sequence

import numpy as np

from .errors import UsageError

CHUNK_STEPS = 1000  # steps generated at a time


def parse_mix(mix: Optional[Mapping], num_paths: int) -> list[tuple[float, np.ndarray]]:
    """Validate ``train_mix`` and return [(start fraction, normalised weights)] sorted by start."""
    if not mix:
        return []
    phases = []
    for start, weights in mix.items():
        if not isinstance(start, (int, float)) or not 0.0 <= start < 1.0:
            raise UsageError(f"train_mix: phase start {start!r} is not a fraction of the steps in [0, 1)")
        if not isinstance(weights, (list, tuple)) or len(weights) != num_paths:
            raise UsageError(f"train_mix: phase {start} needs one weight per training path ({num_paths}), "
                             f"got {weights!r}")
        values = np.asarray(weights, dtype=np.float64)
        if (values < 0).any() or values.sum() <= 0:
            raise UsageError(f"train_mix: phase {start} weights {weights!r} must be >= 0 and not all 0")
        phases.append((float(start), values / values.sum()))
    phases.sort(key=lambda phase: phase[0])
    if phases[0][0] != 0.0:
        raise UsageError("train_mix: the first phase must start at 0")
    return phases


class _Cycle:
    """Endless sequence of one dataset's indices, reshuffled on every pass."""

    def __init__(self, indices: np.ndarray, rng: np.random.Generator):
        self.indices, self.rng = indices, rng
        self.order, self.position = rng.permutation(indices), 0

    def take(self, count: int) -> np.ndarray:
        parts = []
        while count > 0:
            if self.position == len(self.order):
                self.order, self.position = self.rng.permutation(self.indices), 0
            part = self.order[self.position:self.position + count]
            self.position += len(part)
            count -= len(part)
            parts.append(part)
        return np.concatenate(parts) if parts else np.empty(0, np.int64)


def _global_stream(groups: Sequence[np.ndarray], phases: list[tuple[float, np.ndarray]], total_steps: int,
                   samples_per_step: int, seed: int) -> Iterator[np.ndarray]:
    """Yield the indices of all devices, ``CHUNK_STEPS`` steps at a time, without end."""
    rng = np.random.default_rng(seed)
    if not phases:
        cycles = [_Cycle(np.concatenate(groups), rng)]
        phases = [(0.0, np.ones(1))]
    else:
        cycles = [_Cycle(group, rng) for group in groups]
    starts = [int(round(start * total_steps)) for start, _ in phases]
    step = 0
    while True:
        phase = max(i for i, start in enumerate(starts) if start <= step)
        end = min([start for start in starts if start > step] + [step + CHUNK_STEPS])
        count = (end - step) * samples_per_step
        choice = rng.choice(len(cycles), size=count, p=phases[phase][1])
        chunk = np.empty(count, np.int64)
        for number, cycle in enumerate(cycles):
            where = np.flatnonzero(choice == number)
            chunk[where] = cycle.take(len(where))
        yield chunk
        step = end


def bucket_by_length(chunk: np.ndarray, lengths: np.ndarray, samples_per_step: int, bucket_steps: int,
                     rng: np.random.Generator) -> np.ndarray:
    """``chunk`` (whole steps) with each window of ``bucket_steps`` steps sorted by sample length, cut into
    steps, and those steps shuffled."""
    window = samples_per_step * bucket_steps
    out = []
    for start in range(0, len(chunk), window):
        part = chunk[start:start + window]
        steps = part[np.argsort(lengths[part], kind="stable")].reshape(-1, samples_per_step)
        out.append(steps[rng.permutation(len(steps))].reshape(-1))
    return np.concatenate(out)


def draw_epochs(chunk: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """For each position of ``chunk``, how many times its sample was drawn before: ``counts`` (draws per
    sample so far, updated in place) plus the earlier positions of the same sample in ``chunk``."""
    by_sample = np.argsort(chunk, kind="stable")
    ordered = chunk[by_sample]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(ordered)]))
    epochs = np.empty(len(chunk), np.int64)
    epochs[by_sample] = counts[ordered] + np.arange(len(ordered)) - run_start
    counts += np.bincount(chunk, minlength=len(counts))
    return epochs


def sample_order(groups: Sequence[np.ndarray], mix: Optional[Mapping], total_steps: int, batch_size: int,
                 start_step: int = 0, num_shards: int = 1, shard_id: int = 0, seed: int = 1,
                 slack: float = 0.01, lengths: Optional[np.ndarray] = None, bucket_steps: int = 0,
                 epochs: bool = False, end_step: Optional[int] = None) -> np.ndarray:
    """Indices for device ``shard_id`` from ``start_step`` to ``total_steps`` (plus ``slack`` for skipped
    corrupt samples), or to ``end_step`` of the stream when given (more samples after many were skipped).
    ``groups`` holds the sample indices of each training path; with ``lengths`` (one per sample) and
    ``bucket_steps`` > 0, steps hold samples of similar length (see the module's docstring).
    With ``epochs``, rows (sample index, epoch of the draw) instead (see the module's docstring)."""
    phases = parse_mix(mix, len(groups))
    samples_per_step = batch_size * num_shards
    first = start_step * samples_per_step
    end_step = total_steps + int(total_steps * slack) + 1 if end_step is None else end_step
    last = int(end_step * samples_per_step)
    bucket_rng = np.random.default_rng([seed, 1])
    counts = np.zeros(max(int(group.max()) + 1 for group in groups if len(group)), np.int64) if epochs else None
    parts, seen = [], 0
    for chunk in _global_stream(groups, phases, total_steps, samples_per_step, seed):
        if lengths is not None and bucket_steps > 0:
            chunk = bucket_by_length(chunk, lengths, samples_per_step, bucket_steps, bucket_rng)
        if counts is not None:
            chunk = np.stack([chunk, draw_epochs(chunk, counts)], axis=1)
        lo, hi = max(0, first - seen), min(len(chunk), last - seen)
        if lo < hi:
            parts.append(chunk[lo + (shard_id - seen - lo) % num_shards:hi:num_shards])  # this device's positions
        seen += len(chunk)
        if seen >= last:
            break
    return np.concatenate(parts)
