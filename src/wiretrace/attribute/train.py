"""Make the shipped attribution model from PolNeAR's training texts.

``python -m wiretrace.attribute.train`` writes ``model/attribution.crfsuite``
and ``model/cue_words.txt``; the same inputs and settings give the same
files (CRFsuite's L-BFGS is deterministic).  ``benchmarks/polnear.py`` scores
the result on the dev texts.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import pycrfsuite

from wiretrace.attribute.features import token_features, tokenize
from wiretrace.attribute.tagger import CUE_WORDS_FILE, MODEL_FILE, bio_tags, candidate_runs
from wiretrace.evaluate.polnear import AnnotatedText, read_split

# L1 and L2 weights chosen on PolNeAR dev (BENCHMARKS.md, attribution)
C1, C2, MAX_ITERATIONS = 2.0, 0.01, 250
# a word is a cue word when it is tagged Cue in at least this share of its uses
CUE_SHARE, CUE_MIN_COUNT = 0.3, 3


def learn_cue_words(texts: list[AnnotatedText]) -> frozenset[str]:
    as_cue: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for item in texts:
        tokens = tokenize(item.text)
        tags = bio_tags(tokens, [(s.type, s.start, s.end) for s in item.spans])
        for i, tag in enumerate(tags):
            word = tokens.word(i).lower()
            seen[word] += 1
            if tag.endswith("Cue"):
                as_cue[word] += 1
    return frozenset(w for w, n in as_cue.items()
                     if n >= CUE_MIN_COUNT and n / seen[w] >= CUE_SHARE and w.isalpha())


def train(texts: list[AnnotatedText], model_file: Path = MODEL_FILE,
          cue_file: Path = CUE_WORDS_FILE, c1: float = C1, c2: float = C2,
          max_iterations: int = MAX_ITERATIONS) -> None:
    cues = learn_cue_words(texts)
    trainer = pycrfsuite.Trainer(verbose=False)
    for item in texts:
        tokens = tokenize(item.text)
        tags = bio_tags(tokens, [(s.type, s.start, s.end) for s in item.spans])
        # the runs of sentences the tagger will see (tagger.candidate_runs), so
        # that training and tagging read the same sequences
        for start, end in candidate_runs(tokens, cues):
            trainer.append(token_features(tokens.slice(start, end), cues), tags[start:end])
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": max_iterations,
                        "feature.possible_transitions": True})
    model_file.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(model_file))
    cue_file.write_text("\n".join(sorted(cues)) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_FILE.parent,
                        help="folder for the model files (default: the package's own)")
    parser.add_argument("--c1", type=float, default=C1)
    parser.add_argument("--c2", type=float, default=C2)
    parser.add_argument("--iterations", type=int, default=MAX_ITERATIONS)
    args = parser.parse_args(argv)
    train(read_split("train"), args.out / MODEL_FILE.name, args.out / CUE_WORDS_FILE.name,
          args.c1, args.c2, args.iterations)


if __name__ == "__main__":
    main()
