"""Every layer's output and gradients equal PyTorch's with copied weights (float64)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad as mg
from minigrad import nn
from reference import assert_gradcheck, torch_or_skip

torch = torch_or_skip()


def copy_weights(ours, theirs):
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def compare_layer(ours, theirs, x, atol=1e-10):
    """Same outputs, input gradients and parameter gradients for one forward/backward."""
    ours.double()
    theirs.double()
    copy_weights(ours, theirs)
    xm = mg.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    ym, yt = ours(xm), theirs(xt)
    np.testing.assert_allclose(ym.array, yt.detach().numpy(), atol=atol)
    w = np.random.default_rng(0).standard_normal(ym.shape)
    (ym * w).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xm.grad.array, xt.grad.numpy(), atol=atol)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.array, theirs_params[name].grad.numpy(), atol=atol,
                                   err_msg=name)


@given(batch=st.integers(1, 4), features=st.integers(1, 5), out=st.integers(1, 4),
       bias=st.booleans())
def test_linear(batch, features, out, bias):
    x = np.random.default_rng(batch).standard_normal((batch, 2, features))
    compare_layer(nn.Linear(features, out, bias=bias), torch.nn.Linear(features, out, bias=bias), x)


def test_linear_shape_error_names_the_layer():
    with pytest.raises(ValueError, match=r"Linear\(in_features=4, out_features=2\): input of "
                                         r"shape \(3, 5\) has 5 features, expected 4"):
        nn.Linear(4, 2)(mg.ones(3, 5))


def test_linear_gradcheck():
    layer = nn.Linear(3, 2).double()
    assert_gradcheck(lambda x, w, b: mg.functional.linear(x, w, b),
                     np.random.default_rng(0).standard_normal((4, 3)),
                     layer.weight.array.copy(), layer.bias.array.copy())


@pytest.mark.parametrize("module", ["ReLU", "Sigmoid", "Tanh", "GELU", "LeakyReLU", "Flatten",
                                    "Identity"])
def test_activation_and_shape_modules(module):
    x = np.random.default_rng(0).standard_normal((3, 2, 4))
    compare_layer(getattr(nn, module)(), getattr(torch.nn, module)(), x)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_modules(dim):
    x = np.random.default_rng(0).standard_normal((3, 4))
    compare_layer(nn.Softmax(dim), torch.nn.Softmax(dim), x)
    compare_layer(nn.LogSoftmax(dim), torch.nn.LogSoftmax(dim), x)


@pytest.mark.parametrize("shape", [(6, 3), (5, 3, 4)])
@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm1d_training_and_running_statistics(shape, affine):
    ours, theirs = nn.BatchNorm1d(3, affine=affine), torch.nn.BatchNorm1d(3, affine=affine)
    ours.double()
    theirs.double()
    rng = np.random.default_rng(0)
    for _ in range(4):  # several batches: running statistics must track PyTorch's
        x = rng.standard_normal(shape) * 3 + 1
        compare_layer(ours, theirs, x) if affine else None
        if not affine:
            ours(mg.tensor(x))
            theirs(torch.tensor(x))
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(getattr(ours, name).array, getattr(theirs, name).numpy(),
                                   atol=1e-12)
    assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item() == 4


def test_batchnorm1d_eval_uses_running_statistics():
    ours, theirs = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    rng = np.random.default_rng(1)
    ours.double(), theirs.double()
    for _ in range(3):
        x = rng.standard_normal((8, 3))
        ours(mg.tensor(x)), theirs(torch.tensor(x))
    ours.eval(), theirs.eval()
    compare_layer(ours, theirs, rng.standard_normal((4, 3)))


def test_batchnorm_gradcheck_in_training():
    assert_gradcheck(lambda x, w, b: mg.functional.batch_norm(x, None, None, w, b, training=True),
                     np.random.default_rng(0).standard_normal((5, 3, 2)),
                     np.array([1.0, 2.0, 0.5]), np.array([0.1, 0.0, -0.3]))


def test_batchnorm_rejects_wrong_input():
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\): expected input with 2 or 3 dims and "
                                         r"3 channels, got shape \(4, 5\)"):
        nn.BatchNorm1d(3)(mg.ones(4, 5))


@pytest.mark.parametrize("shape", [(4,), (3, 4)])
def test_layernorm(shape):
    x = np.random.default_rng(0).standard_normal((2, 3) + shape[-1:] if len(shape) == 1 else (2,) + shape)
    compare_layer(nn.LayerNorm(shape), torch.nn.LayerNorm(shape), x)
    assert_gradcheck(lambda t: mg.functional.layer_norm(t, shape), x)


def test_embedding_with_padding_idx():
    ours, theirs = nn.Embedding(6, 3, padding_idx=0), torch.nn.Embedding(6, 3, padding_idx=0)
    ours.double(), theirs.double()
    copy_weights(ours, theirs)
    index = np.array([[0, 2, 2], [5, 0, 1]])
    ym, yt = ours(mg.tensor(index)), theirs(torch.tensor(index))
    np.testing.assert_allclose(ym.array, yt.detach().numpy())
    ym.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy())
    assert ours.weight.grad.array[0].tolist() == [0, 0, 0] and ours.weight.grad.array[2, 0] == 2
    assert nn.Embedding(4, 2, padding_idx=1).weight.array[1].tolist() == [0, 0]


def test_embedding_index_error():
    with pytest.raises(IndexError, match="embedding: index 7 is out of range for 4 embeddings"):
        nn.Embedding(4, 2)(mg.tensor([1, 7]))


def test_dropout_statistics_and_eval_identity():
    mg.manual_seed(0)
    layer = nn.Dropout(0.3)
    x = mg.ones(200, 500, requires_grad=True)
    y = layer(x)
    kept = y.array != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y.array[kept], 1 / 0.7)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, y.array)  # same mask and scale in backward
    layer.eval()
    assert layer(x) is x
    with pytest.raises(ValueError, match="Dropout: probability p must be in"):
        nn.Dropout(1.5)


@pytest.mark.parametrize("name", ["MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
                                  "BCEWithLogitsLoss"])
def test_loss_modules_match_torch(name):
    rng = np.random.default_rng(0)
    if name in ("CrossEntropyLoss", "NLLLoss"):
        x, t = rng.standard_normal((4, 3)), rng.integers(0, 3, 4)
        if name == "NLLLoss":
            x = np.log(np.exp(x) / np.exp(x).sum(1, keepdims=True))
    else:
        x, t = rng.uniform(0.1, 0.9, (4, 3)), rng.uniform(0, 1, (4, 3))
    for reduction in ("mean", "sum"):
        ours = getattr(nn, name)(reduction=reduction)(mg.tensor(x), mg.tensor(t))
        theirs = getattr(torch.nn, name)(reduction=reduction)(torch.tensor(x), torch.tensor(t))
        assert ours.item() == pytest.approx(theirs.item(), rel=1e-10)


def test_hinge_loss_module():
    loss = nn.HingeLoss()(mg.tensor([0.5, -2.0, 3.0]), mg.tensor([1.0, 1.0, -1.0]))
    assert loss.item() == pytest.approx((0.5 + 3.0 + 4.0) / 3)
