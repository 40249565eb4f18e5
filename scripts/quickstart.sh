#!/bin/bash
# Quick start on a CPU: install; with no --model, first the whole zoo (scripts/zoo.py, about 1 minute on 2 cores:
# fresh inputs for every model through every released checkpoint with hub_conf.pipeline, one table and
# quickstart_output/zoo.png); then synthesize data (words; speech in TIMIT's layout for ctcmodel; handwriting-like
# Chinese lines for handwritten_zh; license plates for convtransformer_ocr), evaluate the released cpu_small
# checkpoint of a model (CNN-CTC by default), recognise a few inputs, fine-tune it in graph mode, export MINDIR, run
# the exported model, and load it through the hub API (about 5 minutes).
#
# Usage: bash scripts/quickstart.sh [options]
#   --model NAME       only this model's walk-through (no zoo): a folder with a zoo.yaml, e.g. cnnctc (default after
#                      the zoo), crnn, ctcmodel, handwritten_zh or convtransformer_ocr
#   --from-scratch     train a fresh network instead of fine-tuning the released checkpoint
#   --lmdb TRAIN[,EVAL] train (and evaluate) on your own LMDB(s) instead of synthesized words
#   --full             use the full-size zoo network (default_config.yaml; slow on a CPU: a few steps only)
#   --steps N          training steps (default: quickstart_steps of the model's zoo.yaml, 300 for the word models,
#                      ctcmodel 150, handwritten_zh 60, convtransformer_ocr 100; 20 with --full)
#   --out DIR          working folder (default ./quickstart_output)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/quickstart_output"; MODEL=cnnctc; ZOO=1; FROM_SCRATCH=0; LMDB=""; FULL=0; STEPS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --model) MODEL="$2"; ZOO=0; shift ;;
    --from-scratch) FROM_SCRATCH=1 ;;
    --lmdb) LMDB="$2"; shift ;;
    --full) FULL=1 ;;
    --steps) STEPS="$2"; shift ;;
    --out) OUT="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
# per model, from its zoo.yaml (scripts/zoo_registry.py): released checkpoint, hub card of the
# released checkpoint, input kind (words, speech, lines or plates: the data made below) and its synthesizer,
# default training steps
zoo_value() { sed -n "s/^$1: *//p" "$ROOT/$MODEL/zoo.yaml"; }
if [ ! -f "$ROOT/$MODEL/zoo.yaml" ]; then
  echo "error: --model must be a model folder (one with a zoo.yaml): $(cd "$ROOT" && ls -d */zoo.yaml | \
    sed 's|/zoo.yaml||' | paste -sd, - | sed 's/,/, /g'), got '$MODEL'" >&2
  exit 2
fi
CKPT_RELEASED="$ROOT/$MODEL/$(zoo_value release)"
PREFIX="$(sed -n '/^---/q; s/^ckpt_prefix: *//p' "$ROOT/$MODEL/default_config.yaml")"  # <prefix>-<step>.ckpt
HUB_UID="$(zoo_value hub_uid)"; KIND="$(zoo_value input_kind)"; DEFAULT_STEPS="$(zoo_value quickstart_steps)"
SYNTH="$ROOT/$MODEL/$(zoo_value synthesizer)"
if [ -n "$LMDB" ] && [ "$KIND" != words ]; then
  echo "error: --lmdb is for the word models; $MODEL reads its own data (see $MODEL/README.md)" >&2
  exit 2
fi
START=$(date +%s)
banner() { echo; echo "==== [$1/7] $2   (+$(( $(date +%s) - START ))s)"; }

banner 1 "installing Debian and Python packages (into .venv unless an environment is active)"
PY="$(bash "$ROOT/scripts/setup_env.sh")"
export PATH="$(dirname "$PY"):$PATH"   # python3 below is the environment's
export GLOG_v=3 ONEDNN_MAX_CPU_ISA=${ONEDNN_MAX_CPU_ISA:-AVX2}

if [ $ZOO -eq 1 ]; then
  echo; echo "==== [zoo] every released checkpoint on fresh inputs through hub_conf.pipeline   (+$(( $(date +%s) - START ))s)"
  ZOO_START=$(date +%s)
  python3 "$ROOT/scripts/zoo.py" --out "$OUT"
  echo "the zoo part took $(( $(date +%s) - ZOO_START ))s; now the walk-through of $MODEL (--model NAME for another)"
fi

CONFIG=cpu_small.yaml
if [ $FULL -eq 1 ]; then CONFIG=default_config.yaml; FROM_SCRATCH=1; fi
MODEL_ARGS=(--config_path "$CONFIG" --device_target CPU)
[ $FULL -eq 1 ] && MODEL_ARGS+=(--train_batch_size 8 --eval_batch_size 32)
[ $FULL -eq 1 ] && [ "$KIND" != speech ] && MODEL_ARGS+=(--num_workers 2)

first_lines() {  # first_lines GT N OUT: a list of the first N images of a gt.txt, with absolute paths
  sed -n "1,$2p" "$1" | sed "s|^|$(dirname "$1")/|" > "$3"; echo "$3"
}

if [ "$KIND" = speech ]; then
  banner 2 "synthesizing speech in TIMIT's layout (unseen voices in TEST), then its features (MindRecord)"
  python3 "$SYNTH" --out "$OUT/timit" --train_speakers 40 --test_speakers 8 \
    --utterances_per_speaker 5 --seed 1
  python3 "$ROOT/$MODEL/preprocess_data.py" --dataset_dir "$OUT/timit" --out_dir "$OUT/features"
  TRAIN_DATA="$OUT/features/train.mindrecord"; EVAL_DATA="$OUT/features/test.mindrecord"
  INPUTS="$(find "$OUT/timit/TEST" -name 'SX*.WAV' | sort | head -4 | paste -sd, -)"
  MODEL_ARGS+=(--lm_path "$OUT/features/phone_bigram.npz")
elif [ "$KIND" = lines ]; then
  banner 2 "synthesizing handwriting-like Chinese lines (a font family unseen in training in val)"
  python3 "$SYNTH" --out "$OUT/lines" --train 600 --val 200 --seed 1 --workers 2
  TRAIN_DATA="$OUT/lines/train/gt.txt"; EVAL_DATA="$OUT/lines/val/gt.txt"
  INPUTS="$(first_lines "$EVAL_DATA" 6 "$OUT/lines/some_val.txt")"
  MODEL_ARGS+=(--width_step 256)  # fewer padded widths: fewer graphs to compile in a short run
elif [ "$KIND" = plates ]; then
  banner 2 "synthesizing license plates (styles and noise levels unseen in training in val)"
  python3 "$SYNTH" --out "$OUT/plates" --train 2000 --val 500 --seed 1 --workers 2
  TRAIN_DATA="$OUT/plates/train"; EVAL_DATA="$OUT/plates/val"
  INPUTS="$(first_lines "$EVAL_DATA/gt.txt" 8 "$OUT/plates/some_val.txt")"
elif [ -n "$LMDB" ]; then
  banner 2 "using your LMDBs"
  TRAIN_DATA="${LMDB%%,*}"; EVAL_DATA="${LMDB#*,}"
  [ -d "$TRAIN_DATA" ] || { echo "error: training LMDB '$TRAIN_DATA' is not a directory" >&2; exit 2; }
  [ -d "$EVAL_DATA" ] || { echo "error: evaluation LMDB '$EVAL_DATA' is not a directory" >&2; exit 2; }
  TRAIN_DATA="$(cd "$TRAIN_DATA" && pwd)"; EVAL_DATA="$(cd "$EVAL_DATA" && pwd)"
  echo "using $TRAIN_DATA for training, $EVAL_DATA for evaluation"
  INPUTS="$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); from src.model_utils.word_synth import \
export_images; print(export_images(sys.argv[2], sys.argv[3], 12))' "$ROOT/$MODEL" "$EVAL_DATA" "$OUT/eval_images")"
else
  banner 2 "synthesizing a word dataset (unseen words and fonts in val)"
  # 1,500 training words: 300 steps of 16 pass over them ~3 times, so the fine-tuning loss visibly falls
  python3 "$SYNTH" --out "$OUT/data" --train 1500 --val 1000 --seed 1 --export_val_images 12
  TRAIN_DATA="$OUT/data/train"; EVAL_DATA="$OUT/data/val"; INPUTS="$OUT/data/val_images/gt.txt"
fi
[ "$KIND" = words ] || STEPS="${STEPS:-$DEFAULT_STEPS}"  # --full's 20 steps are for the word models
cd "$ROOT/$MODEL"

if [ $FROM_SCRATCH -eq 0 ]; then
  banner 3 "evaluating the released checkpoint $(basename "$CKPT_RELEASED")"
  (cd "$(dirname "$CKPT_RELEASED")" && sha256sum -c "$(basename "$CKPT_RELEASED").sha256")
  python3 eval.py "${MODEL_ARGS[@]}" --checkpoint_path "$CKPT_RELEASED" --eval_dataset_path "$EVAL_DATA"
  echo; echo "recognising a few validation inputs:"
  python3 infer.py "${MODEL_ARGS[@]}" --checkpoint_path "$CKPT_RELEASED" --input "$INPUTS"
  TRAIN_ARGS=(--pretrained "$CKPT_RELEASED" --base_lr 0.0001 --warmup_steps 20 --max_steps "${STEPS:-$DEFAULT_STEPS}")
  WHAT="fine-tuning the released checkpoint"
else
  banner 3 "skipping the released checkpoint (training from scratch)"
  TRAIN_ARGS=(--max_steps "${STEPS:-$([ $FULL -eq 1 ] && echo 20 || echo "$DEFAULT_STEPS")}")
  WHAT="training from scratch"
fi

banner 4 "$WHAT in graph mode on the CPU (loss curve: $OUT/train/loss.png)"
rm -rf "$OUT/train"
python3 train.py "${MODEL_ARGS[@]}" "${TRAIN_ARGS[@]}" --train_dataset_path "$TRAIN_DATA" \
  --eval_dataset_path "$EVAL_DATA" --eval_interval 100000 --log_interval 20 --save_checkpoint_steps 100 \
  --save_dir "$OUT/train"
CKPT="$(ls -t "$OUT"/train/ckpt/"$PREFIX"-*.ckpt | head -1)"
python3 - "$OUT/train/loss.csv" <<'PY'
import csv, sys
losses = [float(r["loss"]) for r in csv.DictReader(open(sys.argv[1]))]
k = max(1, len(losses) // 5)
print(f"mean loss over the first {k} steps {sum(losses[:k]) / k:.3f} -> last {k} steps {sum(losses[-k:]) / k:.3f}")
PY

banner 5 "exporting MINDIR (dynamic batch)"
python3 export.py "${MODEL_ARGS[@]}" --checkpoint_path "$CKPT" --file_name "$OUT/$MODEL" --file_format MINDIR

banner 6 "running the exported MINDIR"
python3 infer.py "${MODEL_ARGS[@]}" --checkpoint_path "$OUT/$MODEL.mindir" --input "$INPUTS" \
  --output "$OUT/predictions.tsv"

banner 7 "loading the model through the hub API (import hub_conf as mshub)"
cd "$ROOT"
python3 -m hub_conf load "$HUB_UID" --source local
echo; echo "quick start done in $(( $(date +%s) - START ))s; outputs in $OUT"
