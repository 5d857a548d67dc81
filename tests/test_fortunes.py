"""The fortune-quotation loader: Debian's file format, labels, duplicates, clear errors."""
from pathlib import Path

import numpy as np
import pytest

from conftest import write_fortune_files
from minigrad.data import DatasetNotFound, fortune_sequences, fortunes
from minigrad.data.fortune_files import read_quotations


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MINIGRAD_FORTUNES", str(tmp_path / "f"))
    write_fortune_files(tmp_path / "f", {
        "cats": ["A cat sat.", "Cats   purr.\n\t-- Anon", "Shared words."],
        "dogs": ["A dog barked.", "Shared words.", "A dog barked."],
        "tiny": ["Only one."]})
    (tmp_path / "f" / "notes.txt").write_text("not a fortune file: it has no .dat index")
    return tmp_path / "f"


def test_reads_categories_labels_and_drops_what_two_categories_share(folder):
    texts, labels, names = fortunes(["cats", "dogs"])
    assert names == ("cats", "dogs")
    assert texts == ["A cat sat.", "Cats   purr.\n\t-- Anon", "A dog barked."]  # shared: gone;
    assert labels.tolist() == [0, 0, 1] and labels.dtype == np.int64          # repeat: once


def test_all_categories_by_default_and_min_count(folder):
    assert fortunes()[2] == ("cats", "dogs", "tiny")      # notes.txt has no index: not a category
    assert fortunes(min_count=2)[2] == ("cats", "dogs")


def test_overstriking_and_percent_lines(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"_\bb_\bo_\bl_\bd text\n%\n\n%  \nsecond\nline\n%\n")
    assert read_quotations(path) == ["bold text", "second\nline"]


def test_missing_files_say_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("MINIGRAD_FORTUNES", str(tmp_path))
    monkeypatch.setattr("minigrad.data.fortune_files.SYSTEM_FOLDERS", (str(tmp_path / "none"),))
    with pytest.raises(DatasetNotFound, match=r"apt-get install fortunes fortunes-min.*"
                                              r"MINIGRAD_FORTUNES"):
        fortunes()


def test_unknown_category_lists_the_real_ones(folder):
    with pytest.raises(ValueError, match=r"no category 'birds'; the categories here are "
                                         r"cats, dogs, tiny"):
        fortunes(["cats", "birds"])


def test_sequences_are_shuffled_and_the_tokenizer_sees_only_training_text(folder):
    sequences, labels, tokenizer, names = fortune_sequences(["cats", "dogs"], maxlen=4, seed=1)
    texts, raw_labels, _ = fortunes(["cats", "dogs"])
    order = np.random.default_rng(1).permutation(3)
    assert labels.tolist() == raw_labels[order].tolist() and sequences.shape == (3, 4)
    training_words = {w for i in order[:2] for w in tokenizer.split(texts[i])}
    assert set(tokenizer.word_index) == training_words


@pytest.mark.skipif(not Path("/usr/share/games/fortunes/computers.dat").exists(),
                    reason="Debian's fortunes package is not installed (.ci/run installs it)")
def test_debian_fortunes_when_installed(monkeypatch):
    monkeypatch.delenv("MINIGRAD_FORTUNES", raising=False)
    texts, labels, names = fortunes(["computers", "men-women"])
    assert len(texts) > 1500 and set(labels.tolist()) == {0, 1}
    assert all("%" != t.strip() and t == t.strip() for t in texts)
