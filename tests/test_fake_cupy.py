"""The CuPy stand-in refuses what CuPy refuses (each refusal below is one CuPy makes, with its
message), accepts what CuPy accepts, and counts the host's waits and uploads; and the device
path built on it does not wait for the device inside a training step."""
import os

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.train import fit


@pytest.fixture
def cp(cuda):
    import cupy
    if not getattr(cupy, "STAND_IN", False):
        pytest.skip("a real GPU is present: these tests are about the stand-in")
    return cupy


# ----------------------------------------------------------------------------- refusals
def test_no_implicit_conversion_to_numpy(cp):
    x = cp.ones(3)
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array is not allowed"):
        np.asarray(x)
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.array(x)
    assert isinstance(x.get(), np.ndarray) and isinstance(cp.asnumpy(x), np.ndarray)
    assert not hasattr(x, "numpy")


def test_numpy_arrays_are_not_kernel_operands_but_scalars_are(cp):
    x = cp.ones(3)
    for operand in (np.ones(3), np.array(2.0)):   # even a 0-d NumPy array
        with pytest.raises(TypeError, match="Unsupported type <class 'numpy.ndarray'>"):
            x * operand
        with pytest.raises(TypeError, match="Unsupported type"):
            cp.maximum(x, operand)
    assert (x * 2.0).get().tolist() == [2.0] * 3
    assert (x * np.float32(2)).get().tolist() == [2.0] * 3


def test_flags_are_cupys_three(cp):
    flags = cp.ones((2, 3)).T.flags
    assert (flags.c_contiguous, flags.f_contiguous) == (False, True) and flags.owndata is False
    assert not hasattr(flags, "writeable")
    with pytest.raises(KeyError):
        flags["WRITEABLE"]


def test_signatures_are_cupys(cp):
    x = cp.arange(6).reshape(2, 3)
    with pytest.raises(TypeError, match="initial"):
        x.min(initial=0)
    with pytest.raises(TypeError, match="initial"):
        cp.amax(x, axis=0, initial=0)
    with pytest.raises(TypeError, match="sparse"):
        cp.indices((2, 3), sparse=True)
    from cupy.lib.stride_tricks import as_strided
    with pytest.raises(TypeError, match="writeable"):
        as_strided(x, (3,), (8,), writeable=False)


def test_where_needs_an_array_condition(cp):
    with pytest.raises(AttributeError, match="astype"):
        cp.where(True, cp.ones(2), 0)
    assert cp.where(cp.ones(2) > 0, cp.ones(2), 0).get().tolist() == [1.0, 1.0]


def test_indices_and_assigned_values_may_come_from_the_host(cp):
    x = cp.zeros(4)
    x[np.array([0, 2])] = np.array([1.0, 3.0])       # both copied to the device, as CuPy does
    x[[1]] = 2.0
    assert x.get().tolist() == [1.0, 2.0, 3.0, 0.0]
    assert isinstance(x[1], cp.ndarray) and x[1].ndim == 0   # a 0-d array, not a scalar


def test_numpy_functions_dispatch_to_cupy(cp):
    x = cp.ones((2, 2))
    assert isinstance(np.exp(x), cp.ndarray) and isinstance(np.sum(x, axis=0), cp.ndarray)


def test_host_reads_and_uploads_are_counted(cp):
    syncs, uploads = cp.host_syncs(), cp.host_to_device_copies()
    x = cp.asarray(np.ones(3))
    float(x.sum()), x.tolist(), bool(x[0] > 0), x.get()
    assert cp.host_syncs() - syncs == 4 and cp.host_to_device_copies() - uploads == 1


# ----------------------------------------------------------------------------- minigrad on it
def _p2(device):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10)).to(device)
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.standard_normal((128, 784)).astype(np.float32), device=device)
    y = mg.tensor(rng.integers(0, 10, 128), device=device)
    return model, optim.Adam(model.parameters(), lr=1e-3), x, y


def test_a_p2_training_step_never_waits_for_the_device(cp):
    """Measured with the stand-in: 3 host syncs per step before the targets' range check
    moved to the device (``backend.ensure``); 0 now."""
    model, optimizer, x, y = _p2("cuda")
    before = cp.host_syncs()
    for _ in range(3):
        optimizer.zero_grad()
        nn.CrossEntropyLoss()(model(x), y).backward()
        optimizer.step()
    assert cp.host_syncs() - before == 0


def test_fit_reads_the_device_once_per_epoch_not_per_batch(cp):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((96, 8)).astype(np.float32), rng.integers(0, 3, 96)
    model = nn.Sequential(nn.Linear(8, 3))
    before = cp.host_syncs()
    fit(model, x, y, nn.CrossEntropyLoss(), epochs=2, batch_size=16, verbose=0,
                 device="cuda")
    assert cp.host_syncs() - before <= 2 * 3     # loss, accuracy, deferred checks per epoch


def test_a_bad_target_on_the_device_is_reported_at_the_next_read(cp):
    logits = mg.zeros(3, 4, device="cuda", requires_grad=True)
    loss = mg.functional.cross_entropy(logits, mg.tensor([0, 7, 1], device="cuda"))
    with pytest.raises(IndexError, match="cross_entropy: target 7 is out of range for 4 "
                                         "classes"):
        loss.item()


def test_dropout_masks_are_drawn_on_the_device(cp):
    x = mg.ones(64, 64, device="cuda", requires_grad=True)
    uploads = cp.host_to_device_copies()
    y = mg.functional.dropout(x, 0.5)
    y.sum().backward()
    assert cp.host_to_device_copies() == uploads and y.device == "cuda"
    kept = float(to_host(y.data != 0).mean())
    assert 0.4 < kept < 0.6


def test_number_exponent_and_device_data_in_fit(cp):
    t = mg.tensor([1.0, -2.0, 3.0], device="cuda", requires_grad=True)
    (t ** 2).sum().backward()
    assert to_host(t.grad.data).tolist() == [2.0, -4.0, 6.0]
    x = cp.asarray(np.random.default_rng(0).standard_normal((32, 4)).astype(np.float32))
    y = cp.asarray(np.arange(32) % 2)
    history = fit(nn.Linear(4, 2), x, y, nn.CrossEntropyLoss(), epochs=1,
                           validation_split=0.25, verbose=0, device="cuda")
    assert np.isfinite(history.history["val_loss"][0])


def to_host(array):
    return mg.backend.to_device(array, "cpu")


# ----------------------------------------------------------------------------- no silent fallback
def test_require_gpu_turns_every_fallback_into_an_error(monkeypatch):
    from minigrad_kernels import runtime
    gpu, simulated = mg.cuda.is_available(), runtime.simulated()
    monkeypatch.setenv("MINIGRAD_REQUIRE_GPU", "1")
    if not gpu:
        with pytest.raises(RuntimeError, match="MINIGRAD_REQUIRE_GPU=1 but there is no usable"):
            mg.cuda.device_count()
        with pytest.raises(RuntimeError, match="MINIGRAD_REQUIRE_GPU=1 but CuPy cannot reach"):
            runtime.gpu_present()
    if simulated:
        monkeypatch.setenv("NUMBA_ENABLE_CUDASIM", "1")   # inherited, say
        with pytest.raises(RuntimeError, match="simulator is selected.*refusing to fall back"):
            runtime.use_simulator_unless_gpu()
    assert os.environ["MINIGRAD_REQUIRE_GPU"] == "1"
