"""Higher-order gradients: every op's backward differentiates again (gradgradcheck against
central differences of the first gradient, and PyTorch's double backward in float64), and
``autograd.grad`` / ``autograd.functional`` follow PyTorch's semantics."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
from minigrad import nn
from minigrad.autograd import Function, functional as AF
from minigrad.gradcheck import GradcheckError, gradgradcheck
from minigrad.opcheck import _cases
from reference import assert_double_backward_matches_torch, torch_or_skip

CATALOGUE = _cases(np.random.default_rng(0))


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_catalogued_op_passes_gradgradcheck(name):
    fn, inputs = CATALOGUE[name]
    assert gradgradcheck(fn, *inputs)


@pytest.mark.parametrize("op", [lambda t: t.exp(), lambda t: F.sigmoid(t), lambda t: t.tanh(),
                                lambda t: t.sqrt(), lambda t: F.relu(t) * t, lambda t: t ** 3,
                                lambda t: F.softplus(t), lambda t: F.gelu(t)])
def test_second_derivatives_of_zero_dim_tensors(op):
    """NumPy returns scalars for 0-d results; a saved 0-d output must still be the output."""
    x = mg.tensor(0.7, requires_grad=True)
    assert gradgradcheck(op, x)
    # float64 weights: a float32 tensor with dims would make the product float32 (PyTorch's
    # promotion: a 0-d tensor does not widen a dimensioned one)
    assert gradgradcheck(lambda t: op((t * mg.tensor([1.0, 0.5], dtype=mg.float64)).sum()), x)


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "lstm"])
def test_recurrent_cells_pass_gradgradcheck(cell):
    mg.manual_seed(0)
    module = {"rnn": nn.RNNCell(3, 4), "rnn_relu": nn.RNNCell(3, 4, nonlinearity="relu"),
              "lstm": nn.LSTMCell(3, 4)}[cell].double()
    rng = np.random.default_rng(1)
    x = mg.tensor(rng.uniform(-1, 1, (2, 3)), requires_grad=True)
    h = mg.tensor(rng.uniform(-1, 1, (2, 4)), requires_grad=True)
    if cell == "lstm":
        c = mg.tensor(rng.uniform(-1, 1, (2, 4)), requires_grad=True)
        assert gradgradcheck(lambda a, b, d, w: _with_weight(module, w, lambda: module(a, (b, d))),
                             x, h, c, module.weight_hh)
    else:
        assert gradgradcheck(lambda a, b, w: _with_weight(module, w, lambda: module(a, b)),
                             x, h, module.weight_hh)


def _with_weight(module, weight, run):
    """Run the module with weight_hh replaced by ``weight`` (gradgradcheck's float64 copy)."""
    original = module._parameters["weight_hh"]
    module._parameters["weight_hh"] = weight
    try:
        return run()
    finally:
        module._parameters["weight_hh"] = original


def test_gradgradcheck_catches_a_backward_that_is_right_only_to_first_order():
    class SquareWithConstantBackward(Function):
        """z = x², whose backward treats x as a constant: first derivatives right, second 0."""

        def forward(ctx, x):
            ctx.copy = x.copy()  # the mistake: x kept outside save_for_backward
            return x * x

        def backward(ctx, g):
            x = ctx.copy if isinstance(g, np.ndarray) else mg.tensor(ctx.copy)  # a constant
            return 2 * g * x
    x = mg.tensor([0.5, -1.5], requires_grad=True)
    assert mg.gradcheck(SquareWithConstantBackward.apply, x)
    with pytest.raises(GradcheckError, match="gradgradcheck: second derivatives"):
        gradgradcheck(SquareWithConstantBackward.apply, x)


# ----------------------------------------------------------------------------- vs PyTorch
def _torch_cases():
    torch = torch_or_skip()
    TF = torch.nn.functional
    rng = np.random.default_rng(3)

    def u(*shape, low=-2.0, high=2.0):
        return rng.uniform(low, high, shape)

    def away(*shape):
        a = rng.uniform(-2, 2, shape)
        return np.sign(a) * (0.2 + np.abs(a))

    targets = np.array([0, 2, 1])
    index = np.array([[0, 2, 2], [1, 0, 3]])
    return {
        "mul": (lambda a, b: a * b, lambda a, b: a * b, u(3, 4), u(4)),
        "div": (lambda a, b: a / b, lambda a, b: a / b, u(3, 4), u(3, 4, low=0.5)),
        "pow": (lambda a, b: a ** b, lambda a, b: a ** b, u(3, low=0.3), u(3)),
        "pow_number": (lambda a: a ** 3, lambda a: a ** 3, u(3, 4)),
        "exp_log_sqrt": (lambda a: (a.exp() + a.log()) * a.sqrt(),
                         lambda a: (a.exp() + a.log()) * a.sqrt(), u(5, low=0.3)),
        "maximum_where": (lambda a, b: mg.where(a > 0, mg.maximum(a, b), a * b),
                          lambda a, b: torch.where(a > 0, torch.maximum(a, b), a * b),
                          away(3, 4), away(3, 4)),
        "clamp_abs": (lambda a: a.clamp(-1, 1) * abs(a), lambda a: a.clamp(-1, 1) * abs(a),
                      away(6)),
        "activations": (lambda a: F.sigmoid(a) * F.tanh(a) + F.softplus(a) * F.relu(a)
                        + F.leaky_relu(a, 0.1) ** 2,
                        lambda a: TF.sigmoid(a) * TF.tanh(a) + TF.softplus(a) * TF.relu(a)
                        + TF.leaky_relu(a, 0.1) ** 2, away(3, 4)),
        "gelu": (lambda a: F.gelu(a) + F.gelu(a, approximate="tanh") ** 2,
                 lambda a: TF.gelu(a) + TF.gelu(a, approximate="tanh") ** 2, u(3, 4)),
        "softmax": (lambda a: F.softmax(a, 1) * F.log_softmax(a, 0),
                    lambda a: TF.softmax(a, 1) * TF.log_softmax(a, 0), u(3, 4)),
        "reductions": (lambda a: a.sum(0) * a.mean(0) + a.var(0) + a.std(0) + a.amax(0),
                       lambda a: a.sum(0) * a.mean(0) + a.var(0) + a.std(0) + a.amax(0),
                       u(4, 3)),
        "matmul_batched": (lambda a, b: (a @ b) ** 2, lambda a, b: (a @ b) ** 2,
                           u(2, 3, 4), u(4, 5)),
        "shape_and_indexing": (
            lambda a: (a.permute(1, 0).reshape(2, 6)[:, [0, 0, 3]].gather(
                1, mg.tensor([[0, 1], [2, 2]])) ** 2),
            lambda a: (a.permute(1, 0).reshape(2, 6)[:, [0, 0, 3]].gather(
                1, torch.tensor([[0, 1], [2, 2]])) ** 2), u(3, 4)),
        "cat_pad": (lambda a, b: F.pad(mg.cat([a, b], 1), (1, 2)) ** 3,
                    lambda a, b: TF.pad(torch.cat([a, b], 1), (1, 2)) ** 3, u(2, 3), u(2, 2)),
        "mse": (F.mse_loss, TF.mse_loss, u(3, 4), u(3, 4)),
        "cross_entropy": (lambda a: F.cross_entropy(a, targets),
                          lambda a: TF.cross_entropy(a, torch.tensor(targets)), u(3, 4)),
        "cross_entropy_smoothed": (lambda a: F.cross_entropy(a, targets, label_smoothing=0.2),
                                   lambda a: TF.cross_entropy(a, torch.tensor(targets),
                                                              label_smoothing=0.2), u(3, 4)),
        "cross_entropy_probabilities": (lambda a, q: F.cross_entropy(a, q),
                                        lambda a, q: TF.cross_entropy(a, q), u(3, 4),
                                        u(3, 4, low=0.1, high=1.0)),
        "nll": (lambda a: F.nll_loss(F.log_softmax(a, 1), targets),
                lambda a: TF.nll_loss(TF.log_softmax(a, 1), torch.tensor(targets)), u(3, 4)),
        "bce": (F.binary_cross_entropy, TF.binary_cross_entropy, u(3, 4, low=0.1, high=0.9),
                u(3, 4, low=0, high=1)),
        "bce_logits": (F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits,
                       u(3, 4), u(3, 4, low=0, high=1)),
        "linear": (lambda x, w, b: F.linear(x, w, b) ** 2, lambda x, w, b: TF.linear(x, w, b) ** 2,
                   u(3, 4), u(2, 4), u(2)),
        "conv2d": (lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1) ** 2,
                   lambda x, w, b: TF.conv2d(x, w, b, stride=2, padding=1) ** 2,
                   u(2, 2, 5, 5), u(3, 2, 3, 3), u(3)),
        "max_pool2d": (lambda x: F.max_pool2d(x, 2) ** 2, lambda x: TF.max_pool2d(x, 2) ** 2,
                       u(1, 2, 4, 4)),
        "avg_pool2d": (lambda x: F.avg_pool2d(x, 3, 2, 1) ** 2,
                       lambda x: TF.avg_pool2d(x, 3, 2, 1) ** 2, u(1, 2, 5, 5)),
        "batch_norm": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True) ** 2,
                       lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True) ** 2,
                       u(4, 3, 2), u(3), u(3)),
        "layer_norm": (lambda x, w, b: F.layer_norm(x, (4,), w, b) ** 2,
                       lambda x, w, b: TF.layer_norm(x, (4,), w, b) ** 2, u(3, 4), u(4), u(4)),
        "embedding": (lambda w: F.embedding(index, w) ** 2,
                      lambda w: TF.embedding(torch.tensor(index), w) ** 2, u(4, 3)),
        "attention": (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
                      lambda q, k, v: _math_attention(q, k, v, is_causal=True),
                      u(2, 3, 4), u(2, 3, 4), u(2, 3, 4)),
        "trigonometry": (lambda a: a.sin() * a.cos() + a.erf() ** 2,
                         lambda a: a.sin() * a.cos() + a.erf() ** 2, u(3, 4)),
        "prod_logsumexp_cumsum": (
            lambda a: a.prod(1) * a.logsumexp(0).sum() + (a.cumsum(1) ** 2).sum(0)[:3],
            lambda a: a.prod(1) * a.logsumexp(0).sum() + (a.cumsum(1) ** 2).sum(0)[:3], u(3, 4)),
        "copies": (lambda a: (a.flip(0).repeat(2, 1) * a.clone().repeat(2, 1)).sum_to_size(1, 4)
                   ** 2, lambda a: (a.flip(0).repeat(2, 1) * a.clone().repeat(2, 1))
                   .sum_to_size(1, 4) ** 2, u(3, 4)),
        "new_activations": (lambda a: F.elu(a) * F.silu(a) + F.softplus(a, 2.0, 30.0) ** 2,
                            lambda a: TF.elu(a) * TF.silu(a) + TF.softplus(a, 2.0, 30.0) ** 2,
                            away(3, 4)),
        "conv_transpose_groups": (
            lambda x, w: F.conv_transpose2d(x, w, stride=2, groups=2) ** 2,
            lambda x, w: TF.conv_transpose2d(x, w, stride=2, groups=2) ** 2,
            u(1, 4, 3, 3), u(4, 1, 2, 2)),
        "unfold_fold_crop": (lambda x: F.fold(F.unfold(F.pad(x, (-1, 1)), 2) ** 2, (3, 4), 2),
                             lambda x: TF.fold(TF.unfold(TF.pad(x, (-1, 1)), 2) ** 2, (3, 4),
                                               2), u(1, 2, 3, 4)),
    }


def _math_attention(q, k, v, **options):
    """PyTorch's scaled dot-product attention through its math backend: since 2.14 its
    default CPU kernel is a flash kernel whose backward is not differentiable, so a double
    backward needs the math one (the same formulas minigrad's op writes out)."""
    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel
    with sdpa_kernel(SDPBackend.MATH):
        return torch.nn.functional.scaled_dot_product_attention(q, k, v, **options)


try:
    import torch  # noqa: F401
    TORCH_CASES = sorted(_torch_cases())
except ImportError:  # pragma: no cover - torch is the `ref` extra
    TORCH_CASES = []


@pytest.mark.parametrize("name", TORCH_CASES)
def test_second_derivatives_equal_torch_double_backward(name):
    mg_fn, torch_fn, *arrays = _torch_cases()[name]
    assert_double_backward_matches_torch(mg_fn, torch_fn, *arrays)


@pytest.mark.parametrize("kind", ["lstm", "rnn"])
def test_recurrent_cells_second_derivatives_equal_torch(kind):
    torch = torch_or_skip()
    mg.manual_seed(0)
    ours = (nn.LSTMCell(3, 4) if kind == "lstm" else nn.RNNCell(3, 4)).double()
    theirs = (torch.nn.LSTMCell(3, 4) if kind == "lstm" else torch.nn.RNNCell(3, 4)).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    rng = np.random.default_rng(5)
    x, h, c = rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, (2, 4)), rng.uniform(-1, 1, (2, 4))
    if kind == "lstm":
        assert_double_backward_matches_torch(lambda a, b, d: ours(a, (b, d))[1] * ours(a, (b, d))[0],
                                             lambda a, b, d: theirs(a, (b, d))[1]
                                             * theirs(a, (b, d))[0], x, h, c)
    else:
        assert_double_backward_matches_torch(lambda a, b: ours(a, b) ** 2,
                                             lambda a, b: theirs(a, b) ** 2, x, h)


# ----------------------------------------------------------------------------- grad() semantics
def test_grad_returns_gradients_without_touching_dot_grad():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3          # a non-leaf input works too
    y = (h * h).sum()
    gx, gh = mg.autograd.grad(y, [x, h])
    assert gx.tolist() == [18.0, 36.0] and gh.tolist() == [6.0, 12.0]
    assert x.grad is None and not gx.requires_grad


def test_grad_unused_input_is_an_error_unless_allowed():
    x, z = mg.ones(2, requires_grad=True), mg.ones(2, requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        mg.autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = mg.autograd.grad(y, [x, z], allow_unused=True)
    assert gz is None and gx.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.autograd.grad((x * 2).sum(), [mg.ones(2)])


def test_backward_with_inputs_accumulates_only_into_them():
    a, b = mg.ones(2, requires_grad=True), mg.ones(2, requires_grad=True)
    (a * b * 3).sum().backward(inputs=[a])
    assert a.grad.tolist() == [3.0, 3.0] and b.grad is None


def test_create_graph_makes_dot_grad_differentiable():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    assert x.grad.requires_grad and x.grad.tolist() == [3.0, 12.0]
    first = x.grad
    x.grad = None
    first.sum().backward()          # d/dx Σ 3x² = 6x
    assert x.grad.tolist() == [6.0, 12.0]


def test_third_derivative():
    x = mg.tensor(2.0, requires_grad=True, dtype=mg.float64)
    (d1,) = mg.autograd.grad(x ** 4, x, create_graph=True)
    (d2,) = mg.autograd.grad(d1, x, create_graph=True)
    (d3,) = mg.autograd.grad(d2, x)
    assert (d1.item(), d2.item(), d3.item()) == (32.0, 48.0, 48.0)


def test_an_op_that_is_not_twice_differentiable_says_so():
    class Once(Function):
        differentiable_twice = False

        def forward(ctx, x):
            return x * 2

        def backward(ctx, g):
            return g * 2
    x = mg.ones(2, requires_grad=True)
    assert mg.autograd.grad(Once.apply(x).sum(), x)[0].tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="OnceBackward.*not differentiable.*create_graph"):
        mg.autograd.grad(Once.apply(x).sum(), x, create_graph=True)


def test_backward_gradient_array_is_copied_into_grad_as_pytorch():
    x = mg.zeros(3, requires_grad=True)
    g = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    x.backward(g)
    assert x.grad.array is not g and x.grad.tolist() == [1.0, 2.0, 3.0]


# ----------------------------------------------------------------------------- functional
def _rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def test_hessian_of_rosenbrock_is_exact():
    p = mg.tensor([0.5, -0.3], dtype=mg.float64)
    h = AF.hessian(_rosenbrock, p).numpy()
    x, y = 0.5, -0.3
    expected = np.array([[2 - 400 * (y - x ** 2) + 800 * x ** 2, -400 * x], [-400 * x, 200]])
    np.testing.assert_allclose(h, expected, rtol=1e-12)


def test_hvp_equals_finite_differences_of_the_gradient():
    rng = np.random.default_rng(0)
    w = mg.tensor(rng.standard_normal((4, 3)))
    f = lambda x: ((x @ w).tanh() ** 2).sum()  # noqa: E731
    x, v = rng.standard_normal(4), rng.standard_normal(4)
    _, hv = AF.hvp(f, mg.tensor(x), mg.tensor(v))
    grad_at = lambda point: AF.vjp(f, mg.tensor(point))[1].numpy()  # noqa: E731
    eps = 1e-6
    np.testing.assert_allclose(hv.numpy(), (grad_at(x + eps * v) - grad_at(x - eps * v)) / (2 * eps),
                               rtol=1e-6, atol=1e-8)


def test_functional_api_matches_torch():
    torch = torch_or_skip()
    TAF = torch.autograd.functional
    rng = np.random.default_rng(2)
    b, a, v, w = (rng.standard_normal(s) for s in [(4, 3), (4,), (4,), (3,)])

    def f(lib, x):
        return (x @ lib.tensor(b)).tanh()
    mine = mg.tensor(a)
    theirs = torch.tensor(a)
    checks = [
        (AF.vjp(lambda x: f(mg, x), mine, mg.tensor(w))[1],
         TAF.vjp(lambda x: f(torch, x), theirs, torch.tensor(w))[1]),
        (AF.jvp(lambda x: f(mg, x), mine, mg.tensor(v))[1],
         TAF.jvp(lambda x: f(torch, x), theirs, torch.tensor(v))[1]),
        (AF.jacobian(lambda x: f(mg, x), mine), TAF.jacobian(lambda x: f(torch, x), theirs)),
        (AF.jacobian(lambda x: f(mg, x), mine, strategy="forward-mode"),
         TAF.jacobian(lambda x: f(torch, x), theirs)),
        (AF.hessian(lambda x: (f(mg, x) ** 2).sum(), mine),
         TAF.hessian(lambda x: (f(torch, x) ** 2).sum(), theirs)),
        (AF.vhp(lambda x: (f(mg, x) ** 2).sum(), mine, mg.tensor(v))[1],
         TAF.vhp(lambda x: (f(torch, x) ** 2).sum(), theirs, torch.tensor(v))[1]),
    ]
    for ours, ref in checks:
        np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-10, atol=1e-12)
    pair = AF.hessian(lambda p, q: (p * p * q).sum(), (mine, mg.tensor(v)))
    ref = TAF.hessian(lambda p, q: (p * p * q).sum(), (theirs, torch.tensor(v)))
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(pair[i][j].numpy(), ref[i][j].numpy(), rtol=1e-12)


def test_functional_results_are_detached_unless_create_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    out, g = AF.vjp(lambda t: (t ** 2).sum(), x)
    assert not g.requires_grad and not out.requires_grad
    _, g = AF.vjp(lambda t: (t ** 2).sum(), x, create_graph=True)
    assert g.requires_grad
    (gx,) = mg.autograd.grad(g.sum(), x)     # d/dx Σ 2x = 2, through the original input
    assert gx.tolist() == [2.0, 2.0]


def test_strict_mode_refuses_an_independent_output():
    with pytest.raises(RuntimeError, match="independent of input 1"):
        AF.vjp(lambda a, b: (a * 2).sum(), (mg.ones(2), mg.ones(2)), strict=True)
    _, (ga, gb) = AF.vjp(lambda a, b: (a * 2).sum(), (mg.ones(2), mg.ones(2)))
    assert gb.tolist() == [0.0, 0.0]
