"""Speed benchmark of a model on this machine (graph mode): data pipeline, training, inference, FLOPs.

    python scripts/benchmark.py --model cnnctc                     # cpu_small profile
    python scripts/benchmark.py --model cnnctc --config default_config.yaml --batch 8
    python scripts/benchmark.py --model crnn --config default_config.yaml --batch 32 --vs-torch
    python scripts/benchmark.py --model convtransformer_ocr --batch 64 --vs-torch    # the plate profile
    python scripts/benchmark.py --model convtransformer_ocr --config default_config.yaml --batch 4 \
        --infer_batch 8 --vs-torch                                  # ModelScope's size, within memory
    python scripts/benchmark.py --model ctcmodel --batch 32          # speech: see scripts/bench_speech.py
    python scripts/benchmark.py --model handwritten_zh --batch 32    # text lines: see scripts/bench_lines.py
    python scripts/benchmark.py --model cnnctc --distributed 2       # 1 vs 2 CPU workers: see bench_distributed.py
    python scripts/benchmark.py --model cnnctc --augment             # the pipeline also with training augmentation

Prints images/s of the data pipeline, of training (forward + backward + update)
and of inference (batch ``--infer_batch``, 32 by default, and batch-1 latency), FLOPs per image (convolutions
and dense layers, 2 per multiply-add, counted with forward hooks), achieved
GFLOP/s, and the dense MatMul GFLOP/s of MindSpore on this machine measured in
the same run as the reference; then checks the targets:
data pipeline >= 3x training throughput, training GFLOP/s >= 30% of MatMul.
``--augment`` (image models) also times the training pipeline with online augmentation on
(``src/model_utils/augment.py``: the training source read in the sampler's order with draw epochs, as ``fit``
reads it); the 3x target then applies to that rate.
``--vs-torch`` also times the model's PyTorch twin (the one its converter test checks for equal logits) in
the same run and reports MindSpore / PyTorch ratios.  ``--distributed N`` instead trains with the model's CPU
launcher, 1 then N workers, and reports the rates (images/s, utterances/s...) and the scaling efficiency.
Results also go to ``--json FILE``.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.dirname(os.path.abspath(__file__))]

import mindspore as ms  # noqa: E402
import numpy as np  # noqa: E402
from mindspore import nn, ops  # noqa: E402

import zoo_registry  # noqa: E402


def timed(fn, repeats: int, warmup: int = 2) -> float:
    """Seconds per call of ``fn`` (after ``warmup`` calls, which include graph compilation)."""
    for _ in range(warmup):
        fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


class _MatMul(nn.Cell):
    def construct(self, a, b):
        return ops.matmul(a, b)


def matmul_gflops(size: int = 2048, repeats: int = 10) -> float:
    a = ms.Tensor(np.random.default_rng(0).normal(size=(size, size)).astype(np.float32))
    cell = _MatMul()
    seconds = timed(lambda: cell(a, a).asnumpy(), repeats)
    return 2 * size ** 3 / seconds / 1e9


MODELS = {m.name: m for m in zoo_registry.models()}  # cpu_config: the CPU profile; torch_twin: --vs-torch


def word_model_setup(model: str, config: str, batch: int, data_dir: str):
    """(config, network, train step, example training inputs, data pipeline, input shape) of an image model
    with fixed-size inputs, built from its parts (``src/parts.py``) as its train.py builds them."""
    parts = importlib.import_module(f"{model}.src.parts").PARTS
    config_module = importlib.import_module(f"{model}.src.model_utils.config")
    ctc = importlib.import_module(f"{model}.src.model_utils.ctc")
    fit = importlib.import_module(f"{model}.src.model_utils.fit")

    cfg = config_module.load_config(["--device_target", "CPU"], default_path=os.path.join(ROOT, model, config))
    net = parts.build_network(cfg)
    converter = parts.label_converter(cfg)
    step, _ = fit.build_train_step(cfg, net, ctc.CTCLoss(converter.blank), total_steps=1000)
    source = parts.source(cfg, [os.path.join(data_dir, "train")], converter, False)
    dataset = parts.dataset(cfg, source, batch, None)
    shape = next(dataset.create_tuple_iterator(num_epochs=1, output_numpy=True))[0].shape[1:]
    labels = np.stack([converter.encode(converter.join(converter.tokens[:4]))[0]] * batch)
    train_inputs = (ms.Tensor(np.random.default_rng(1).normal(size=(batch, *shape)).astype(np.float32)),
                    ms.Tensor(labels), ms.Tensor(np.full(batch, 4, np.int32)))
    return cfg, net, step, train_inputs, dataset, shape


def augmented_pipeline(model: str, cfg, batch: int, batches: int, data_dir: str):
    """The training pipeline of ``model`` with augmentation on: its training source (``entry.training_source``)
    read in the sampler's order with draw epochs, as ``fit`` reads it."""
    parts = importlib.import_module(f"{model}.src.parts").PARTS
    config_module = importlib.import_module(f"{model}.src.model_utils.config")
    entry = importlib.import_module(f"{model}.src.model_utils.entry")
    sampler = importlib.import_module(f"{model}.src.model_utils.sampler")
    cfg = config_module.with_overrides(cfg, {"augment": True}, "--augment")
    source = entry.training_source(cfg, parts, [os.path.join(data_dir, "train")], parts.label_converter(cfg))
    order = sampler.sample_order(source.indices_by_entry(), None, batches, batch, seed=cfg.seed, epochs=True)
    return parts.dataset(cfg, source, batch, order)


def ensure_data(model: str, data_dir: str) -> str:
    """Synthesized training data for the data-pipeline figure (made once, then reused) by the model's synthesizer:
    words in an LMDB, or license plates in a gt.txt folder."""
    entry = MODELS[model]
    command = [os.path.join(ROOT, model, entry.synthesizer), "--train", "4000", "--val", "0"]
    if entry.input_kind == "plates":
        data_dir += "_plates"
        made = os.path.join(data_dir, "train", "gt.txt")
    else:
        command += ["--export_val_images", "0"]
        made = os.path.join(data_dir, "train", "data.mdb")
    command += ["--out", data_dir]
    if not os.path.isfile(made):
        print(f"synthesizing benchmark data in {data_dir}", flush=True)
        subprocess.run([sys.executable, *command], check=True)
    return data_dir


DEFAULT_DATA = os.path.join(tempfile.gettempdir(), "ctc_zoo_bench_words")
TWINS = {name: m.torch_twin for name, m in MODELS.items() if m.torch_twin}  # its PyTorch twin (<model>/<file>)
STAGES = {name: m.torch_stages for name, m in MODELS.items() if m.torch_stages}  # batch-1 time per stage (--vs-torch)


def torch_rates(model: str, cfg, batch: int, steps: int, shape: tuple, infer_batch: int) -> dict:
    """Training img/s, batched inference img/s and batch-1 latency of the model's PyTorch twin (converter tests) at the
    same size, with the same optimizer (Adadelta, AdamW or Adam, lr of the config) and CTC loss, on all cores."""
    import torch

    twin_module = importlib.import_module(f"{model}.{TWINS[model][:-3]}")
    torch.set_num_threads(os.cpu_count())
    twin = twin_module.build_twin(cfg)
    optimizer = {"adadelta": lambda: torch.optim.Adadelta(twin.parameters(), lr=cfg.base_lr, rho=0.9, eps=1e-6),
                 "adamw": lambda: torch.optim.AdamW(twin.parameters(), lr=cfg.base_lr, weight_decay=cfg.weight_decay),
                 }.get(cfg.optimizer, lambda: torch.optim.Adam(twin.parameters(), lr=cfg.base_lr))()
    ctc = torch.nn.CTCLoss(blank=twin_module.BLANK, zero_infinity=True)
    rng = np.random.default_rng(1)
    x = torch.from_numpy(rng.normal(size=(batch, *shape)).astype(np.float32))
    targets = torch.full((batch, 4), 20, dtype=torch.long)

    def train_step() -> None:
        optimizer.zero_grad()
        log_probs = twin(x).log_softmax(-1).permute(1, 0, 2)
        lengths = torch.full((batch,), log_probs.shape[0], dtype=torch.long)
        ctc(log_probs, targets, lengths, torch.full((batch,), 4, dtype=torch.long)).backward()
        optimizer.step()

    twin.train()
    rates = {"torch_train_img_s": batch / timed(train_step, steps)}
    twin.eval()
    xs = torch.from_numpy(rng.normal(size=(infer_batch, *shape)).astype(np.float32))
    x1 = xs[:1].clone()
    with torch.no_grad():
        rates["torch_infer_img_s"] = infer_batch / timed(lambda: twin(xs), 10)
        rates["torch_latency_ms_batch1"] = 1000 * timed(lambda: twin(x1), 30)
        if model in STAGES:
            rates.update(stage_latency("torch", *(getattr(twin, name) for name in STAGES[model]), x1))
    return rates


def stage_latency(prefix: str, backbone, decoder, x1) -> dict:
    """Batch-1 milliseconds of a network's two stages (the convolutional ``backbone``, the recurrent ``decoder``),
    where the time of one image goes."""
    feature = backbone(x1)
    to_host = (lambda out: out.asnumpy()) if prefix == "ms" else (lambda out: out)  # noqa: E731
    return {f"{prefix}_backbone_ms_batch1": 1000 * timed(lambda: to_host(backbone(x1)), 30),
            f"{prefix}_decoder_ms_batch1": 1000 * timed(lambda: to_host(decoder(feature)), 30)}


def pipeline_rate(dataset, batch: int, batches: int) -> float:
    iterator = dataset.create_tuple_iterator(num_epochs=1, output_numpy=True)
    next(iterator)  # start-up of the workers is not throughput
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return batches * batch / (time.perf_counter() - start)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=sorted(MODELS), required=True)
    parser.add_argument("--config", help="config file of the model folder (default: its CPU profile)")
    parser.add_argument("--batch", type=int, default=16, help="training batch size")
    parser.add_argument("--steps", type=int, default=20, help="timed training steps")
    parser.add_argument("--infer_batch", type=int, default=32,
                        help="inference batch size (smaller for the full-size ConvNextViT: 8 keeps it within memory)")
    parser.add_argument("--data", default=DEFAULT_DATA, help="where synthesized benchmark data is kept")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--jit_level", choices=("O0", "O1"), help="MindSpore graph compilation level to try")
    parser.add_argument("--distributed", type=int, metavar="N",
                        help="training rate with 1 and N CPU workers (the model's run_distribute_train_cpu.sh)")
    parser.add_argument("--augment", action="store_true",
                        help="also time the training pipeline with online augmentation (image models)")
    parser.add_argument("--vs-torch", action="store_true", dest="vs_torch",
                        help=f"also time the PyTorch twin in this run ({', '.join(sorted(TWINS))}; needs torch)")
    args = parser.parse_args(argv)
    ms.set_context(mode=ms.GRAPH_MODE)
    ms.set_device("CPU")
    if args.jit_level:
        ms.set_context(jit_config={"jit_level": args.jit_level})
    if args.vs_torch and args.model not in TWINS:
        parser.error(f"--vs-torch: {args.model} has no PyTorch twin (models with one: {', '.join(sorted(TWINS))})")
    config = args.config or MODELS[args.model].cpu_config
    if args.distributed is not None:
        if args.distributed < 2 or args.config or args.vs_torch:
            parser.error("--distributed N: N >= 2 workers, the CPU profile only, without --vs-torch")
        return distributed_figures(args)
    if MODELS[args.model].input_kind in OWN_FIGURES:
        if args.augment and MODELS[args.model].input_kind == "speech":
            parser.error(f"--augment: image models only ({args.model} is speech)")
        return own_figures(args, config)
    data_dir = ensure_data(args.model, args.data)
    cfg, net, train_step, train_inputs, dataset, chw = word_model_setup(args.model, config, args.batch, data_dir)

    rng = np.random.default_rng(2)
    flops = sum(importlib.import_module(f"{args.model}.src.model_utils.flops").count_flops(net, (1,) + chw).values())
    results = {"model": args.model, "config": config, "cores": os.cpu_count(),
               "forward_gflops_per_image": flops / 1e9}
    results["matmul_gflops"] = matmul_gflops()

    results["pipeline_img_s"] = pipeline_rate(dataset, args.batch, batches=60)
    if args.augment:
        augmented = augmented_pipeline(args.model, cfg, args.batch, 61, data_dir)
        results["pipeline_augmented_img_s"] = pipeline_rate(augmented, args.batch, batches=60)

    train_step.set_train(True)
    seconds = timed(lambda: train_step(*train_inputs)[0].asnumpy(), args.steps)
    results["train_img_s"] = args.batch / seconds
    results["train_gflops"] = 3 * flops * results["train_img_s"] / 1e9  # backward ~ 2x forward

    net.set_train(False)
    results["infer_batch"] = args.infer_batch
    xs = ms.Tensor(rng.normal(size=(args.infer_batch,) + chw).astype(np.float32))
    results["infer_img_s"] = args.infer_batch / timed(lambda: net(xs).asnumpy(), 10)
    x1 = ms.Tensor(rng.normal(size=(1,) + chw).astype(np.float32))
    results["latency_ms_batch1"] = 1000 * timed(lambda: net(x1).asnumpy(), 30)
    results["infer_gflops"] = flops * results["infer_img_s"] / 1e9

    if args.vs_torch:
        if args.model in STAGES:
            results.update(stage_latency("ms", *(getattr(net, name) for name in STAGES[args.model]), x1))
        results.update(torch_rates(args.model, cfg, args.batch, args.steps, chw, args.infer_batch))
        for key in ("train_img_s", "infer_img_s"):
            results[f"ratio_{key}"] = results[key] / results[f"torch_{key}"]
        results["ratio_latency_batch1"] = results["latency_ms_batch1"] / results["torch_latency_ms_batch1"]
    results["target_pipeline_3x_train"] = results.get("pipeline_augmented_img_s", results["pipeline_img_s"]) \
        >= 3 * results["train_img_s"]
    results["target_train_30pct_matmul"] = results["train_gflops"] >= 0.3 * results["matmul_gflops"]
    report(results, args.batch)
    write_json(args.json, results)
    return results


def _speech(args: argparse.Namespace, config: str, data: str) -> dict:
    """ctcmodel's figures: utterances and audio seconds instead of images."""
    from bench_speech import report_speech, speech_rates

    results = speech_rates(ROOT, config, args.batch, args.steps, data)
    report_speech(results, args.batch)
    return results


def _lines(args: argparse.Namespace, config: str, data: str) -> dict:
    """handwritten_zh's figures: the reference-size line's FLOPs and latency, lines/s of the CPU profile."""
    from bench_lines import line_rates, report_lines

    results = line_rates(ROOT, config, args.batch, args.steps, data, matmul_gflops(), args.augment)
    report_lines(results, args.batch)
    return results


# input kind (zoo.yaml) -> its own benchmark module's figures, default data folder; the other kinds: fixed-size images
OWN_FIGURES = {"speech": (_speech, "ctc_zoo_bench_speech"), "lines": (_lines, "ctc_zoo_bench_lines")}


def own_figures(args: argparse.Namespace, config: str) -> dict:
    """The figures of a model with its own benchmark module (``OWN_FIGURES``), also written to ``--json``."""
    figures, data_name = OWN_FIGURES[MODELS[args.model].input_kind]
    data = args.data if args.data != DEFAULT_DATA else os.path.join(tempfile.gettempdir(), data_name)
    results = figures(args, config, data)
    write_json(args.json, results)
    return results


def write_json(path: str, results: dict) -> None:
    """``--json FILE``: the results also as JSON (nothing without a path)."""
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)


def training_path(model: str, data: str) -> str:
    """The synthesized training set of ``model`` (made once in ``data`` or its model's default folder)."""
    from bench_lines import ensure_lines
    from bench_speech import ensure_speech

    if MODELS[model].input_kind in OWN_FIGURES:
        default = os.path.join(tempfile.gettempdir(), OWN_FIGURES[MODELS[model].input_kind][1])
        folder = data if data != DEFAULT_DATA else default
        return ensure_lines(ROOT, folder) if MODELS[model].input_kind == "lines" else \
            os.path.join(ensure_speech(ROOT, folder), "train.mindrecord")
    return os.path.join(ensure_data(model, data), "train")


def distributed_figures(args: argparse.Namespace) -> dict:
    """``--distributed N``: 1 vs N CPU workers through the model's launcher (``bench_distributed``)."""
    from bench_distributed import report_scaling, scaling

    results = scaling(ROOT, args.model, args.distributed, args.batch, args.steps, training_path(args.model, args.data))
    report_scaling(results)
    write_json(args.json, results)
    return results


def report(r: dict, batch: int) -> None:
    ok = {True: "met", False: "NOT met"}
    pipeline = r.get("pipeline_augmented_img_s", r["pipeline_img_s"])  # what the 3x target is about
    augmented = f"\n  data pipeline, augmented     {pipeline:.0f} img/s" if "pipeline_augmented_img_s" in r else ""
    print(f"""
model {r['model']} ({r['config']}), {r['cores']} cores, graph mode, CPU
  forward FLOPs per image      {r['forward_gflops_per_image']:.3f} GFLOP
  MatMul 2048^3 (reference)    {r['matmul_gflops']:.1f} GFLOP/s
  data pipeline                {r['pipeline_img_s']:.0f} img/s{augmented}
  training (batch {batch:<3d})         {r['train_img_s']:.1f} img/s = {r['train_gflops']:.1f} GFLOP/s \
({100 * r['train_gflops'] / r['matmul_gflops']:.0f}% of MatMul)
  inference (batch {r['infer_batch']:<3d})        {r['infer_img_s']:.1f} img/s = {r['infer_gflops']:.1f} GFLOP/s
  latency (batch 1)            {r['latency_ms_batch1']:.1f} ms
  target data >= 3x training:  {ok[r['target_pipeline_3x_train']]} \
({pipeline / r['train_img_s']:.1f}x)
  target training >= 30% MatMul GFLOP/s: {ok[r['target_train_30pct_matmul']]}""", flush=True)
    if "torch_train_img_s" in r:
        print(f"""  PyTorch twin, same run:      training {r['torch_train_img_s']:.1f} img/s, batch {r['infer_batch']} \
{r['torch_infer_img_s']:.1f} img/s, batch 1 {r['torch_latency_ms_batch1']:.1f} ms
  MindSpore / PyTorch:         training {r['ratio_train_img_s']:.2f}x, batch {r['infer_batch']} {r['ratio_infer_img_s']:.2f}x \
(goal >= 1.0); batch-1 latency {r['ratio_latency_batch1']:.2f}x PyTorch's (goal <= 1.2)""", flush=True)
    if "torch_backbone_ms_batch1" in r:
        print(f"""  batch 1, where the time goes: backbone {r['ms_backbone_ms_batch1']:.1f} ms (PyTorch \
{r['torch_backbone_ms_batch1']:.1f}), decoder {r['ms_decoder_ms_batch1']:.1f} ms (PyTorch {r['torch_decoder_ms_batch1']:.1f})""",
              flush=True)


if __name__ == "__main__":
    main()
