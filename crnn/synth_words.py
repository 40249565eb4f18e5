"""Synthesize word images in the MJSynth / clovaai LMDB layout that train.py and eval.py read (the word
synthesizer ``src/model_utils/word_synth.py`` says how, and which words and font designs only validation gets).

    python synth_words.py --out data/synth --train 150000 --val 2000 --seed 0       # train + unseen-word val
    python synth_words.py --out data/synth_ood --train 0 --val 0 --ood 2000 --seed 0  # out-of-distribution val
    python synth_words.py --out unused --preview words.png                           # a sample sheet only

Writes OUT/train, OUT/val, OUT/ood (LMDBs), OUT/val_images and OUT/ood_images (a few images with a gt.txt)
and OUT/split.json.  The same seed gives the same files whatever the number of --workers.
"""
from src.model_utils.word_synth import main

if __name__ == "__main__":
    main()
