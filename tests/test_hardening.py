"""Bad input gets a clear error and changes nothing: checkpoints (object arrays, file mode,
stale temporaries, malformed or hostile files), state dicts of the wrong dtype or shape,
optimizer settings, data-set helpers and fit on empty data."""
import io
import json
import os
import zipfile

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import Tokenizer, random_split
from minigrad.serialization import STRUCTURE_KEY, CheckpointError
from minigrad.train import fit


# ----------------------------------------------------------------------------- checkpoints
def test_save_refuses_object_arrays_and_writes_nothing(tmp_path):
    target = tmp_path / "bad.npz"
    with pytest.raises(TypeError, match="cannot store an array of Python objects"):
        mg.save({"x": np.array([{"a": 1}], dtype=object)}, target)
    assert not target.exists() and not list(tmp_path.iterdir())


def test_checkpoints_get_the_usual_file_mode_and_stale_temporaries_go(tmp_path):
    target = tmp_path / "model.npz"
    stale = tmp_path / ".model.npz.abc123.tmp"           # a save that was killed
    stale.write_bytes(b"half a checkpoint")
    old_mask = os.umask(0o022)
    try:
        mg.save({"w": np.ones(3)}, target)
    finally:
        os.umask(old_mask)
    assert oct(target.stat().st_mode & 0o777) == "0o644"
    assert not stale.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]


def _archive(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _npy(array, **header) -> bytes:
    buffer = io.BytesIO()
    if header:
        np.lib.format.write_array_header_1_0(buffer, header)
        return buffer.getvalue() + b"\0" * 16
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def _structure(document) -> bytes:
    return _npy(np.array(json.dumps(document)))


HOSTILE = {
    "truncated": lambda good: good[: len(good) // 2],
    "random bytes": lambda good: bytes(range(256)) * 4,
    "a huge array claimed": lambda good: _archive(
        {"a0.npy": _npy(None, descr="<f8", fortran_order=False, shape=(10 ** 12,)),
         STRUCTURE_KEY + ".npy": _structure({"format": "minigrad-checkpoint-1",
                                             "object": {"__array__": "a0"}})}),
    "object dtype": lambda good: _archive({"a0.npy": _npy(np.array([None, 1], dtype=object))}),
    "compressed member": lambda good: _compressed(),
    "deep nesting": lambda good: _archive({STRUCTURE_KEY + ".npy": _npy(np.array(
        '{"format": "minigrad-checkpoint-1", "object": ' + "[" * 100_000 + "]" * 100_000 +
        "}"))}),
    "wrong structure": lambda good: _archive({STRUCTURE_KEY + ".npy": _structure(
        {"format": "minigrad-checkpoint-1", "object": {"__dict__": 5}})}),
    "not a dict": lambda good: _archive({STRUCTURE_KEY + ".npy": _structure([1, 2])}),
    "missing array": lambda good: _archive({STRUCTURE_KEY + ".npy": _structure(
        {"format": "minigrad-checkpoint-1", "object": {"__array__": "a7"}})}),
}


def _compressed() -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, a=np.zeros(10))
    return buffer.getvalue()


@pytest.mark.parametrize("case", HOSTILE)
def test_malformed_checkpoints_raise_the_one_checkpoint_error(case, tmp_path):
    good_path = tmp_path / "good.npz"
    mg.save({"w": np.arange(10.0)}, good_path)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(HOSTILE[case](good_path.read_bytes()))
    with pytest.raises(CheckpointError, match=str(bad).replace(".", r"\.")):
        mg.load(bad)


# ----------------------------------------------------------------------------- state dicts
def test_load_state_dict_checks_dtypes_before_changing_anything():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    before = {k: v.array.copy() for k, v in model.state_dict().items()}
    state = {k: v.array.copy() for k, v in model.state_dict().items()}
    state["0.weight"] = np.ones((2, 2)) * 7                       # fine on its own
    state["1.num_batches_tracked"] = np.array(0.5)                # a fraction into int64
    state["0.bias"] = np.array(["a", "b"])                        # text
    with pytest.raises(RuntimeError, match=r"nothing was changed:\n.*0\.bias: checkpoint dtype "
                                           r"<U1 cannot go into the model's float32; "
                                           r"1\.num_batches_tracked: checkpoint dtype float64"):
        model.load_state_dict(state)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.array, before[key])
    state["0.bias"], state["1.num_batches_tracked"] = np.zeros(2), np.array(3.0)  # whole: fine
    model.load_state_dict(state)
    assert model[1].num_batches_tracked.item() == 3 and model[0].weight.array[0, 0] == 7


def test_optimizer_load_state_dict_checks_state_shapes():
    w = mg.ones(3, requires_grad=True)
    adam = optim.Adam([w], lr=0.1)
    w.grad = mg.ones(3)
    adam.step()
    saved = adam.state_dict()
    saved["state"][0]["exp_avg"] = np.zeros(5)
    fresh = optim.Adam([mg.ones(3, requires_grad=True)], lr=0.5)
    with pytest.raises(ValueError, match=r"state 'exp_avg' of parameter 0 has shape \(5,\), the "
                                         r"parameter \(3,\); nothing was changed"):
        fresh.load_state_dict(saved)
    assert fresh.state == {} and fresh.param_groups[0]["lr"] == 0.5


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.Adam(p, lr=float("nan")), "invalid lr nan"),
    (lambda p: optim.SGD(p, lr=float("inf")), "invalid lr inf"),
    (lambda p: optim.Adam(p, betas=(0.9, float("nan"))), r"betas must be in \[0, 1\)"),
    (lambda p: optim.Adam(p + p), "appear more than once"),
    (lambda p: optim.SGD([{"params": p}, {"params": p}], lr=0.1), "appear more than once"),
])
def test_optimizer_settings_are_checked(make, message):
    with pytest.raises(ValueError, match=message):
        make([mg.ones(2, requires_grad=True)])


# ----------------------------------------------------------------------------- data
def test_data_helpers_refuse_bad_input():
    with pytest.raises(ValueError, match="random_split: lengths must be non-negative"):
        random_split(list(range(4)), [5, -1])
    tokenizer = Tokenizer()
    for texts, message in ((None, "got None"), ("one text", "wrap it in a list"),
                           (["fine", None], "every text must be a string, got NoneType")):
        with pytest.raises(TypeError, match=message):
            tokenizer.fit_on_texts(texts)
    with pytest.raises(TypeError, match="texts_to_sequences"):
        tokenizer.texts_to_sequences(None)


def test_fit_on_empty_data_or_with_a_bad_batch_size_is_a_clear_error():
    model = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="fit: there are no training samples"):
        fit(model, np.zeros((0, 2), np.float32), np.zeros(0, np.int64),
                     loss="sparse_categorical_crossentropy", verbose=0)
    with pytest.raises(ValueError, match="fit: batch_size must be a positive integer, got 0"):
        fit(model, np.zeros((4, 2), np.float32), np.zeros(4, np.int64),
                     loss="sparse_categorical_crossentropy", batch_size=0, verbose=0)
