"""The speech model's speed figures (``scripts/benchmark.py --model ctcmodel``; the registry's first model of input
kind ``speech``), graph mode, CPU: the data pipeline,
training in utterances/s and audio seconds per second, inference real-time factor, and prefix beam search
in utterances/s for 300-frame utterances (beam 5, one core).  Training batches are those of training: length
buckets in the sampler's order (``pad_mode: bucket``), each bucket width compiled before timing.

Speech is synthesized once (the model's ``synthesizer``, e.g. ``ctcmodel/synth_speech.py``, then its
``preprocess_data.py``, a few minutes at most) into ``--data``; the network is the released cpu_small
checkpoint when present (its outputs are what prefix search sees in use), else a fresh one.
"""
from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time

import mindspore as ms
import numpy as np

from zoo_registry import first_of_kind

FRAME_SECONDS = 0.005
ENTRY = first_of_kind("speech")
MODEL = ENTRY.name


def ensure_speech(root: str, data_dir: str) -> str:
    """Features of a small synthesized corpus in ``data_dir`` (made once, then reused)."""
    features = os.path.join(data_dir, "features")
    if not os.path.isfile(os.path.join(features, "train.mindrecord")):
        print(f"synthesizing benchmark speech in {data_dir}", flush=True)
        folder = os.path.join(root, MODEL)
        for script, args in ((ENTRY.synthesizer, ["--out", os.path.join(data_dir, "timit"), "--train_speakers", "60",
                                                  "--test_speakers", "8", "--utterances_per_speaker", "6"]),
                             ("preprocess_data.py", ["--dataset_dir", os.path.join(data_dir, "timit"),
                                                     "--out_dir", features])):
            subprocess.run([sys.executable, script, *args], cwd=folder, check=True)
    return features


def _per_second(fn, repeats: int) -> float:
    fn()  # compilation
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return repeats / (time.perf_counter() - start)


def speech_rates(root: str, config: str, batch: int, steps: int, data_dir: str) -> dict:
    """The figures above, as a dict (see ``report_speech``)."""
    load = lambda name: importlib.import_module(f"{MODEL}.src.{name}")  # noqa: E731
    parts, config_module = load("parts").PARTS, load("model_utils.config")
    fit, ctc, decoding, checkpoint = load("model_utils.fit"), load("model_utils.ctc"), load("decoding"), \
        load("model_utils.checkpoint")
    cfg = config_module.load_config(["--device_target", "CPU", "--lm_path", ""],
                                    default_path=os.path.join(root, MODEL, config))
    features = ensure_speech(root, data_dir)
    source = parts.source(cfg, [os.path.join(features, "train.mindrecord")])
    net = parts.build_network(cfg)
    released = os.path.join(root, MODEL, ENTRY.release)
    if os.path.isfile(released):
        checkpoint.load_into(net, released)
    results = {"model": MODEL, "config": config, "cores": os.cpu_count(), "pad_mode": cfg.pad_mode,
               "network": "released cpu_small" if os.path.isfile(released) else "fresh"}

    data = parts.train_data(cfg, source)
    sampler = load("model_utils.sampler")
    order = sampler.sample_order(data.source.indices_by_entry(), None, len(source) // batch, batch, seed=cfg.seed,
                                 slack=0.0, lengths=data.lengths, bucket_steps=data.bucket_steps)
    batches, results["pipeline_utt_s"] = _timed_batches(data, order[:len(source) // batch * batch], batch)

    train_step, _ = fit.build_train_step(cfg, net, ctc.CTCLoss(parts.label_converter(cfg).blank), 1000, 2)
    train_step.set_train(True)
    chosen = [batches[step % len(batches)] for step in range(steps)]
    for inputs in {b[0].shape: b for b in chosen}.values():  # compile each bucket width once, as training does
        train_step(*map(ms.Tensor, inputs[:-1]))[0].asnumpy()
    start = time.perf_counter()
    for inputs in chosen:
        train_step(*map(ms.Tensor, inputs[:-1]))[0].asnumpy()
    seconds = time.perf_counter() - start
    frames = sum(int(inputs[1].sum()) for inputs in chosen)
    results["train_utt_s"] = batch * steps / seconds
    results["train_audio_s_per_s"] = frames * FRAME_SECONDS / seconds
    results["train_mean_frames"] = frames / (batch * steps)

    net.set_train(False)
    x = np.random.default_rng(1).normal(size=(32, 300, 39)).astype(np.float32)
    for size in (32, 1):
        inputs = (ms.Tensor(x[:size]), ms.Tensor(np.full(size, 300, np.int32)))
        rate = _per_second(lambda: net(*inputs).asnumpy(), 10 if size == 32 else 30)
        results[f"infer_rtf_batch{size}"] = 1.0 / (rate * size * 300 * FRAME_SECONDS)

    test = parts.source(cfg, [os.path.join(features, "test.mindrecord")])
    count = min(len(test), 32)
    clipped = np.zeros((count, 300, 39), np.float32)
    for row in range(count):
        clipped[row, :min(300, test.frames[row])] = test.features[row][:300]
    logits = net(ms.Tensor(clipped), ms.Tensor(np.minimum(test.frames[:count], 300).astype(np.int32))).asnumpy()
    log_probs = [decoding.log_softmax(row[:min(300, n)]) for row, n in zip(logits, test.frames[:count])]
    start = time.perf_counter()
    for row in log_probs:
        decoding.prefix_beam_search(row, beam=5, top_k=10)
    results["prefix_search_utt_s"] = count / (time.perf_counter() - start)
    results["target_prefix_search_20_utt_s"] = results["prefix_search_utt_s"] >= 20
    return results


def _timed_batches(data, order: np.ndarray, batch: int) -> tuple[list[tuple[np.ndarray, ...]], float]:
    """Every batch of one pass of a fresh pipeline over ``order``, and the utterances/s at which it produced
    them (the first batch, start-up, left out)."""
    iterator = data.make_dataset(order).create_tuple_iterator(num_epochs=1)
    batches = [next(iterator)]
    start = time.perf_counter()
    batches += list(iterator)
    seconds = time.perf_counter() - start
    if len(batches) < 2:
        raise SystemExit(f"error: {len(order)} utterances give fewer than 2 batches of {batch}")
    return [tuple(t.asnumpy() for t in b) for b in batches], batch * (len(batches) - 1) / seconds


def report_speech(r: dict, batch: int) -> None:
    ok = {True: "met", False: "NOT met"}
    print(f"""
model {MODEL} ({r['config']}, pad_mode {r['pad_mode']}, {r['network']} network), {r['cores']} cores, graph mode, CPU
  data pipeline                {r['pipeline_utt_s']:.0f} utt/s
  training (batch {batch:<3d})         {r['train_utt_s']:.1f} utt/s = {r['train_audio_s_per_s']:.1f} s of audio per s \
({r['train_mean_frames']:.0f} frames per utterance on average)
  inference real-time factor   {r['infer_rtf_batch32']:.4f} (batch 32), {r['infer_rtf_batch1']:.4f} (batch 1), \
300-frame utterances
  prefix search (beam 5)       {r['prefix_search_utt_s']:.1f} utt/s, 300-frame utterances, one process
  target prefix search >= 20 utt/s: {ok[r['target_prefix_search_20_utt_s']]}""", flush=True)
