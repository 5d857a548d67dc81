"""Module bookkeeping, state dicts (to and from PyTorch), checkpoints and init."""
import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.serialization import CheckpointError
from reference import torch_or_skip


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.BatchNorm1d(8))
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        return self.head(self.encoder(x))


def torch_two_layer():
    torch = torch_or_skip()

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(),
                                               torch.nn.BatchNorm1d(8))
            self.head = torch.nn.Linear(8, 3)

        def forward(self, x):
            return self.head(self.encoder(x))
    return Net()


def test_parameters_buffers_children_and_names_match_torch():
    ours, theirs = TwoLayer(), torch_two_layer()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert len(list(ours.children())) == 2 and isinstance(ours.encoder[0], nn.Linear)


def test_repr_like_torch():
    assert repr(nn.Sequential(nn.Linear(2, 3), nn.ReLU())) == (
        "Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n)")
    assert repr(nn.Parameter(mg.tensor([1.0]))) == "Parameter containing:\ntensor([1.], requires_grad=True)"


def test_torch_state_dict_loads_and_gives_the_same_outputs():
    torch = torch_or_skip()
    ours, theirs = TwoLayer(), torch_two_layer()
    theirs.train()
    theirs(torch.randn(16, 4))  # move running statistics away from their initial values
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    ours.eval(), theirs.eval()
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(mg.tensor(x)).array, theirs(torch.tensor(x)).detach().numpy(),
                               atol=1e-5)
    back = {k: torch.tensor(np.array(v.array)) for k, v in ours.state_dict().items()}
    fresh = torch_two_layer()
    fresh.load_state_dict(back)  # and the reverse direction
    fresh.eval()
    np.testing.assert_allclose(fresh(torch.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), atol=1e-6)


def test_mismatched_state_dict_changes_nothing_and_says_why():
    model = TwoLayer()
    before = {k: v.array.copy() for k, v in model.state_dict().items()}
    bad = {k: v.array.copy() + 1 for k, v in model.state_dict().items()}
    bad["head.weight"] = np.zeros((3, 9), np.float32)
    del bad["head.bias"]
    bad["extra.weight"] = np.zeros(2, np.float32)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(bad)
    message = str(info.value)
    assert "missing keys: head.bias" in message and "unexpected keys: extra.weight" in message
    assert "head.weight: checkpoint (3, 9) vs model (3, 8)" in message
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.array, before[k])
    result = model.load_state_dict({k: v for k, v in bad.items() if k != "head.weight"} |
                                   {"head.weight": before["head.weight"]}, strict=False)
    assert result.missing_keys == ["head.bias"] and result.unexpected_keys == ["extra.weight"]


def test_train_eval_zero_grad_and_dtype():
    model = TwoLayer()
    assert model.training and model.encoder[2].training
    model.eval()
    assert not model.encoder[2].training
    model(mg.randn(3, 4)).sum().backward()
    assert model.head.weight.grad is not None
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.double()
    assert all(p.dtype == mg.float64 for p in model.parameters())
    assert model.encoder[2].num_batches_tracked.dtype == mg.int64


def test_module_list_registers_parameters():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(list(layers.parameters())) == 6 and len(layers) == 3
    assert list(layers.state_dict())[:2] == ["0.weight", "0.bias"]


def test_shared_parameters_are_listed_once():
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2


# ----------------------------------------------------------------------------- checkpoints


def test_checkpoint_round_trip(tmp_path):
    model = TwoLayer()
    optimizer = mg.optim.Adam(model.parameters(), lr=1e-2)
    model(mg.randn(6, 4)).sum().backward()
    optimizer.step()
    path = tmp_path / "checkpoint.npz"
    mg.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 7,
             "note": "seed P9", "history": [0.5, 0.25], "shape": (1, 2), "nothing": None}, path)
    loaded = mg.load(path)
    assert loaded["epoch"] == 7 and loaded["note"] == "seed P9" and loaded["shape"] == (1, 2)
    assert loaded["history"] == [0.5, 0.25] and loaded["nothing"] is None
    fresh = TwoLayer()
    fresh.load_state_dict(loaded["model"])
    for (k, a), (_, b) in zip(model.state_dict().items(), fresh.state_dict().items()):
        np.testing.assert_array_equal(a.array, b.array, err_msg=k)
    fresh_optimizer = mg.optim.Adam(fresh.parameters(), lr=1.0)
    fresh_optimizer.load_state_dict(loaded["optimizer"])
    assert fresh_optimizer.param_groups[0]["lr"] == 1e-2
    assert fresh_optimizer.state_dict()["state"][0]["step"] == 1


def test_corrupted_checkpoint_is_a_clear_error_and_save_is_atomic(tmp_path):
    path = tmp_path / "model.npz"
    mg.save({"w": np.arange(1000.0)}, path)
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(CheckpointError, match="not a readable minigrad checkpoint"):
        mg.load(path)
    np.savez(tmp_path / "foreign.npz", x=np.ones(2))
    with pytest.raises(CheckpointError, match="not a minigrad checkpoint"):
        mg.load(tmp_path / "foreign.npz")
    path.write_bytes(good)
    with pytest.raises(TypeError, match="cannot store an object of type object"):
        mg.save({"w": np.ones(2), "bad": object()}, path)
    np.testing.assert_array_equal(mg.load(path)["w"], np.arange(1000.0))  # old file intact
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_loading_never_unpickles(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, __minigrad_structure__=np.array([{"a": 1}], dtype=object))
    with pytest.raises(CheckpointError):
        mg.load(path)


# ----------------------------------------------------------------------------- init


@pytest.mark.parametrize("name, expected_std", [
    ("xavier_uniform_", math.sqrt(2 / (200 + 300))),
    ("xavier_normal_", math.sqrt(2 / (200 + 300))),
    ("kaiming_uniform_", math.sqrt(2) / math.sqrt(200)),
    ("kaiming_normal_", math.sqrt(2) / math.sqrt(200)),
])
def test_init_distributions(name, expected_std):
    mg.manual_seed(0)
    w = mg.empty(300, 200)
    kwargs = {"nonlinearity": "relu"} if name.startswith("kaiming") else {}
    getattr(nn.init, name)(w, **kwargs)
    assert w.array.std() == pytest.approx(expected_std, rel=0.02)
    assert abs(w.array.mean()) < 0.01 * expected_std * 10


def test_default_linear_init_matches_torch_bounds():
    layer = nn.Linear(50, 400)
    bound = 1 / math.sqrt(50)
    largest = np.abs(layer.weight.array).max()
    assert 0.95 * bound < largest <= bound
    assert layer.weight.array.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)
    assert np.abs(layer.bias.array).max() <= bound


def test_fan_and_gain():
    assert nn.init.fan_in_and_fan_out(mg.empty(8, 3, 5, 5)) == (75, 200)
    assert nn.init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert nn.init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
    with pytest.raises(ValueError, match="at least 2 dims"):
        nn.init.xavier_uniform_(mg.empty(3))


def _gpt_like(nn, tensor):
    """nanoGPT's layout: embeddings and blocks in a ModuleDict, a causal mask as a
    non-persistent buffer, a ParameterDict of scales."""
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(7, 4), h=nn.ModuleList([nn.Linear(4, 4) for _ in range(2)]),
                ln_f=nn.LayerNorm(4)))
            self.scales = nn.ParameterDict({"alpha": nn.Parameter(tensor([1.0, 2.0]))})
            self.register_buffer("bias", tensor([[1.0, 0.0], [1.0, 1.0]]), persistent=False)
            self.register_buffer("steps", tensor([0.0]))
    return Model()


def test_module_dict_parameter_dict_and_non_persistent_buffers_as_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _gpt_like(mg.nn, mg.tensor), _gpt_like(torch.nn, torch.tensor)
    assert list(ours.state_dict()) == list(theirs.state_dict())  # no "bias": not persistent
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    blocks = ours.transformer
    assert "wte" in blocks and len(blocks) == 3 and list(blocks) == ["wte", "h", "ln_f"]
    assert blocks["h"][1] is blocks.h[1]
    blocks["head"] = mg.nn.Linear(4, 7)
    assert "transformer.head.weight" in ours.state_dict()
    assert blocks.pop("head") is not None and "head" not in blocks
    ours.scales["beta"] = mg.zeros(3)
    assert isinstance(ours.scales["beta"], mg.nn.Parameter) and "scales.beta" in \
        dict(ours.named_parameters())
    state = ours.state_dict()
    ours.load_state_dict(state)  # the missing "bias" is not a missing key
    assert ours.to("cpu", non_blocking=True) is ours
    assert mg.tensor([1.0]).to("cpu", non_blocking=True).tolist() == [1.0]
