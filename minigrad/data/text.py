"""Text to integer sequences, with Keras' ``Tokenizer`` and ``pad_sequences`` semantics (so
seed 004's P8 listing ports unchanged)."""
from __future__ import annotations

from collections import Counter

import numpy as np

KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


class Tokenizer:
    """Index words by frequency: the most frequent word gets 1 (0 is left for padding).
    With ``oov_token`` that token takes index 1 and stands for every unknown word;
    ``num_words`` keeps only indices below it when converting texts."""

    def __init__(self, num_words: int | None = None, oov_token: str | None = None,
                 filters: str = KERAS_FILTERS, lower: bool = True):
        self.num_words, self.oov_token = num_words, oov_token
        self.filters, self.lower = filters, lower
        self.word_counts: Counter = Counter()
        self.word_index: dict = {}
        self.index_word: dict = {}

    def split(self, text: str) -> list:
        """Lower-case, replace the filter characters by spaces, split on whitespace."""
        if self.lower:
            text = text.lower()
        return text.translate(str.maketrans(self.filters, " " * len(self.filters))).split()

    def fit_on_texts(self, texts) -> None:
        for text in _checked_texts("fit_on_texts", texts):
            self.word_counts.update(self.split(text))
        # by count, descending; ties keep the order in which words were first seen
        ordered = sorted(self.word_counts, key=lambda w: -self.word_counts[w])
        if self.oov_token is not None:
            ordered = [self.oov_token] + [w for w in ordered if w != self.oov_token]
        self.word_index = {word: i + 1 for i, word in enumerate(ordered)}
        self.index_word = {i: word for word, i in self.word_index.items()}

    def texts_to_sequences(self, texts) -> list:
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        limit = self.num_words or float("inf")
        sequences = []
        for text in _checked_texts("texts_to_sequences", texts):
            sequence = []
            for word in self.split(text):
                index = self.word_index.get(word)
                if index is None or index >= limit:
                    index = oov
                if index is not None:
                    sequence.append(index)
            sequences.append(sequence)
        return sequences


def pad_sequences(sequences, maxlen: int | None = None, dtype="int32", padding: str = "pre",
                  truncating: str = "pre", value=0) -> np.ndarray:
    """A (len(sequences), maxlen) array: longer sequences lose their start ('pre') or end
    ('post'); shorter ones are filled with ``value`` before ('pre') or after ('post')."""
    for name, option in (("padding", padding), ("truncating", truncating)):
        if option not in ("pre", "post"):
            raise ValueError(f"pad_sequences: {name} must be 'pre' or 'post', got {option!r}")
    maxlen = max((len(s) for s in sequences), default=0) if maxlen is None else maxlen
    out = np.full((len(sequences), maxlen), value, dtype=dtype)
    for row, sequence in enumerate(sequences):
        kept = list(sequence)[-maxlen:] if truncating == "pre" else list(sequence)[:maxlen]
        if maxlen == 0 or not kept:
            continue
        if padding == "pre":
            out[row, maxlen - len(kept):] = kept
        else:
            out[row, :len(kept)] = kept
    return out


def _checked_texts(method: str, texts) -> list:
    """The texts as a list of strings, or a clear error (None, a bare string, non-strings)."""
    if texts is None or isinstance(texts, str):
        raise TypeError(f"Tokenizer.{method}: expected a list of texts, got "
                        f"{'None' if texts is None else 'one string (wrap it in a list)'}")
    texts = list(texts)
    bad = [t for t in texts if not isinstance(t, str)]
    if bad:
        bad = bad[0]
        raise TypeError(f"Tokenizer.{method}: every text must be a string, got "
                        f"{type(bad).__name__}: {bad!r}")
    return texts


def padded_sequences(texts, maxlen: int = 100, train_fraction: float = 0.8):
    """P8's preprocessing: a Tokenizer fitted on the first ``train_fraction`` of the texts
    (the training part: test words stay unknown, as they would be), and every text as a
    pre-padded sequence of length ``maxlen``: (sequences int32 (N, maxlen), tokenizer)."""
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(texts[:int(train_fraction * len(texts))])
    return pad_sequences(tokenizer.texts_to_sequences(texts), maxlen=maxlen), tokenizer


def sentiment_sequences(samples: int = 10000, maxlen: int = 100, seed: int = 0):
    """The generated reviews (``sentiment_corpus``, a small and easy test fixture) through
    ``padded_sequences``: (sequences, labels, tokenizer), the first 80% for training."""
    from .sentiment import sentiment_corpus
    texts, labels = sentiment_corpus(samples, seed=seed)
    sequences, tokenizer = padded_sequences(texts, maxlen)
    return sequences, labels, tokenizer


def fortune_sequences(categories, maxlen: int = 100, seed: int = 0, root=None):
    """Real text for P8: the quotations of the fortune ``categories`` (``data.fortunes``),
    shuffled with ``seed`` (so the classes mix), through ``padded_sequences``:
    (sequences, labels, tokenizer, category names), the first 80% for training."""
    from .fortune_files import fortunes
    texts, labels, names = fortunes(categories, root=root)
    order = np.random.default_rng(seed).permutation(len(texts))
    sequences, tokenizer = padded_sequences([texts[i] for i in order], maxlen)
    return sequences, labels[order], tokenizer, names


def bag_of_words(sequences: np.ndarray, vocabulary: int) -> np.ndarray:
    """Word counts per text (padding index 0 dropped): the features of the baseline."""
    counts = np.zeros((len(sequences), vocabulary + 1), np.float32)
    np.add.at(counts, (np.repeat(np.arange(len(sequences)), sequences.shape[1]),
                       sequences.reshape(-1)), 1)
    return counts[:, 1:]
