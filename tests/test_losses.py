"""Losses: values and gradients equal PyTorch's and central differences; formulas at extremes."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad as mg
import minigrad.functional as F
from reference import assert_gradcheck, assert_matches_torch, torch_or_none, torch_or_skip
from strategies import arrays, shapes

REDUCTIONS = ["mean", "sum", "none"]


def tF():
    return torch_or_skip().nn.functional


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_mse_loss(reduction, data):
    shape = data.draw(shapes())
    x, t = data.draw(arrays(shape)), data.draw(arrays(shape))
    check = lambda f: lambda a, b: f(a, b, reduction=reduction)  # noqa: E731
    assert_matches_torch(check(F.mse_loss), check(lambda a, b, **k: tF().mse_loss(a, b, **k)), x, t)
    assert_gradcheck(check(F.mse_loss), x, t)


@st.composite
def logits_and_classes(draw):
    n, c = draw(st.integers(1, 5)), draw(st.integers(2, 5))
    return draw(arrays((n, c), -5, 5)), np.array(draw(st.lists(st.integers(0, c - 1),
                                                                 min_size=n, max_size=n)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(case=logits_and_classes(), smoothing=st.sampled_from([0.0, 0.1]))
def test_cross_entropy_with_class_indices(reduction, case, smoothing):
    x, target = case
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    ours = lambda a: F.cross_entropy(a, target, **kw)  # noqa: E731
    theirs = lambda a: tF().cross_entropy(a, torch_or_skip().tensor(target), **kw)  # noqa: E731
    assert_matches_torch(ours, theirs, x)
    assert_gradcheck(ours, x)


@given(case=logits_and_classes())
def test_cross_entropy_with_probability_targets(case):
    x, _ = case
    probs = np.random.default_rng(len(x)).dirichlet(np.ones(x.shape[1]), size=len(x))
    assert_matches_torch(F.cross_entropy, tF().cross_entropy, x, probs)
    assert_gradcheck(F.cross_entropy, x, probs)


def test_cross_entropy_ignore_index_and_spatial_dims():
    torch = torch_or_skip()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 3, 2))
    target = rng.integers(0, 4, (2, 3, 2))
    target[0, 0, 0] = -100
    for reduction in REDUCTIONS:
        assert_matches_torch(lambda a: F.cross_entropy(a, target, reduction=reduction),
                             lambda a: tF().cross_entropy(a, torch.tensor(target),
                                                          reduction=reduction), x)
        assert_matches_torch(lambda a: F.nll_loss(F.log_softmax(a, 1), target, reduction=reduction),
                             lambda a: tF().nll_loss(tF().log_softmax(a, 1), torch.tensor(target),
                                                     reduction=reduction), x)


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    """F4 corrected: for softmax + cross-entropy, dL/dz = ŷ - y (per sample)."""
    z = mg.tensor([[2.0, 1.0, 0.1]], dtype=mg.float64, requires_grad=True)
    F.cross_entropy(z, [0]).backward()
    y_hat = np.exp(z.array) / np.exp(z.array).sum()
    np.testing.assert_allclose(z.grad.array, y_hat - [[1, 0, 0]])


def test_cross_entropy_is_finite_for_huge_logits():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = mg.tensor([[1e4, -1e4, 0.0]], requires_grad=True)
        loss = F.cross_entropy(x, [1])
        loss.backward()
    assert loss.item() == pytest.approx(2e4) and np.all(np.isfinite(x.grad.array))


@given(case=logits_and_classes())
def test_nll_loss(case):
    x, target = case
    ours = lambda a: F.nll_loss(a, target)  # noqa: E731
    assert_matches_torch(ours, lambda a: tF().nll_loss(a, torch_or_skip().tensor(target)), x)
    assert_gradcheck(ours, x)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_binary_cross_entropy(reduction, data):
    shape = data.draw(shapes())
    p, t = data.draw(arrays(shape, 0.05, 0.95)), data.draw(arrays(shape, 0, 1))
    ours = lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction)  # noqa: E731
    theirs = lambda a, b: tF().binary_cross_entropy(a, b, reduction=reduction)  # noqa: E731
    assert_matches_torch(ours, theirs, p, t)
    assert_gradcheck(ours, p, t)


def test_binary_cross_entropy_is_clamped_like_torch_at_0_and_1():
    p, t = np.array([0.0, 1.0, 0.0, 1.0, 0.5]), np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_matches_torch(lambda a: F.binary_cross_entropy(a, t),
                             lambda a: tF().binary_cross_entropy(a, torch_or_skip().tensor(t)), p)


def test_binary_cross_entropy_rejects_non_probabilities():
    with pytest.raises(ValueError, match=r"binary_cross_entropy: input must be probabilities"):
        F.binary_cross_entropy(mg.tensor([1.5]), mg.tensor([1.0]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_binary_cross_entropy_with_logits(reduction, data):
    shape = data.draw(shapes())
    x, t = data.draw(arrays(shape, -20, 20)), data.draw(arrays(shape, 0, 1))
    ours = lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction)  # noqa
    theirs = lambda a, b: tF().binary_cross_entropy_with_logits(a, b, reduction=reduction)  # noqa
    assert_matches_torch(ours, theirs, x, t)
    assert_gradcheck(ours, x, t)


def test_bce_with_logits_extreme_values():
    x = np.array([-1e4, -100.0, 0.0, 100.0, 1e4])
    t = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_matches_torch(
            lambda a: F.binary_cross_entropy_with_logits(a, t, reduction="none"),
            lambda a: tF().binary_cross_entropy_with_logits(a, torch_or_skip().tensor(t),
                                                            reduction="none"), x)


@given(data=st.data())
def test_hinge_loss(data):
    shape = data.draw(shapes(min_dims=1))
    score = data.draw(arrays(shape))
    y = np.where(data.draw(arrays(shape)) > 0, 1.0, -1.0)
    score = np.where(np.abs(1 - y * score) < 1e-3, score + 0.01, score)  # off the kink
    loss = F.hinge_loss(mg.tensor(score), mg.tensor(y), reduction="none")
    np.testing.assert_allclose(loss.array, np.maximum(0, 1 - y * score))  # F9 as printed
    assert_gradcheck(lambda s: F.hinge_loss(s, mg.tensor(y)), score)
    torch = torch_or_skip()  # PyTorch's soft-margin cousin is different; check via relu
    assert_matches_torch(lambda s: F.hinge_loss(s, mg.tensor(y)),
                         lambda s: torch.relu(1 - torch.tensor(y) * s).mean(), score)


def test_hinge_rejects_labels_other_than_plus_minus_one():
    with pytest.raises(ValueError, match="hinge_loss: labels must be -1 or \\+1"):
        F.hinge_loss(mg.tensor([0.5, 0.2]), mg.tensor([1.0, 0.0]))


def softplus64(x):
    return np.logaddexp(0, x)


@pytest.mark.parametrize("logit", [-1e4, -50.0, -3.0, 0.0, 3.0, 50.0, 1e4])
def test_gan_losses_against_their_formulas_at_extreme_logits(logit):
    """F17 with D = σ(logit): the discriminator's -log D(x) - log(1 - D(G(z))) and the
    generator's -log D(G(z)) (non-saturating) or log(1 - D(G(z))) (minimax)."""
    real = mg.tensor([logit], dtype=mg.float64, requires_grad=True)
    fake = mg.tensor([-logit / 2], dtype=mg.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d_loss = F.gan_discriminator_loss(real, fake)
        g_loss = F.gan_generator_loss(fake)
        g_minimax = F.gan_generator_loss(fake, saturating=True)
        (d_loss + g_loss + g_minimax).backward()
    f = -logit / 2
    assert d_loss.item() == pytest.approx(softplus64(-logit) + softplus64(f), rel=1e-12)
    assert g_loss.item() == pytest.approx(softplus64(-f), rel=1e-12)
    assert g_minimax.item() == pytest.approx(-softplus64(f), rel=1e-12)
    sigmoid = lambda v: 0.5 * (1 + np.tanh(v / 2))  # noqa: E731
    assert real.grad.item() == pytest.approx(-sigmoid(-logit), abs=1e-12)
    assert fake.grad.item() == pytest.approx(sigmoid(f) - sigmoid(-f) - sigmoid(f), abs=1e-12)


def test_loss_shape_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match=r"mse_loss: input shape \(3,\) and target shape \(3, 1\)"):
        F.mse_loss(mg.ones(3), mg.ones(3, 1))
    with pytest.raises(ValueError, match=r"cross_entropy: input of shape \(4, 3\) needs a target "
                                         r"of shape \(4,\)"):
        F.cross_entropy(mg.ones(4, 3), [0, 1])
    with pytest.raises(IndexError, match="cross_entropy: target 7 is out of range for 3 classes"):
        F.cross_entropy(mg.ones(2, 3), [0, 7])
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.mse_loss(mg.ones(2), mg.ones(2), reduction="avg")


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_probability_targets_with_extra_dims(smoothing, reduction):
    """(N, C, d1, d2) logits with (N, C, d1, d2) class probabilities: the class dim of both is
    dim 1 (the target's is moved with the input's)."""
    torch = torch_or_skip()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4, 2))
    q = rng.random((2, 3, 4, 2))
    q /= q.sum(1, keepdims=True)
    assert_matches_torch(
        lambda a, b: F.cross_entropy(a, b, reduction=reduction, label_smoothing=smoothing),
        lambda a, b: torch.nn.functional.cross_entropy(a, b, reduction=reduction,
                                                       label_smoothing=smoothing), x, q)


def test_cross_entropy_target_shape_errors_say_what_is_expected():
    with pytest.raises(RuntimeError, match=r"cross_entropy: input of shape \(2, 3, 4\) needs a "
                                           r"target of shape \(2, 3, 4\) \(class probabilities"):
        F.cross_entropy(mg.randn(2, 3, 4), mg.rand(2, 4, 3))
    with pytest.raises(ValueError, match=r"needs a target of shape \(2, 4\) \(class indices\)"):
        F.cross_entropy(mg.randn(2, 3, 4), mg.tensor([0, 1]))


# ----------------------------------------------------------------------------- means over nothing
def _all_ignored(loss: str):
    """(minigrad loss, PyTorch loss or None) on a batch whose every target is ignore_index."""
    target = np.full(4, -100)
    ours = {"cross_entropy": lambda x: F.cross_entropy(x, target),
            "cross_entropy_smoothed": lambda x: F.cross_entropy(x, target, label_smoothing=0.1),
            "nll_loss": lambda x: F.nll_loss(F.log_softmax(x, 1), target)}[loss]
    torch = torch_or_none()
    if torch is None:
        return ours, None
    t = torch.tensor(target)
    theirs = {"cross_entropy": lambda x: torch.nn.functional.cross_entropy(x, t),
              "cross_entropy_smoothed": lambda x: torch.nn.functional.cross_entropy(
                  x, t, label_smoothing=0.1),
              "nll_loss": lambda x: torch.nn.functional.nll_loss(
                  torch.log_softmax(x, 1), t)}[loss]
    return ours, theirs


@pytest.mark.parametrize("loss", ["cross_entropy", "cross_entropy_smoothed", "nll_loss"])
def test_an_all_ignored_batch_leaves_the_weights_finite(loss):
    """The loss of a batch with no counted target is NaN (a mean of nothing, as PyTorch's),
    but its gradient is zero, so an Adam step changes nothing and poisons no weight."""
    ours, theirs = _all_ignored(loss)
    mg.manual_seed(0)
    model = mg.nn.Linear(3, 5)
    before = [p.array.copy() for p in model.parameters()]
    optimizer = mg.optim.Adam(model.parameters(), lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")           # and quietly: no 0/0 warning on the way
        value = ours(model(mg.ones(4, 3)))
        value.backward()
    optimizer.step()
    assert np.isnan(value.item())
    for p, old in zip(model.parameters(), before):
        assert np.all(p.grad.array == 0) and np.array_equal(p.array, old)
    if theirs is not None:                        # PyTorch's gradient there is zero too
        x = torch_or_none().ones(4, 5, requires_grad=True)
        theirs(x).backward()
        assert (x.grad == 0).all()


def test_one_ignored_sample_with_label_smoothing_has_a_zero_gradient():
    x = mg.randn(1, 4, requires_grad=True, dtype=mg.float64)
    loss = F.cross_entropy(x, [-100], label_smoothing=0.2)
    loss.backward()
    assert np.isnan(loss.item()) and x.grad.tolist() == [[0.0] * 4]
    torch = torch_or_none()
    if torch is not None:
        t = torch.tensor(x.array, requires_grad=True)
        torch.nn.functional.cross_entropy(t, torch.tensor([-100]), label_smoothing=0.2).backward()
        assert t.grad.tolist() == [[0.0] * 4]


def test_means_over_no_elements_are_nan_with_empty_gradients():
    x = mg.randn(0, 3, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for value in (x.mean(), F.mse_loss(x, mg.zeros(0, 3)),
                      F.cross_entropy(x, np.zeros(0, np.int64))):
            assert np.isnan(value.item())
            x.grad = None
            value.backward()
            assert x.grad.shape == (0, 3)
        column_means = x.mean(dim=0)
        column_means.sum().backward()
    assert np.isnan(column_means.array).all() and column_means.shape == (3,)


@pytest.mark.parametrize("loss", [F.cross_entropy, F.nll_loss])
def test_class_targets_refuse_bool_and_say_the_dtype(loss):
    with pytest.raises(TypeError, match=f"{loss.__name__}: the target must hold integer class "
                                        f"indices.*got dtype bool"):
        loss(mg.randn(3, 4), mg.tensor([True, False, True]))
    with pytest.raises(RuntimeError):   # the error PyTorch raises, for ported except clauses
        loss(mg.randn(3, 4), np.array([True, False, True]))
    if loss is F.nll_loss:
        with pytest.raises(TypeError, match="got dtype float32"):
            loss(mg.randn(3, 4), mg.tensor([0.0, 1.0, 2.0]))
