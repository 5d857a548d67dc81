"""A generated sentiment corpus where word order matters (for seed program P8).

Each review has two clauses joined by "but", e.g.

    "the acting was really great but the ending was not good"

A clause is "the <aspect> was [not] [intensifier] <adjective>"; its polarity is the adjective's
(+1 or -1), flipped by "not".  The review's label is the polarity of the clause *after* "but"
(1 = positive).  Both clauses draw their adjective and negation independently, so the bag of
words (which adjectives and how many "not"s occur) often cannot tell which clause carries the
label or which adjective a "not" belongs to: a bag-of-words model is stuck well below a model
that reads the words in order.  Intensifiers and a few filler openings add variety without
changing any label.
"""
from __future__ import annotations

import numpy as np

POSITIVE = ("good", "great", "excellent", "wonderful", "brilliant", "enjoyable", "superb",
            "charming", "moving", "delightful")
NEGATIVE = ("bad", "awful", "terrible", "boring", "dull", "weak", "poor", "messy", "tedious",
            "disappointing")
ASPECTS = ("movie", "plot", "acting", "ending", "music", "script", "cast", "story", "pacing",
           "dialogue", "camera work", "soundtrack")
INTENSIFIERS = ("very", "really", "truly", "extremely", "quite")
OPENINGS = ("", "honestly", "overall", "to be fair", "in my opinion", "i think")


def _clause(rng) -> tuple[str, int]:
    positive = rng.random() < 0.5
    negated = rng.random() < 0.5
    words = ["the", ASPECTS[rng.integers(len(ASPECTS))], "was"]
    if negated:
        words.append("not")
    if rng.random() < 0.4:
        words.append(INTENSIFIERS[rng.integers(len(INTENSIFIERS))])
    pool = POSITIVE if positive else NEGATIVE
    words.append(pool[rng.integers(len(pool))])
    return " ".join(words), 1 if positive != negated else 0


def sentiment_corpus(n: int = 10000, seed: int = 0):
    """(texts, labels int64 (n,)): n generated reviews, labels balanced in expectation."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(n):
        first, _ = _clause(rng)
        second, label = _clause(rng)
        opening = OPENINGS[rng.integers(len(OPENINGS))]
        texts.append(" ".join(part for part in (opening, first, "but", second) if part))
        labels.append(label)
    return texts, np.array(labels, dtype=np.int64)
