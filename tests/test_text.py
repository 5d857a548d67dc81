"""Tokenizer and pad_sequences follow Keras' semantics."""
import numpy as np
import pytest

from minigrad.data import Tokenizer, pad_sequences

TEXTS = ["The movie was good, really good!", "the plot was not good", "Bad acting."]


def test_word_index_by_frequency_with_first_seen_ties():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(TEXTS)
    assert tokenizer.word_index == {"good": 1, "the": 2, "was": 3, "movie": 4, "really": 5,
                                    "plot": 6, "not": 7, "bad": 8, "acting": 9}
    assert tokenizer.texts_to_sequences(["good movie, unknown word"]) == [[1, 4]]


def test_oov_token_and_num_words():
    tokenizer = Tokenizer(num_words=4, oov_token="<OOV>")
    tokenizer.fit_on_texts(TEXTS)
    assert tokenizer.word_index["<OOV>"] == 1 and tokenizer.word_index["good"] == 2
    # indices >= num_words become the OOV index
    assert tokenizer.texts_to_sequences(["good the movie zebra"]) == [[2, 3, 1, 1]]


def test_pad_sequences_pre_and_post():
    sequences = [[1, 2, 3, 4], [5], []]
    np.testing.assert_array_equal(pad_sequences(sequences, maxlen=3),
                                  [[2, 3, 4], [0, 0, 5], [0, 0, 0]])
    np.testing.assert_array_equal(pad_sequences(sequences, maxlen=3, padding="post",
                                                truncating="post", value=-1),
                                  [[1, 2, 3], [5, -1, -1], [-1, -1, -1]])
    assert pad_sequences(sequences).shape == (3, 4)
    with pytest.raises(ValueError, match="padding must be 'pre' or 'post'"):
        pad_sequences(sequences, padding="middle")
