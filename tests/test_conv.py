"""Convolution and pooling: outputs and gradients equal PyTorch's over hypothesis-drawn sizes,
strides, paddings and dilations (float64); gradcheck on small cases; BatchNorm2d; the P4 error."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import minigrad as mg
import minigrad.functional as F
from minigrad import nn
from minigrad.ops.conv import output_size
from reference import assert_gradcheck, assert_matches_torch, torch_or_skip

torch = torch_or_skip()
TF = torch.nn.functional


@st.composite
def conv_case(draw):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    size = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    assume(all(output_size(n, k, s, p, d) >= 1 for n, k, s, p, d in
               zip(size, kernel, stride, padding, dilation)))
    n, c, o = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 100)))
    return (rng.standard_normal((n, c) + size), rng.standard_normal((o, c) + kernel),
            rng.standard_normal(o), dict(stride=stride, padding=padding, dilation=dilation))


@given(case=conv_case(), with_bias=st.booleans())
def test_conv2d_matches_torch(case, with_bias):
    x, w, b, options = case
    if with_bias:
        assert_matches_torch(lambda *t: F.conv2d(*t, **options),
                             lambda *t: TF.conv2d(*t, **options), x, w, b)
    else:
        assert_matches_torch(lambda *t: F.conv2d(*t, **options),
                             lambda *t: TF.conv2d(*t, **options), x, w)


def test_conv2d_gradcheck():
    rng = np.random.default_rng(0)
    assert_gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, dilation=(1, 2)),
                     rng.standard_normal((2, 2, 5, 6)), rng.standard_normal((3, 2, 2, 3)),
                     rng.standard_normal(3))


@st.composite
def pool_case(draw, dilations=True):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilations else (1, 1)
    size = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    assume(all(output_size(n, k, s, p, d) >= 1 for n, k, s, p, d in
               zip(size, kernel, stride, padding, dilation)))
    x = np.random.default_rng(draw(st.integers(0, 100))).standard_normal((2, 2) + size)
    return x, kernel, stride, padding, dilation


@given(case=pool_case())
def test_max_pool2d_matches_torch(case):
    x, kernel, stride, padding, dilation = case
    # a dilated window can fall entirely on padding: its max is -inf and where PyTorch sends
    # its gradient is an implementation detail, so such cases are left out
    assume(np.isfinite(F.max_pool2d(mg.tensor(x), kernel, stride, padding, dilation).array).all())
    assert_matches_torch(lambda t: F.max_pool2d(t, kernel, stride, padding, dilation),
                         lambda t: TF.max_pool2d(t, kernel, stride, padding, dilation), x)


@given(case=pool_case(dilations=False))
def test_avg_pool2d_matches_torch(case):
    x, kernel, stride, padding, _ = case
    assert_matches_torch(lambda t: F.avg_pool2d(t, kernel, stride, padding),
                         lambda t: TF.avg_pool2d(t, kernel, stride, padding), x)


def test_pooling_gradcheck_and_ties():
    x = np.random.default_rng(1).standard_normal((1, 2, 5, 5))
    assert_gradcheck(lambda t: F.max_pool2d(t, 3, 2, 1), x)
    assert_gradcheck(lambda t: F.avg_pool2d(t, 2, 1, 1), x)
    ties = np.ones((1, 1, 4, 4))
    assert_matches_torch(lambda t: F.max_pool2d(t, 2), lambda t: TF.max_pool2d(t, 2), ties)


@given(seed=st.integers(0, 1000), kernel=st.integers(2, 3), stride=st.integers(1, 3))
def test_max_pool2d_ties_after_relu_match_torch(seed, kernel, stride):
    """ReLU outputs are full of equal zeros, and small integers tie often: the gradient must go
    to the first maximal offset of each window (PyTorch's rule), overlapping windows or not."""
    x = np.maximum(np.random.default_rng(seed).integers(-2, 3, (2, 3, 7, 7)), 0).astype(float)
    assert_matches_torch(lambda t: F.max_pool2d(t, kernel, stride, 1),
                         lambda t: TF.max_pool2d(t, kernel, stride, 1), x)


@given(seed=st.integers(0, 1000), kernel=st.integers(2, 3), stride=st.integers(1, 3),
       padding=st.integers(0, 1))
def test_sequential_relu_then_max_pool_runs_pooled_first_with_pytorchs_numbers(seed, kernel,
                                                                                 stride, padding):
    """A fused nn.Sequential runs ReLU → MaxPool2d as MaxPool2d → ReLU (the same function:
    max commutes with ReLU); values and gradients stay PyTorch's for ReLU then pooling — ties,
    all-negative windows and padding included (small integers tie often)."""
    assume(padding <= kernel // 2)
    x = np.random.default_rng(seed).integers(-2, 3, (2, 3, 7, 7)).astype(float)
    model = nn.Sequential(nn.ReLU(), nn.MaxPool2d(kernel, stride, padding)).fuse()
    assert model(mg.tensor(x, requires_grad=True)).grad_fn.name == "ReLUBackward"  # pooled first
    assert_matches_torch(model, torch.nn.Sequential(torch.nn.ReLU(),
                                                    torch.nn.MaxPool2d(kernel, stride, padding)), x)


def test_conv_chain_keeps_pixel_major_layout_and_values():
    """Conv and pooling outputs are pixel-major views ((H, W, N, C) in memory, like PyTorch's
    channels_last); the next layer reads them without a copy and the values match PyTorch."""
    rng = np.random.default_rng(3)
    x, w1, w2 = (rng.standard_normal(s) for s in [(4, 2, 10, 10), (5, 2, 3, 3), (3, 5, 2, 2)])
    y = F.conv2d(F.max_pool2d(F.relu(F.conv2d(mg.tensor(x), mg.tensor(w1))), 2), mg.tensor(w2))
    assert y.array.transpose(2, 3, 0, 1).flags.c_contiguous
    expected = TF.conv2d(TF.max_pool2d(TF.relu(TF.conv2d(torch.tensor(x), torch.tensor(w1))), 2),
                         torch.tensor(w2))
    np.testing.assert_allclose(y.numpy(), expected.numpy(), rtol=1e-10, atol=1e-12)


def test_a_pixel_major_leaf_gets_its_gradient_in_its_own_memory_order():
    """The gradient of a leaf stored pixel-major is copied without reordering (a transposing
    copy cost 3 ms for 2.7 MB); a C-ordered leaf (a parameter) still gets a C-ordered one."""
    rng = np.random.default_rng(4)
    images = mg.tensor(rng.standard_normal((6, 6, 2, 3)).transpose(2, 3, 0, 1),
                       requires_grad=True)
    weight = mg.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    (F.max_pool2d(F.conv2d(images, weight), 2) ** 2).sum().backward()
    assert images.grad.array.transpose(2, 3, 0, 1).flags.c_contiguous
    assert weight.grad.array.flags.c_contiguous
    expected = torch.tensor(images.numpy(), requires_grad=True)
    (TF.max_pool2d(TF.conv2d(expected, torch.tensor(weight.numpy())), 2) ** 2).sum().backward()
    np.testing.assert_allclose(images.grad.numpy(), expected.grad.numpy(), rtol=1e-10,
                               atol=1e-12)


def test_conv_and_pool_modules_match_torch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 9, 9))
    for ours, theirs in [(nn.Conv2d(3, 4, 3, stride=2, padding=1), torch.nn.Conv2d(3, 4, 3, 2, 1)),
                         (nn.MaxPool2d(2), torch.nn.MaxPool2d(2)),
                         (nn.AvgPool2d(3, 2, 1), torch.nn.AvgPool2d(3, 2, 1)),
                         (nn.AdaptiveAvgPool2d(1), torch.nn.AdaptiveAvgPool2d(1))]:
        ours.double(), theirs.double()
        ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
        xm, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ym, yt = ours(xm), theirs(xt)
        np.testing.assert_allclose(ym.array, yt.detach().numpy(), atol=1e-10)
        ym.sum().backward(), yt.sum().backward()
        np.testing.assert_allclose(xm.grad.array, xt.grad.numpy(), atol=1e-10)
        for name, p in ours.named_parameters():
            np.testing.assert_allclose(p.grad.array, dict(theirs.named_parameters())[name].grad,
                                       atol=1e-10)


def test_conv2d_default_init_bounds():
    layer = nn.Conv2d(2, 8, 3)
    bound = 1 / np.sqrt(2 * 9)
    assert np.abs(layer.weight.array).max() <= bound and np.abs(layer.bias.array).max() <= bound


def test_batchnorm2d_statistics_match_torch():
    ours, theirs = nn.BatchNorm2d(3).double(), torch.nn.BatchNorm2d(3).double()
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.standard_normal((4, 3, 5, 5)) * 2 + 1
        xm, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ym, yt = ours(xm), theirs(xt)
        np.testing.assert_allclose(ym.array, yt.detach().numpy(), atol=1e-10)
        w = rng.standard_normal(x.shape)
        (ym * w).sum().backward(), (yt * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(xm.grad.array, xt.grad.numpy(), atol=1e-10)
        np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(ours.running_mean.array, theirs.running_mean.numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.running_var.array, theirs.running_var.numpy(), atol=1e-12)
    ours.eval(), theirs.eval()
    x = rng.standard_normal((2, 3, 4, 4))
    np.testing.assert_allclose(ours(mg.tensor(x)).array, theirs(torch.tensor(x)).detach().numpy(),
                               atol=1e-10)


def test_residual_network_trains_and_gradchecks():
    mg.manual_seed(0)
    model = nn.SmallResNet(in_channels=1, classes=3, widths=(4, 8)).double()
    x = mg.randn(6, 1, 8, 8, dtype=mg.float64)
    y = mg.tensor([0, 1, 2, 0, 1, 2])
    optimizer = mg.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(15):
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad(), loss.backward(), optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    block = nn.ResidualBlock(2, 3, stride=2).double()
    block.eval()  # running statistics: a smooth function of the input
    assert_gradcheck(lambda t: block(t), np.random.default_rng(0).standard_normal((1, 2, 4, 4)))


def test_conv_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"Conv2d\(3, 4, kernel_size=\(3, 3\), stride=\(1, 1\)\): "
                                         r"expected input of shape \(N, 3, H, W\), got \(2, 1, 8, 8\)"):
        nn.Conv2d(3, 4, 3)(mg.ones(2, 1, 8, 8))
    with pytest.raises(ValueError, match="too small for kernel"):
        F.conv2d(mg.ones(1, 1, 2, 2), mg.ones(1, 1, 3, 3))
