"""The line model's speed figures (``scripts/benchmark.py --model handwritten_zh``; the registry's first model of
input kind ``lines``), graph mode, CPU.

The reference size (default_config.yaml): FLOPs per 96 x 2000 line counted layer by layer (``src/model_utils/flops.py``,
OpenVINO's convention) beside the reference's 134.513 G, and the latency of one such line against the time
the same run's MatMul speed needs for those FLOPs (goal: within 2x).  The CPU profile (cpu_small.yaml): the
data pipeline and training in lines/s on synthesized lines, batches as in training (length buckets, widths a
multiple of ``width_step``, each width compiled before timing), and inference lines/s at batch 32.  With
``augment`` the pipeline is also timed with online augmentation on (``src/model_utils/augment.py``), and the 3x
target applies to that rate.
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

REFERENCE_GFLOPS = 134.513
ENTRY = first_of_kind("lines")
MODEL = ENTRY.name


def ensure_lines(root: str, data_dir: str) -> str:
    """A small synthesized training set in ``data_dir`` (made once, then reused); its gt.txt."""
    gt = os.path.join(data_dir, "train", "gt.txt")
    if not os.path.isfile(gt):
        print(f"synthesizing benchmark lines in {data_dir}", flush=True)
        subprocess.run([sys.executable, ENTRY.synthesizer, "--out", data_dir, "--train", "2000", "--val", "0"],
                       cwd=os.path.join(root, MODEL), check=True)
    return gt


def _seconds(fn, repeats: int) -> float:
    fn()  # compilation
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def _pipeline(parts, cfg, source, batch: int, sampler, epochs: bool) -> tuple[float, list]:
    """Lines/s of one pass over ``source`` in training batches (the sampler's order, length buckets), and the
    batches; ``epochs``: the order carries draw epochs, for an augmenting source."""
    data = parts.train_data(cfg, source)
    order = sampler.sample_order(source.indices_by_entry(), None, len(source) // batch, batch, seed=cfg.seed,
                                 slack=0.0, lengths=data.lengths, bucket_steps=data.bucket_steps, epochs=epochs)
    iterator = parts.dataset(cfg, source, batch, order).create_tuple_iterator(num_epochs=1, output_numpy=True)
    batches = [next(iterator)]
    start = time.perf_counter()
    batches += list(iterator)
    return batch * (len(batches) - 1) / (time.perf_counter() - start), batches


def line_rates(root: str, config: str, batch: int, steps: int, data_dir: str, matmul_gflops: float,
               augment: bool = False) -> dict:
    """The figures above, as a dict (see ``report_lines``)."""
    load = lambda name: importlib.import_module(f"{MODEL}.src.{name}")  # noqa: E731
    parts, config_module, fit, ctc = load("parts").PARTS, load("model_utils.config"), load("model_utils.fit"), \
        load("model_utils.ctc")
    flops, sampler, entry = load("model_utils.flops"), load("model_utils.sampler"), load("model_utils.entry")
    config_of = lambda name: config_module.load_config(  # noqa: E731
        ["--device_target", "CPU"], default_path=os.path.join(root, MODEL, name))
    results = {"model": MODEL, "config": config, "cores": os.cpu_count(), "matmul_gflops": matmul_gflops}

    full_cfg = config_of("default_config.yaml")
    full = parts.build_network(full_cfg)
    shape = (1, 1, full_cfg.image_height, full_cfg.max_width)
    by_kind = flops.count_flops(full, shape, load("network").FLOP_RULES)
    results["flops_by_kind_g"] = {kind: value / 1e9 for kind, value in by_kind.items()}
    results["full_gflops"] = sum(by_kind.values()) / 1e9
    full.set_train(False)
    x1 = ms.Tensor(np.random.default_rng(0).uniform(0, 255, shape).astype(np.float32))
    results["full_latency_ms"] = 1000 * _seconds(lambda: full(x1).asnumpy(), 5)
    results["matmul_bound_ms"] = 1000 * results["full_gflops"] / matmul_gflops
    results["target_latency_2x_matmul"] = results["full_latency_ms"] <= 2 * results["matmul_bound_ms"]

    cfg = config_of(config)
    converter = parts.label_converter(cfg)
    lines = [ensure_lines(root, data_dir)]
    results["pipeline_lines_s"], batches = _pipeline(parts, cfg, parts.source(cfg, lines, converter, False), batch,
                                                     sampler, epochs=False)
    if augment:
        augmented = config_module.with_overrides(cfg, {"augment": True}, "--augment")
        source = entry.training_source(augmented, parts, lines, converter)
        results["pipeline_augmented_lines_s"] = _pipeline(parts, cfg, source, batch, sampler, epochs=True)[0]
    results["mean_width"] = float(np.mean([b[0].shape[-1] for b in batches]))

    net = parts.build_network(cfg)
    train_step, _ = fit.build_train_step(cfg, net, ctc.CTCLoss(converter.blank), 1000)
    train_step.set_train(True)
    chosen = [batches[step % len(batches)] for step in range(steps)]
    for inputs in {b[0].shape: b for b in chosen}.values():  # compile each width once, as training does
        train_step(*map(ms.Tensor, inputs[:-1]))[0].asnumpy()
    start = time.perf_counter()
    for inputs in chosen:
        train_step(*map(ms.Tensor, inputs[:-1]))[0].asnumpy()
    results["train_lines_s"] = batch * steps / (time.perf_counter() - start)
    net.set_train(False)
    widest = max(chosen, key=lambda b: b[0].shape[-1])[0]
    x32 = ms.Tensor(np.concatenate([widest] * (32 // len(widest) + 1))[:32])
    results["infer_width"] = int(widest.shape[-1])
    results["infer_lines_s_batch32"] = 32 / _seconds(lambda: net(x32).asnumpy(), 5)
    results["target_pipeline_3x_train"] = results.get("pipeline_augmented_lines_s", results["pipeline_lines_s"]) \
        >= 3 * results["train_lines_s"]
    return results


def report_lines(r: dict, batch: int) -> None:
    ok = {True: "met", False: "NOT met"}
    pipeline = r.get("pipeline_augmented_lines_s", r["pipeline_lines_s"])  # what the 3x target is about
    augmented = f"\n    data pipeline, augmented   {pipeline:.0f} lines/s" if "pipeline_augmented_lines_s" in r else ""
    kinds = ", ".join(f"{kind} {value:.2f}" for kind, value in r["flops_by_kind_g"].items())
    print(f"""
model {MODEL}, {r['cores']} cores, graph mode, CPU
  reference size (default_config.yaml), one 96 x 2000 line:
    forward FLOPs              {r['full_gflops']:.2f} GFLOP (reference 134.513 G, {100 * (r['full_gflops'] /
                                                                                  REFERENCE_GFLOPS - 1):+.2f} %)
    by layer kind              {kinds}
    latency (batch 1)          {r['full_latency_ms']:.0f} ms = {r['full_gflops'] / r['full_latency_ms'] * 1000:.1f} GFLOP/s
    MatMul 2048^3 (reference)  {r['matmul_gflops']:.1f} GFLOP/s: {r['matmul_bound_ms']:.0f} ms for those FLOPs
    target latency <= 2x the MatMul-bound time: {ok[r['target_latency_2x_matmul']]} \
({r['full_latency_ms'] / r['matmul_bound_ms']:.2f}x)
  CPU profile ({r['config']}), synthesized lines ({r['mean_width']:.0f} px wide on average):
    data pipeline              {r['pipeline_lines_s']:.0f} lines/s{augmented}
    training (batch {batch:<3d})       {r['train_lines_s']:.1f} lines/s
    inference (batch 32)       {r['infer_lines_s_batch32']:.1f} lines/s at width {r['infer_width']}
    target data >= 3x training: {ok[r['target_pipeline_3x_train']]} \
({pipeline / r['train_lines_s']:.1f}x)""", flush=True)
