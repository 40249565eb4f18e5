"""Make CRNN's word data: ``python synth_words.py --out data/synth --train 150000 --val 2000 --seed 0`` writes
word LMDBs (MJSynth / clovaai layout) that train.py and eval.py read; ``--ood N`` adds unseen font designs,
``--preview PNG`` only draws a sample sheet.  How: ``src/model_utils/word_synth.py`` (``--help``)."""
from src.model_utils.word_synth import main

if __name__ == "__main__":
    main()
