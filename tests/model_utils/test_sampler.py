"""Training sample order: epochs without a mix, scheduled mixes, exact resume, sharding, bad schedules."""
from __future__ import annotations

import numpy as np
import pytest

from cnnctc.src.model_utils.errors import UsageError
from cnnctc.src.model_utils.sampler import sample_order

GROUPS = [np.arange(0, 300), np.arange(300, 400)]
MIX = {0.0: [0, 1], 0.25: [1, 1], 0.75: [1, 0]}


def test_without_a_mix_every_sample_comes_once_per_epoch():
    order = sample_order(GROUPS, {}, total_steps=100, batch_size=8, slack=0.0)
    assert len(order) >= 800
    assert sorted(order[:400]) == list(range(400))
    assert sorted(order[400:800]) == list(range(400))
    assert not np.array_equal(order[:400], order[400:800])


def test_mix_follows_the_schedule():
    order = sample_order(GROUPS, MIX, total_steps=100, batch_size=8, slack=0.0)
    steps = order[:800].reshape(100, 8)
    from_second = steps >= 300
    assert from_second[:25].all()                       # phase 1: second path only
    assert 0.35 < from_second[25:75].mean() < 0.65      # phase 2: half and half
    assert not from_second[75:].any()                   # phase 3: first path only
    first_path = order[:800][order[:800] < 300]
    assert len(np.unique(first_path[:300])) == 300      # its own shuffled cycle, no early repeats


def test_resume_continues_the_same_stream():
    whole = sample_order(GROUPS, MIX, total_steps=100, batch_size=8, seed=3)
    resumed = sample_order(GROUPS, MIX, total_steps=100, batch_size=8, start_step=37, seed=3)
    np.testing.assert_array_equal(resumed, whole[37 * 8:])
    assert not np.array_equal(whole, sample_order(GROUPS, MIX, total_steps=100, batch_size=8, seed=4))


def test_shards_interleave_to_the_single_device_stream():
    single = sample_order(GROUPS, MIX, total_steps=100, batch_size=8, start_step=10, seed=5)
    shards = [sample_order(GROUPS, MIX, total_steps=100, batch_size=4, start_step=10, num_shards=2, shard_id=r,
                           seed=5) for r in range(2)]
    assert len(shards[0]) == len(shards[1]) == len(single) // 2
    np.testing.assert_array_equal(np.stack(shards, axis=1).reshape(-1), single)


@pytest.mark.parametrize("mix,message", [
    ({0.0: [1]}, "needs one weight per training path (2)"),
    ({0.5: [1, 1]}, "first phase must start at 0"),
    ({0.0: [1, -1]}, "must be >= 0"),
    ({0.0: [0, 0]}, "not all 0"),
    ({1.5: [1, 1], 0.0: [1, 1]}, "not a fraction"),
])
def test_bad_schedules_are_refused(mix, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        sample_order(GROUPS, mix, total_steps=10, batch_size=4)


def test_length_buckets_keep_every_sample_and_group_similar_lengths():
    lengths = np.random.default_rng(0).integers(50, 1500, 400)
    groups = [np.arange(400)]
    plain = sample_order(groups, None, 50, 8, seed=3)
    bucketed = sample_order(groups, None, 50, 8, seed=3, lengths=lengths, bucket_steps=10)
    assert len(bucketed) == len(plain)
    for start in range(0, 400 * (len(plain) // 400), 80):  # each window of 10 steps: the same samples
        assert sorted(bucketed[start:start + 80]) == sorted(plain[start:start + 80])
    spread = lambda order: np.mean([np.ptp(lengths[order[i:i + 8]]) for i in range(0, 400, 8)])  # noqa: E731
    assert spread(bucketed) < spread(plain) / 4
    resumed = sample_order(groups, None, 50, 8, start_step=17, seed=3, lengths=lengths, bucket_steps=10)
    np.testing.assert_array_equal(resumed, bucketed[17 * 8:])
    shard = sample_order(groups, None, 50, 4, num_shards=2, shard_id=1, seed=3, lengths=lengths, bucket_steps=10)
    np.testing.assert_array_equal(shard[:4], bucketed[[1, 3, 5, 7]])
