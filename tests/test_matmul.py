"""matmul with NumPy's semantics: vector, matrix, batched, broadcast batch dims."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad as mg
from reference import assert_gradcheck, assert_matches_torch
from strategies import arrays

side = st.integers(1, 4)


@st.composite
def matmul_operands(draw):
    m, k, n = draw(side), draw(side), draw(side)
    a_kind = draw(st.sampled_from(["vector", "matrix", "batch"]))
    b_kind = draw(st.sampled_from(["vector", "matrix", "batch"]))
    batch = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    a_shape = {"vector": (k,), "matrix": (m, k),
               "batch": tuple(draw(st.sampled_from([1, b])) for b in batch) + (m, k)}[a_kind]
    b_shape = {"vector": (k,), "matrix": (k, n),
               "batch": tuple(draw(st.sampled_from([1, b])) for b in batch[-1:]) + (k, n)}[b_kind]
    return draw(arrays(a_shape)), draw(arrays(b_shape))


@given(operands=matmul_operands())
def test_matmul_matches_torch_and_gradcheck(operands):
    a, b = operands
    assert_matches_torch(lambda x, y: x @ y, lambda x, y: x @ y, a, b)
    assert_gradcheck(lambda x, y: x @ y, a, b)


def test_matmul_with_one_operand_constant_skips_its_gradient():
    x = mg.randn(4, 3)
    w = mg.randn(3, 2, requires_grad=True)
    (x @ w).sum().backward()
    assert x.grad is None and w.grad.shape == (3, 2)
    np.testing.assert_allclose(w.grad.array, np.broadcast_to(x.array.sum(0)[:, None], (3, 2)),
                               rtol=1e-5)


def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) are not aligned: "
                                         r"3 \(last dim of the first\) != 4"):
        mg.ones(2, 3) @ mg.ones(4, 5)
    with pytest.raises(ValueError, match=r"matmul: shapes \(3,\) and \(2,\)"):
        mg.matmul(mg.ones(3), mg.ones(2))
