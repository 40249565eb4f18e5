"""Real English sentences for the speech synthesizer: the usage examples of WordNet (Debian ``wordnet-base``).

WordNet's glosses quote about 48,000 example sentences ("the children were playing in the yard").  Kept
are those of 4 to 12 words made of letters, apostrophes and commas only, with every word in the system
word list (Debian ``wamerican``), no acronyms, and not from a synset whose gloss marks it offensive.  A
stable hash of the lower-cased sentence sends one sentence in ten to TEST, the others to TRAIN, so the
two splits never share a sentence; neither holds TIMIT's two SA sentences.
"""
from __future__ import annotations

import os
import re
import zlib

from .model_utils.errors import UsageError

WORDNET_DIR = "/usr/share/wordnet"
WORD_LIST = "/usr/share/dict/words"
PARTS_OF_SPEECH = ("noun", "verb", "adj", "adv")
MIN_WORDS, MAX_WORDS = 4, 12
TEST_MODULO = 10
SENTENCE = re.compile(r"[A-Za-z][A-Za-z' ,]*[A-Za-z]")
UNSPEAKABLE_GLOSS = re.compile(r"offensive|obscene|vulgar|derogatory|disparaging|slur|ethnic", re.IGNORECASE)
SA_SENTENCES = ("She had your dark suit in greasy wash water all year.",
                "Don't ask me to carry an oily rag like that.")


def sentence_split(sentence: str) -> str:
    """TRAIN or TEST, from a stable hash of the lower-cased sentence."""
    return "TEST" if zlib.crc32(sentence.lower().encode()) % TEST_MODULO == 0 else "TRAIN"


def sentence_words(sentence: str) -> list[str]:
    """The words of a sentence as TIMIT's .WRD files write them: lower case, no punctuation."""
    return [w.strip(".,").lower() for w in sentence.split()]


def load_sentences(wordnet_dir: str = WORDNET_DIR, word_list: str = WORD_LIST) -> dict[str, list[str]]:
    """The usable example sentences of WordNet, capitalised and ending with a full stop, per split (sorted)."""
    known = _known_words(word_list)
    found = set()
    for pos in PARTS_OF_SPEECH:
        path = os.path.join(wordnet_dir, f"data.{pos}")
        if not os.path.isfile(path):
            raise UsageError(f"WordNet {path} not found: apt-get install wordnet-base")
        with open(path, encoding="latin-1") as f:
            found.update(s for line in f if not line.startswith("  ") for s in _examples(line, known))
    sa = {s.lower() for s in SA_SENTENCES}
    sentences = sorted(s for s in found if s.lower() not in sa)
    return {split: [s for s in sentences if sentence_split(s) == split] for split in ("TRAIN", "TEST")}


def _known_words(word_list: str) -> set[str]:
    if not os.path.isfile(word_list):
        raise UsageError(f"word list {word_list} not found: apt-get install wamerican")
    with open(word_list, encoding="utf-8", errors="ignore") as f:
        return {w.strip().lower() for w in f}


def _examples(line: str, known: set[str]) -> list[str]:
    """The speakable example sentences quoted in one WordNet data line."""
    gloss = line.split("|", 1)[-1]
    if UNSPEAKABLE_GLOSS.search(gloss):
        return []
    out = []
    for text in re.findall(r'"([^"]*)"', gloss):
        text = text.strip()
        tokens = text.replace(",", " ").split()
        if (SENTENCE.fullmatch(text) and MIN_WORDS <= len(tokens) <= MAX_WORDS
                and not any(sum(c.isupper() for c in t) > 1 for t in tokens)
                and all(t.lower() in known or t.lower().replace("'", "") in known for t in tokens)):
            out.append(text[0].upper() + text[1:] + ".")
    return out
