"""gradcheck itself: it passes right gradients and reports wrong ones precisely."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import Function


class WrongSquare(Function):
    """z = x², with a deliberately wrong backward (forgets the factor 2)."""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    def backward(ctx, g):
        (x,) = ctx.saved
        return g * x


def test_gradcheck_passes_a_correct_function():
    x = mg.randn(3, 2, requires_grad=True)
    assert mg.gradcheck(lambda t: (t * t).sum(dim=1), x)


def test_gradcheck_works_in_float64_even_for_float32_inputs():
    x = mg.randn(4, requires_grad=True)
    assert x.dtype == mg.float32
    assert mg.gradcheck(lambda t: t.exp() * t, x)


def test_gradcheck_reports_the_worst_element_of_each_input():
    x = mg.tensor([[1.0, 2.0], [3.0, -1.0]], requires_grad=True)
    y = mg.tensor([0.5, 0.25], requires_grad=True)
    with pytest.raises(mg.GradcheckError) as info:
        mg.gradcheck(lambda a, b: WrongSquare.apply(a) * b, x, y)
    message = str(info.value)
    assert "MISMATCH input 0 of shape (2, 2)" in message
    assert "ok      input 1 of shape (2,)" in message
    assert "worst at (1, 0)" in message  # largest error: |3·w| vs |6·w| at x = 3
    assert "max abs error" in message and "max rel error" in message


def test_numerical_grad_of_a_known_function():
    x = mg.tensor([0.5, -1.0], dtype=mg.float64, requires_grad=True)
    (grad,) = mg.numerical_grad(lambda t: (t ** 3).sum(), x)
    np.testing.assert_allclose(grad, 3 * x.array ** 2, rtol=1e-8)


def test_gradcheck_needs_something_to_check():
    with pytest.raises(ValueError, match="no input requires grad"):
        mg.gradcheck(lambda t: t * 2, mg.ones(2))


def test_gradcheck_leaves_inputs_unchanged():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    before = x.array.copy()
    mg.gradcheck(lambda t: t.sum(), x)
    assert np.array_equal(x.array, before) and x.grad is None
