"""Where a cold start goes, per model, and a warm pipeline's latency: the figures of the READMEs' "Start-up".

    python scripts/bench_startup.py [--models cnnctc,crnn,...] [--inputs DIR] [--repeat 3]

Per model: the wall time of a cold ``python infer.py`` on one input in a fresh process (the first with an empty
compile cache, then the median of ``--repeat`` more),
and in one process the phases of ``hub_conf.pipeline``: importing MindSpore, importing the model folder
and building the network with its checkpoint, the first call on one input (graph compilation) and a warm
call on one input (latency), then a warm batch of 8 (items per second).  Inputs come from scripts/zoo.py's
folder (``--inputs``, default quickstart_output/zoo_inputs; run scripts/zoo.py first).
"""
from __future__ import annotations

import argparse
import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time

from zoo_registry import models

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, GLOG_v="3", ONEDNN_MAX_CPU_ISA=os.environ.get("ONEDNN_MAX_CPU_ISA", "AVX2"))
CONFIG = "cpu_small.yaml"
KIND_GLOBS = {"words": "words/val_images/*.jpg", "speech": "speech/TEST/DR*/*/*.WAV", "lines": "lines/val/images/*",
              "plates": "plates/val/images/*"}  # input kind (registry) -> inputs under --inputs
INPUT_GLOBS = {m.name: KIND_GLOBS[m.input_kind] for m in models()}
PHASES = r'''
import sys, time, json
start = time.perf_counter()
import mindspore
imported = time.perf_counter()
sys.path.insert(0, sys.argv[1])
import hub_conf
recognize = hub_conf.pipeline(sys.argv[2], source="local")
loaded = time.perf_counter()
items = sys.argv[3:]
recognize(items[0]); first = time.perf_counter()
recognize(items[0]); warm = time.perf_counter()
recognize(items[:8]); recognize(items[:8]); batch_start = time.perf_counter()
recognize(items[:8]); batch = time.perf_counter()
print(json.dumps({"import mindspore": imported - start, "import model + build + checkpoint": loaded - imported,
                  "first call (compile)": first - loaded, "warm call, 1 item": warm - first,
                  "items/s, warm batch of 8": len(items[:8]) / (batch - batch_start)}))
'''


def cold_cli(model: str, path: str, repeat: int) -> tuple[float, float]:
    """Wall seconds of ``python infer.py`` on one input in fresh processes: the first run with an empty compile
    cache, and the median of ``repeat`` more (which reuse it for the fixed-shape models)."""
    ckpt = os.path.join("release", f"{model}_cpu_small.ckpt")
    times = []
    with tempfile.TemporaryDirectory() as cache:
        for _ in range(repeat + 1):
            start = time.perf_counter()
            subprocess.run([sys.executable, "infer.py", "--config_path", CONFIG, "--checkpoint_path", ckpt,
                            "--device_target", "CPU", "--input", path], cwd=os.path.join(ROOT, model),
                           env=dict(ENV, CTC_ZOO_COMPILE_CACHE=cache), check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:])


def phases(model: str, paths: list[str]) -> dict[str, float]:
    """The pipeline's phases in one fresh process (see the module docstring)."""
    import json  # pylint: disable=import-outside-toplevel
    uid = f"mindspore/cpu/2.10/{model}_cpu_small_v1.0"
    proc = subprocess.run([sys.executable, "-c", PHASES, ROOT, uid, *paths], env=ENV, check=True,
                          capture_output=True, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=",".join(INPUT_GLOBS), help="comma-separated model folders")
    parser.add_argument("--inputs", default=os.path.join(ROOT, "quickstart_output", "zoo_inputs"),
                        help="scripts/zoo.py's synthesized inputs")
    parser.add_argument("--repeat", type=int, default=3, help="cold processes per model after the first (median)")
    args = parser.parse_args()
    for model in args.models.split(","):
        if model not in INPUT_GLOBS:
            parser.error(f"unknown model {model!r}; choose from {', '.join(INPUT_GLOBS)}")
        paths = sorted(glob.glob(os.path.join(args.inputs, INPUT_GLOBS[model])))
        if not paths:
            parser.error(f"no inputs for {model} in {args.inputs}: run python scripts/zoo.py first")
        first, again = cold_cli(model, paths[0], args.repeat)
        found = phases(model, paths)
        cells = "  ".join(f"{k} {v:.2f}" for k, v in found.items())
        print(f"{model:<20} cold infer.py {first:.2f} s, again {again:.2f} s | {cells}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
