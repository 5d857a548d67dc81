"""The torch-namespace pieces that PyTorch's own example scripts use (pytorch/examples: mnist,
vae, dcgan, regression, mnist_rnn, time_sequence_prediction), each against PyTorch: devices and
accelerators, ``minigrad.utils.data``, free functions and Tensor methods, ``.data``, layers
(GRU, Transformer, Dropout2d), losses, gradient clipping, LBFGS, ``minigrad.vision`` and
checkpoints under ``.pt`` names."""
import io
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad as mg
import minigrad.functional as F
from minigrad import nn, optim
from reference import assert_gradcheck, assert_matches_torch, torch_or_skip
from strategies import arrays, shapes

torch = torch_or_skip()


# ----------------------------------------------------------------------------- devices
def test_device_objects_are_their_names():
    cuda0 = mg.device("cuda", 0)
    assert (cuda0.type, cuda0.index, str(cuda0), repr(cuda0)) == \
        ("cuda", 0, "cuda:0", "device(type='cuda', index=0)")
    assert mg.device("cpu") == "cpu" and mg.device("cuda:1").index == 1
    x = mg.ones(2)
    assert x.device == "cpu" and x.device.type == "cpu" and not x.is_cuda
    assert x.to(mg.device("cpu")) is x and mg.zeros(2, device=mg.device("cpu")).device == "cpu"
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        mg.device("tpu")


def test_accelerator_and_backends_answer_like_pytorch():
    import minigrad.backends.cudnn as cudnn
    assert mg.accelerator.is_available() == mg.cuda.is_available()
    expected = mg.device("cuda") if mg.cuda.is_available() else None
    assert mg.accelerator.current_accelerator() == expected
    cudnn.benchmark = True  # accepted; minigrad does not use cuDNN
    assert mg.backends.cudnn.benchmark


# ----------------------------------------------------------------------------- data
class Squares(mg.utils.data.Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return mg.tensor([float(i), float(i * i)]), i % 2


def test_dataloader_collates_samples_of_any_dataset():
    loader = mg.utils.data.DataLoader(Squares(), batch_size=2, num_workers=2, pin_memory=True,
                                      persistent_workers=True)
    batches = list(loader)
    assert len(loader) == 3 and len(batches) == 3
    features, labels = batches[1]
    assert features.tolist() == [[2.0, 4.0], [3.0, 9.0]] and labels.tolist() == [0, 1]
    assert labels.dtype == np.int64 and features.dtype == np.float32
    custom = mg.utils.data.DataLoader(Squares(), batch_size=5, collate_fn=len)
    assert list(custom) == [5]


def test_subsets_of_tensor_datasets_batch_in_one_indexing_step():
    data = mg.utils.data.TensorDataset(np.arange(10), np.arange(10) * 2)
    part = mg.utils.data.Subset(data, [7, 3, 5])
    assert part.__getitems__(np.array([0, 2]))[1].tolist() == [14, 10]
    assert [b[0].tolist() for b in mg.utils.data.DataLoader(part, batch_size=2)] == [[7, 3], [5]]


# ----------------------------------------------------------------------------- functions
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "log1p", "sin", "cos", "relu"])
@given(x=arrays(shapes(), 0.1, 3))
def test_free_functions(name, x):
    assert_matches_torch(lambda t: getattr(mg, name)(t), lambda t: getattr(torch, name)(t), x)


@given(x=arrays(shapes(min_dims=2, max_dims=3)), diagonal=st.integers(-2, 2))
def test_tril_and_triu(x, diagonal):
    for name in ("tril", "triu"):
        assert_matches_torch(lambda t: getattr(mg, name)(t, diagonal),
                             lambda t: getattr(torch, name)(t, diagonal), x)


@pytest.mark.parametrize("p, dim", [(2, None), (1, None), (float("inf"), None), (2, 1),
                                    (3, 0), ("fro", None)])
def test_norm(p, dim):
    x = np.random.default_rng(0).standard_normal((3, 4))
    assert_matches_torch(lambda t: t.norm(p, dim), lambda t: t.norm(p, dim), x)
    assert_gradcheck(lambda t: t.norm(p, dim), x)


def test_matrix_and_view_helpers_match_torch():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    assert_matches_torch(lambda x, y: mg.mm(x, y), lambda x, y: torch.mm(x, y), a, b)
    assert_matches_torch(lambda x: x.t().narrow(0, 1, 2), lambda x: x.t().narrow(0, 1, 2), a)
    with pytest.raises(RuntimeError, match="mm: expected two 2-D tensors"):
        mg.mm(mg.ones(2), mg.ones(2, 2))
    with pytest.raises(IndexError, match=r"narrow: \[3, 3 \+ 2\) is out of range"):
        mg.ones(4).narrow(0, 3, 2)


def test_new_tensors_like_and_random_fills():
    x = mg.ones(2, 3, dtype=mg.float64)
    assert x.new_zeros(4).dtype == mg.float64 and x.new_ones((2, 2)).tolist() == [[1, 1], [1, 1]]
    assert mg.randn_like(x).shape == (2, 3) and mg.rand_like(x).dtype == mg.float64
    mg.manual_seed(0)
    big = mg.empty(100_000).normal_(2.0, 0.5)
    assert abs(float(big.mean()) - 2.0) < 0.01 and abs(float(big.std()) - 0.5) < 0.01
    uniform = mg.empty(100_000).uniform_(-1, 3)
    assert float(uniform.min()) >= -1 and float(uniform.max()) < 3
    assert mg.LongTensor([1, 2]).dtype == np.int64 and mg.FloatTensor([1]).dtype == np.float32
    assert f"{mg.tensor(2.0):+.2f}" == "+2.00" and f"{mg.tensor([1.0, 2.0])}" == str(
        mg.tensor([1.0, 2.0]))


# ----------------------------------------------------------------------------- .data
def test_data_is_the_same_values_outside_the_graph():
    p = mg.tensor([1.0, 2.0], requires_grad=True)
    (p * p).sum().backward()
    p.data.add_(-0.1 * p.grad)          # regression/main.py's update
    assert p.tolist() == pytest.approx([0.8, 1.6]) and p.requires_grad
    view = p.data
    assert not view.requires_grad and view.grad_fn is None and np.shares_memory(view.array,
                                                                                p.array)
    p.data = mg.tensor([5.0, 6.0])
    assert p.tolist() == [5.0, 6.0]
    p.data[0] = 9.0                      # setitem through .data: allowed, not recorded
    assert p.tolist() == [9.0, 6.0]
    with pytest.raises(RuntimeError, match=r"__setitem__\(\): a leaf tensor that requires grad"):
        p[0] = 1.0


# ----------------------------------------------------------------------------- layers
def test_dropout2d_zeroes_whole_channels():
    mg.manual_seed(0)
    layer = nn.Dropout2d(0.5)
    y = layer(mg.ones(8, 16, 3, 3)).array
    per_channel = y.reshape(8, 16, -1)
    assert set(np.unique(per_channel)) <= {0.0, 2.0}
    assert (per_channel.min(-1) == per_channel.max(-1)).all()   # one value per channel
    assert 0.3 < (per_channel[:, :, 0] == 0).mean() < 0.7
    layer.eval()
    assert (layer(mg.ones(2, 3, 2, 2)).array == 1).all()
    with pytest.warns(UserWarning, match="dropout2d: received a 2-D input"):
        nn.Dropout2d(0.2)(mg.ones(4, 5))


@pytest.mark.parametrize("make, reference, shape", [
    (lambda: nn.GRU(3, 4, num_layers=2, batch_first=True),
     lambda: torch.nn.GRU(3, 4, num_layers=2, batch_first=True), (2, 5, 3)),
    (lambda: nn.GRUCell(3, 4), lambda: torch.nn.GRUCell(3, 4), (2, 3))])
def test_gru_matches_torch(make, reference, shape):
    ours, theirs = make().double(), reference().double()
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    ours.load_state_dict({k: mg.tensor(v.detach().numpy()) for k, v in
                          theirs.state_dict().items()})
    first = (lambda out: out[0]) if isinstance(ours, nn.GRU) else (lambda out: out)
    assert_matches_torch(lambda x: first(ours(x)), lambda x: first(theirs(x)),
                         np.random.default_rng(2).standard_normal(shape))
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.array, q.grad.numpy(), atol=1e-10)


def test_gru_gradcheck():
    cell = nn.GRUCell(2, 3).double()
    assert_gradcheck(lambda x, h: cell(x, h), np.random.default_rng(0).standard_normal((2, 2)),
                     np.random.default_rng(1).standard_normal((2, 3)))


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_matches_torch(norm_first):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's nested-tensor note
        theirs = torch.nn.Transformer(8, 2, 2, 1, 16, dropout=0.0,
                                      norm_first=norm_first).double().eval()
    ours = nn.Transformer(8, 2, 2, 1, 16, dropout=0.0, norm_first=norm_first).double().eval()
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    ours.load_state_dict({k: mg.tensor(v.detach().numpy()) for k, v in
                          theirs.state_dict().items()})
    rng = np.random.default_rng(3)
    src, tgt = rng.standard_normal((5, 2, 8)), rng.standard_normal((4, 2, 8))
    mask_t = torch.nn.Transformer.generate_square_subsequent_mask(4).double()
    mask_m = nn.Transformer.generate_square_subsequent_mask(4, dtype=mg.float64)
    np.testing.assert_array_equal(mask_m.array, mask_t.numpy())
    assert_matches_torch(lambda s, t: ours(s, t, tgt_mask=mask_m),
                         lambda s, t: theirs(s, t, tgt_mask=mask_t), src, tgt)


def test_module_apply_and_inplace_flags():
    seen = []
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(True), nn.LeakyReLU(0.2, inplace=True))
    model.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "LeakyReLU", "Sequential"]  # children first, as PyTorch
    assert nn.parallel.data_parallel(model, mg.ones(1, 2)).shape == (1, 2)
    assert nn.parallel.DataParallel(model)(mg.ones(1, 2)).shape == (1, 2)


# ----------------------------------------------------------------------------- losses, clipping
@given(pair=st.tuples(arrays((3, 4), -3, 3), arrays((3, 4), -3, 3)),
       beta=st.sampled_from([0.0, 0.5, 1.0, 2.0]), reduction=st.sampled_from(["mean", "sum",
                                                                              "none"]))
def test_smooth_l1_and_huber(pair, beta, reduction):
    x, t = pair
    x = np.where(np.abs(np.abs(x - t) - beta) < 1e-3, x + 0.01, x)  # off the kink
    assert_matches_torch(lambda a, b: F.smooth_l1_loss(a, b, reduction, beta),
                         lambda a, b: torch.nn.functional.smooth_l1_loss(a, b,
                                                                         reduction=reduction,
                                                                         beta=beta), x, t)
    if beta:
        assert_matches_torch(lambda a, b: F.huber_loss(a, b, reduction, beta),
                             lambda a, b: torch.nn.functional.huber_loss(a, b, reduction, beta),
                             x, t)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm_and_value(norm_type):
    grads = [np.random.default_rng(i).standard_normal(s) for i, s in enumerate([(3, 2), (4,)])]
    ours = [mg.tensor(np.zeros_like(g), requires_grad=True) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = mg.tensor(g), torch.tensor(g)
    total = nn.utils.clip_grad_norm_(ours, 0.5, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 0.5, norm_type)
    assert float(total) == pytest.approx(float(expected))
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.array, q.grad.numpy(), rtol=1e-12)
    nn.utils.clip_grad_value_(ours, 0.01)
    assert max(float(abs(p.grad).max()) for p in ours) <= 0.01


# ----------------------------------------------------------------------------- optimizers
def _fit_with_closure(lib, make_optimizer, steps=3):
    rng = np.random.default_rng(0)
    x, y, w0 = rng.standard_normal((20, 3)), rng.standard_normal((20, 1)), \
        rng.standard_normal((1, 3))
    w = lib.tensor(w0.copy(), requires_grad=True)
    optimizer = make_optimizer([w])
    losses = []

    def closure():
        optimizer.zero_grad()
        loss = ((lib.tensor(x) @ w.T - lib.tensor(y)) ** 2).mean() + (w ** 4).sum()
        loss.backward()
        return loss
    for _ in range(steps):
        losses.append(float(optimizer.step(closure).detach()))
    return w.detach().numpy(), losses


@pytest.mark.parametrize("settings", [dict(lr=0.8), dict(lr=1.0, max_iter=7, history_size=3),
                                      dict(lr=0.5, max_iter=2, tolerance_change=1e-3)])
def test_lbfgs_matches_torch(settings):
    ours, our_losses = _fit_with_closure(mg, lambda p: optim.LBFGS(p, **settings))
    theirs, their_losses = _fit_with_closure(torch, lambda p: torch.optim.LBFGS(p, **settings))
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-9)
    assert our_losses[-1] < our_losses[0]


def test_every_optimizer_step_takes_a_closure():
    ours, losses = _fit_with_closure(mg, lambda p: optim.Adam(p, lr=0.1), steps=5)
    theirs, their_losses = _fit_with_closure(torch, lambda p: torch.optim.Adam(p, lr=0.1),
                                             steps=5)
    np.testing.assert_allclose(losses, their_losses, rtol=1e-9)


def test_lbfgs_refuses_what_it_does_not_implement():
    with pytest.raises(NotImplementedError, match="line_search_fn='strong_wolfe'"):
        optim.LBFGS([mg.ones(1, requires_grad=True)], line_search_fn="strong_wolfe")


# ----------------------------------------------------------------------------- vision
def test_transforms():
    from minigrad.vision import transforms
    image = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    tensor = transforms.ToTensor()(image)
    assert tensor.shape == (1, 3, 4) and tensor.dtype == mg.float32
    np.testing.assert_allclose(tensor.array[0], image / 255, rtol=1e-6)
    pipeline = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.25,))])
    np.testing.assert_allclose(pipeline(image).array[0], (image / 255 - 0.5) / 0.25, rtol=1e-5)
    rgb = transforms.ToTensor()(np.zeros((2, 2, 3), np.uint8))
    assert rgb.shape == (3, 2, 2)
    with pytest.raises(ValueError, match="Normalize: 2 channel means for a tensor of shape"):
        transforms.Normalize((0.5, 0.5), (1, 1))(mg.ones(3, 4, 4))


def test_fake_data_is_deterministic_per_index():
    from minigrad.vision import datasets, transforms
    data = datasets.FakeData(size=10, image_size=(3, 8, 6), transform=transforms.ToTensor())
    image, label = data[4]
    assert image.shape == (3, 8, 6) and 0 <= label < 10
    np.testing.assert_array_equal(image.array, data[4][0].array)
    batch, labels = next(iter(mg.utils.data.DataLoader(data, batch_size=4)))
    assert batch.shape == (4, 3, 8, 6) and labels.shape == (4,)


def test_mnist_style_datasets(monkeypatch, tmp_path):
    from minigrad.data import mnist_sets
    from minigrad.vision import datasets, transforms
    monkeypatch.setattr(mnist_sets, "search_folders", lambda name, root=None: [tmp_path])
    with pytest.raises(mnist_sets.DatasetNotFound, match="MNIST: put the four IDX files"):
        datasets.MNIST(tmp_path, train=False, download=False)
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    mg.data.save_idx(images, tmp_path / "t10k-images-idx3-ubyte")
    mg.data.save_idx(np.arange(5, dtype=np.uint8), tmp_path / "t10k-labels-idx1-ubyte")
    test_set = datasets.FashionMNIST(tmp_path, train=False, transform=transforms.ToTensor())
    image, label = test_set[3]
    assert len(test_set) == 5 and label == 3 and image.shape == (1, 28, 28)
    np.testing.assert_allclose(image.array[0], images[3] / 255, rtol=1e-6)


def test_save_image_writes_a_grid(tmp_path):
    from minigrad.vision import utils
    images = mg.rand(5, 1, 6, 4)
    grid = utils.make_grid(images, nrow=3, padding=1)
    assert grid.shape == (3, 2 * 7 + 1, 3 * 5 + 1)   # gray made RGB, 2 rows of 3
    np.testing.assert_allclose(grid.array[0, 1:7, 1:5], images.array[0, 0])
    utils.save_image(images, tmp_path / "grid.png", nrow=3, normalize=True)
    import matplotlib.pyplot as plt
    assert plt.imread(tmp_path / "grid.png").shape[:2] == (2 * 8 + 2, 3 * 6 + 2)


# ----------------------------------------------------------------------------- checkpoints
def test_checkpoints_under_pt_names_and_open_files(tmp_path):
    model = nn.Linear(3, 2)
    mg.save(model.state_dict(), tmp_path / "model.pt")
    loaded = mg.load(tmp_path / "model.pt", map_location="cpu", weights_only=True)
    np.testing.assert_array_equal(loaded["weight"].array, model.weight.array)
    buffer = io.BytesIO()
    mg.save(np.arange(3.0), buffer)      # time_sequence_prediction saves an array to a file
    buffer.seek(0)
    np.testing.assert_array_equal(mg.load(buffer), [0.0, 1.0, 2.0])
    with pytest.raises(TypeError, match="cannot store a whole Linear module .* save "
                                        r"model.state_dict\(\)"):
        mg.save(model, tmp_path / "whole.pt")
    assert not (tmp_path / "whole.pt").exists()
    torch.save({"weight": torch.ones(2)}, tmp_path / "pickle.pt")
    with pytest.raises(mg.serialization.CheckpointError, match="not a minigrad checkpoint"):
        mg.load(tmp_path / "pickle.pt")


def test_pytorch_import_paths_exist():
    import minigrad.nn.functional as nnf
    import minigrad.nn.parallel  # noqa: F401
    import minigrad.utils.data  # noqa: F401
    import minigrad.vision.datasets  # noqa: F401
    import minigrad.vision.utils  # noqa: F401
    from minigrad.optim.lr_scheduler import StepLR  # noqa: F401
    assert nnf is F
