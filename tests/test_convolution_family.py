"""The convolutions built on conv2d: conv1d, grouped and depthwise convolution, the transposed
convolution (whose backward is a conv2d), unfold/fold, and the layers Conv1d and
ConvTranspose2d: values and gradients equal PyTorch's over hypothesis-drawn geometries
(float64), gradcheck and double backward on small cases, and the errors for bad settings."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import minigrad as mg
import minigrad.functional as F
from minigrad import nn
from reference import (assert_double_backward_matches_torch, assert_gradcheck,
                       assert_matches_torch, torch_or_skip)

torch = torch_or_skip()
TF = torch.nn.functional


def pairs(low, high):
    return st.tuples(st.integers(low, high), st.integers(low, high))


@st.composite
def geometry(draw):
    return dict(stride=draw(pairs(1, 3)), padding=draw(pairs(0, 2)),
                dilation=draw(pairs(1, 2)))


@given(data=st.data(), groups=st.sampled_from([1, 2, 3]), with_bias=st.booleans())
def test_grouped_conv2d(data, groups, with_bias):
    options = data.draw(geometry())
    rng = np.random.default_rng(data.draw(st.integers(0, 99)))
    c_in, c_out = groups * data.draw(st.integers(1, 2)), groups * data.draw(st.integers(1, 2))
    kernel = data.draw(pairs(1, 3))
    size = tuple(d * (k - 1) + 1 + data.draw(st.integers(0, 3)) for d, k in
                 zip(options["dilation"], kernel))
    x = rng.standard_normal((2, c_in) + size)
    w = rng.standard_normal((c_out, c_in // groups) + kernel)
    args = (x, w, rng.standard_normal(c_out)) if with_bias else (x, w)
    assert_matches_torch(lambda *t: F.conv2d(*t, groups=groups, **options),
                         lambda *t: TF.conv2d(*t, groups=groups, **options), *args)


def test_depthwise_conv2d_is_groups_equal_channels():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 4, 6, 5)), rng.standard_normal((8, 1, 3, 3)), \
        rng.standard_normal(8)
    assert_matches_torch(lambda *t: F.conv2d(*t, padding=1, groups=4),
                         lambda *t: TF.conv2d(*t, padding=1, groups=4), x, w, b)
    assert_gradcheck(lambda *t: F.conv2d(*t, padding=1, groups=4), x[:1, :, :4, :4], w, b)


@given(stride=st.integers(1, 3), padding=st.integers(0, 2), dilation=st.integers(1, 2),
       groups=st.sampled_from([1, 2]), length=st.integers(0, 5), seed=st.integers(0, 99))
def test_conv1d(stride, padding, dilation, groups, length, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 2 * groups, dilation * 2 + 1 + length))
    w, b = rng.standard_normal((2 * groups, 2, 3)), rng.standard_normal(2 * groups)
    options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    assert_matches_torch(lambda *t: F.conv1d(*t, **options), lambda *t: TF.conv1d(*t, **options),
                         x, w, b)


@given(data=st.data(), groups=st.sampled_from([1, 2]), with_bias=st.booleans())
def test_conv_transpose2d(data, groups, with_bias):
    options = data.draw(geometry())
    output_padding = tuple(data.draw(st.integers(0, max(s, d) - 1)) for s, d in
                           zip(options["stride"], options["dilation"]))
    rng = np.random.default_rng(data.draw(st.integers(0, 99)))
    kernel = data.draw(pairs(1, 3))
    x = rng.standard_normal((2, 2 * groups) + data.draw(pairs(1, 4)))
    w = rng.standard_normal((2 * groups, data.draw(st.integers(1, 2))) + kernel)
    size = [(n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, s, p, d, k, op in zip(
        x.shape[2:], options["stride"], options["padding"], options["dilation"], kernel,
        output_padding)]
    assume(min(size) >= 1)
    args = (x, w, rng.standard_normal(w.shape[1] * groups)) if with_bias else (x, w)
    options.update(output_padding=output_padding, groups=groups)
    assert_matches_torch(lambda *t: F.conv_transpose2d(*t, **options),
                         lambda *t: TF.conv_transpose2d(*t, **options), *args)


def test_conv_transpose2d_gradcheck_and_double_backward():
    """Its backward is a conv2d, and that conv2d's backward a transposed convolution again:
    second derivatives come from the same code."""
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((1, 2, 3, 3)), rng.standard_normal((2, 3, 2, 3)), \
        rng.standard_normal(3)
    options = dict(stride=2, padding=1, output_padding=1)
    assert_gradcheck(lambda *t: F.conv_transpose2d(*t, **options), x, w, b)
    assert_double_backward_matches_torch(lambda *t: F.conv_transpose2d(*t, **options),
                                         lambda *t: TF.conv_transpose2d(*t, **options), x, w, b)


@given(data=st.data())
def test_unfold_and_fold(data):
    options = data.draw(geometry())
    kernel = data.draw(pairs(1, 3))
    size = tuple(d * (k - 1) + 1 + data.draw(st.integers(0, 3)) for d, k in
                 zip(options["dilation"], kernel))
    x = np.random.default_rng(data.draw(st.integers(0, 99))).standard_normal((2, 2) + size)
    assert_matches_torch(lambda t: F.unfold(t, kernel, **options),
                         lambda t: TF.unfold(t, kernel, **options), x)
    columns = TF.unfold(torch.tensor(x), kernel, **options).numpy()
    assert_matches_torch(lambda t: F.fold(t, size, kernel, **options),
                         lambda t: TF.fold(t, size, kernel, **options), columns)


def test_a_convolution_is_a_matrix_product_with_unfold():
    rng = np.random.default_rng(0)
    x, w = mg.tensor(rng.standard_normal((2, 3, 5, 5))), mg.tensor(rng.standard_normal(
        (4, 3, 3, 3)))
    via_unfold = (w.reshape(4, -1) @ F.unfold(x, 3, padding=1)).reshape(2, 4, 5, 5)
    np.testing.assert_allclose(via_unfold.array, F.conv2d(x, w, padding=1).array, atol=1e-12)


@pytest.mark.parametrize("make, reference, shape", [
    (lambda: nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2),
     lambda: torch.nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2), (2, 4, 9)),
    (lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
     lambda: torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1,
                                      groups=2), (2, 4, 5, 5)),
    (lambda: nn.Conv2d(4, 8, 3, groups=4, bias=False),
     lambda: torch.nn.Conv2d(4, 8, 3, groups=4, bias=False), (2, 4, 5, 5))])
def test_layers_have_pytorchs_parameters_and_load_its_weights(make, reference, shape):
    ours, theirs = make(), reference()
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    bound = max(abs(theirs.weight.detach().numpy()).max(), 1e-3)  # the same init range
    assert abs(ours.weight.array).max() <= bound * 1.5
    ours.load_state_dict({k: mg.tensor(v.detach().numpy()) for k, v in
                          theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(ours(mg.tensor(x)).array, theirs(torch.tensor(x)).detach().numpy(),
                               atol=1e-5)


@pytest.mark.parametrize("call, message", [
    (lambda: F.conv2d(mg.ones(1, 1, 5, 5), mg.ones(1, 1, 3, 3), stride=0),
     r"conv2d: stride must be >= 1 in every dim; got \(0, 0\)"),
    (lambda: F.conv2d(mg.ones(1, 1, 5, 5), mg.ones(1, 1, 3, 3), padding=-1),
     r"conv2d: padding must be >= 0"),
    (lambda: F.conv2d(mg.ones(1, 1, 5, 5), mg.ones(2, 1, 3, 3), mg.ones(3)),
     r"conv2d: bias must have shape \(out_channels,\) = \(2,\) for weight \(2, 1, 3, 3\); "
     r"got \(3,\)"),
    (lambda: F.conv2d(mg.ones(1, 4, 5, 5), mg.ones(2, 2, 3, 3), groups=3),
     r"conv2d: groups=3 must be positive and divide"),
    (lambda: F.conv2d(mg.ones(1, 4, 5, 5), mg.ones(2, 1, 3, 3), groups=2),
     r"conv2d: input of shape \(1, 4, 5, 5\) has 4 channels; weight \(2, 1, 3, 3\) with "
     r"groups=2 expects 2"),
    (lambda: F.conv_transpose2d(mg.ones(1, 2, 3, 3), mg.ones(2, 1, 3, 3), stride=2,
                                output_padding=2),
     r"conv_transpose2d: output_padding \(2, 2\) must be non-negative and smaller"),
    (lambda: F.conv1d(mg.ones(1, 2, 5, 5), mg.ones(1, 2, 3)), r"conv1d: expected input"),
    (lambda: F.fold(mg.ones(1, 5, 4), (3, 3), 2), r"fold: input \(1, 5, 4\) must be"),
])
def test_bad_settings_are_clear_errors(call, message):
    with pytest.raises(RuntimeError, match=message):
        call()
