"""Attribution spans scored on PolNeAR dev, beside the published figures.

Tags every dev text with the shipped model (or with a model trained here on
the train texts, ``--train DIR``), reads the tags back as spans, and prints
precision, recall and F1 for Source, Cue and Content spans, exact and
overlapping (see ``wiretrace.evaluate.polnear``), plus the tagging speed.

    python benchmarks/polnear.py                    # the shipped model
    python benchmarks/polnear.py --train /tmp/m     # train on train/, then score
    python benchmarks/polnear.py --train /tmp/m --c1 0.1 --c2 0.01
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pycrfsuite

from wiretrace.attribute import tagger
from wiretrace.attribute.features import token_features, tokenize
from wiretrace.attribute.train import C1, C2, MAX_ITERATIONS, train
from wiretrace.evaluate.polnear import SPAN_TYPES, SpanScore, read_split, score_spans

# exact-match F1 on PolNeAR test as published (CofeNet, Wang et al. 2022)
PUBLISHED = {"CofeNet (BERT)": (83.2, 75.3, 72.9), "BERT-CRF": (82.2, 74.9, 71.0),
             "rules": (10.7, 22.8, 5.6)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, help="train a model into this folder first")
    parser.add_argument("--c1", type=float, default=C1)
    parser.add_argument("--c2", type=float, default=C2)
    parser.add_argument("--iterations", type=int, default=MAX_ITERATIONS)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--every-sentence", action="store_true",
                        help="tag every sentence, not only those with a cue word or a quote")
    args = parser.parse_args()

    model_file, cue_file = tagger.MODEL_FILE, tagger.CUE_WORDS_FILE
    if args.train:
        model_file = args.train / tagger.MODEL_FILE.name
        cue_file = args.train / tagger.CUE_WORDS_FILE.name
        started = time.perf_counter()
        train(read_split("train"), model_file, cue_file, args.c1, args.c2, args.iterations)
        print(f"trained in {time.perf_counter() - started:.0f} s "
              f"(c1={args.c1}, c2={args.c2}, {args.iterations} iterations)")
    crf = pycrfsuite.Tagger()
    crf.open(str(model_file))
    cues = frozenset(cue_file.read_text(encoding="utf-8").split())

    texts = read_split(args.split)
    scores: dict[str, SpanScore] = {}
    started = time.perf_counter()
    words = 0
    for item in texts:
        tokens = tokenize(item.text)
        words += len(tokens)
        predicted = tagger.spans_from_tags(
            crf.tag(token_features(tokens, cues)) if args.every_sentence
            else tagger.tag(tokens, crf, cues))
        gold = tagger.spans_from_tags(
            tagger.bio_tags(tokens, [(s.type, s.start, s.end) for s in item.spans]))
        score_spans(gold, predicted, scores)
    seconds = time.perf_counter() - started

    print(f"PolNeAR {args.split}: {len(texts)} texts, {words:,} tokens, "
          f"tagged in {seconds:.1f} s ({len(texts) / seconds:.0f} texts/s, one core)")
    print(f"{'span':8} {'gold':>6} {'pred':>6}   exact P / R / F1        overlap P / R / F1")
    for kind in SPAN_TYPES:
        s = scores[kind]
        ep, er, ef = s.exact_prf()
        op, orr, of = s.overlap_prf()
        print(f"{kind:8} {s.gold:6} {s.predicted:6}   {ep:5.1%} {er:5.1%} {ef:5.1%}"
              f"     {op:5.1%} {orr:5.1%} {of:5.1%}")
    print("\npublished exact F1 on PolNeAR test (source / cue / content):")
    for name, (src, cue, content) in PUBLISHED.items():
        print(f"  {name:16} {src:5.1f} {cue:5.1f} {content:5.1f}")


if __name__ == "__main__":
    main()
