"""Synthesize CNN-CTC's training and validation words (the word synthesizer ``src/model_utils/word_synth.py``
says how, and which words and font designs only validation gets):

    python synth_words.py --out data/synth --train 150000 --val 2000 --seed 0
    python synth_words.py --out data/synth_clean --train 60000 --val 0 --seed 100 --style clean

Writes OUT/train and OUT/val (LMDBs in the MJSynth / clovaai layout that train.py and eval.py read), a few
validation images with a gt.txt and OUT/split.json.  The same seed gives the same files whatever --workers is.
"""
from src.model_utils.word_synth import main

if __name__ == "__main__":
    main()
