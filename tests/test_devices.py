"""Devices: every catalogued op on every device equals its CPU result, values and gradients
(parametrized by device: the "cuda" cases run when CuPy sees a GPU and skip cleanly without
one), and asking for "cuda" where there is none is a clear error that changes nothing."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.autograd import check_one_device
from minigrad.opcheck import _cases, _layer_cases

GPU = mg.cuda.is_available()
DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not GPU, reason="no GPU"))]


def catalogue() -> dict:
    rng = np.random.default_rng(0)
    return {**_cases(rng), **_layer_cases(rng)}


def run_on(device: str, name: str):
    """The op's output and its inputs' gradients (of output·weights) computed on ``device``."""
    fn, inputs = catalogue()[name]
    moved = [t.detach().to(device).requires_grad_() for t in inputs]
    out = fn(*moved)
    out = out[0] if isinstance(out, tuple) else out
    weights = mg.tensor(np.random.default_rng(1).standard_normal(out.shape), device=device)
    (out * weights.to(out.dtype)).sum().backward()
    return out.numpy(), [t.grad.numpy() for t in moved]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", sorted(catalogue()))
def test_op_on_device_equals_cpu(device, name):
    out, grads = run_on(device, name)
    expected_out, expected_grads = run_on("cpu", name)
    np.testing.assert_allclose(out, expected_out, rtol=1e-10, atol=1e-12)
    for grad, expected in zip(grads, expected_grads):
        np.testing.assert_allclose(grad, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("device", DEVICES)
def test_a_model_trains_on_device(device):
    """A model, its optimizer and its loss live where the model was moved."""
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)).to(device)
    optimizer = mg.optim.Adam(model.parameters(), lr=0.05)
    rng = np.random.default_rng(0)
    features = rng.standard_normal((32, 4))
    x = mg.tensor(features, dtype=mg.float32, device=device)
    y = mg.tensor(features[:, :3].argmax(axis=1), device=device)  # learnable labels
    losses = []
    for _ in range(30):
        optimizer.zero_grad()
        loss = nn.CrossEntropyLoss()(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert all(p.device == device for p in model.parameters())
    assert losses[-1] < 0.5 * losses[0]


@pytest.mark.skipif(GPU, reason="checks the machine without a GPU")
def test_cuda_without_a_gpu_is_a_clear_error_and_changes_nothing():
    assert mg.cuda.device_count() == 0 and not mg.cuda.is_available()
    with pytest.raises(RuntimeError, match="cuda"):
        mg.randn(2, 3).cuda()
    with pytest.raises(RuntimeError, match="cuda"):
        mg.zeros(2, device="cuda")
    model = nn.Linear(3, 2)
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    with pytest.raises(RuntimeError, match="cuda"):
        model.to("cuda")
    assert all(p.device == "cpu" for p in model.parameters())
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), before[key])
    mg.cuda.synchronize()  # a no-op, not an error


def test_unknown_device_names_the_choices():
    with pytest.raises(ValueError, match="'tpu'.*cpu"):
        mg.zeros(2, device="tpu")


@pytest.mark.skipif(not GPU, reason="needs a GPU to put tensors on two devices")
def test_mixing_devices_names_the_op_and_both_devices():  # pragma: no cover - GPU only
    with pytest.raises(RuntimeError, match=r"Add.*cpu and cuda"):
        mg.ones(3) + mg.ones(3, device="cuda")


def test_device_check_names_both_devices():
    """The check itself, with a stand-in for a CuPy array (its module name is what counts)."""
    gpu_array = type("ndarray", (), {"shape": (3,), "ndim": 1, "__module__": "cupy"})()
    check_one_device("Add", [np.ones(3), np.ones(3), 2.0])  # one device: fine
    with pytest.raises(RuntimeError, match=r"Add: expected all tensors on one device, found "
                                           r"tensors on cpu and cuda"):
        check_one_device("Add", [np.ones(3), gpu_array])
