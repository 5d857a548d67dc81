"""Graph semantics: shared inputs, diamonds, accumulation, no_grad, detach, retain_grad, deep
chains without recursion, errors of backward."""
import sys

import numpy as np
import pytest

import minigrad as mg


def test_tensor_used_twice_gets_both_contributions():
    x = mg.tensor(3.0, requires_grad=True)
    (x * x + x).backward()
    assert x.grad.item() == 7.0


def test_diamond_graph():
    x = mg.tensor(2.0, requires_grad=True)
    a, b = x * 3, x.exp()
    (a * b).backward()  # d/dx 3x e^x = 3e^x + 3x e^x
    assert x.grad.item() == pytest.approx(3 * np.exp(2) * 3, rel=1e-6)


def test_backward_twice_needs_retain_graph_and_then_accumulates_like_torch():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]
    with pytest.raises(RuntimeError, match=r"MulBackward: trying to backward through the graph "
                                           r"a second time.*retain_graph=True"):
        y.backward()
    (x * 1).sum().backward()
    assert x.grad.tolist() == [5.0, 9.0]


def test_gradients_after_resetting_grad():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_leaf_gradients_never_share_memory():
    a, b = mg.ones(2, requires_grad=True), mg.ones(2, requires_grad=True)
    (a + b).sum().backward()
    a.grad.array[0] = 100.0
    assert b.grad.tolist() == [1.0, 1.0]
    assert a.grad.array.flags.writeable and b.grad.array.flags.writeable


def test_intermediate_gradients_are_not_kept_unless_asked():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    k = h * 3
    k.retain_grad()
    (k + h).sum().backward()
    assert h.grad is None
    assert k.grad.tolist() == [1.0, 1.0]
    assert x.grad.tolist() == [8.0, 8.0]


def test_no_grad_context_and_decorator():
    x = mg.ones(2, requires_grad=True)
    with mg.no_grad():
        y = x * 2
        assert not mg.is_grad_enabled()
        with mg.enable_grad():
            assert (x * 2).requires_grad
    assert mg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None

    @mg.no_grad()
    def double(t):
        return t * 2
    assert not double(x).requires_grad


def test_no_grad_restores_mode_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with mg.no_grad():
            1 / 0
    assert mg.is_grad_enabled()


def test_detach_cuts_the_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y.detach() * x
    z.sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    assert y.detach().array is y.array


def test_chain_of_100000_ops_needs_no_recursion():
    limit = sys.getrecursionlimit()
    x = mg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0 and sys.getrecursionlimit() == limit


def test_non_scalar_backward_needs_gradient():
    y = mg.ones(3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"grad can be implicitly created only for scalar "
                                           r"outputs; this tensor has shape \(3,\)"):
        y.backward()
    y.backward(mg.tensor([1.0, 0.0, 2.0]))
    with pytest.raises(RuntimeError, match=r"gradient has shape \(2,\) but the tensor has shape"):
        y.backward(mg.ones(2))


def test_backward_of_tensor_without_grad_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.ones(2).sum().backward()


def test_backward_on_a_leaf():
    x = mg.tensor(2.0, requires_grad=True)
    x.backward()
    assert x.grad.item() == 1.0


def test_outputs_of_constants_are_leaves_without_grad():
    y = mg.ones(2) * mg.ones(2)
    assert y.is_leaf and not y.requires_grad and y.grad_fn is None


def test_integer_results_of_ops_on_grad_tensors_are_not_recorded():
    x = mg.tensor([1.5, 2.5], requires_grad=True)
    assert not x.long().requires_grad


def test_grad_fn_is_named_like_torch():
    x = mg.ones(2, requires_grad=True)
    assert (x * 2).grad_fn.name == "MulBackward"
    assert "grad_fn=<MulBackward>" in repr(x * 2)


def test_inplace_change_of_a_grad_leaf_is_refused_while_recording():
    x = mg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="zero_\\(\\): a tensor that requires grad"):
        x.zero_()
    with mg.no_grad():
        x.fill_(3.0)
    assert x.tolist() == [3.0, 3.0]


@pytest.mark.parametrize("call", [lambda: mg.randn(2, 3) @ mg.randn(4, 5),
                                  lambda: mg.randn(2, 3).permute(0, 0),
                                  lambda: mg.randn(2, 3).reshape(-1, -1),
                                  lambda: mg.randn(2, 3) + mg.randn(4)])
def test_shape_errors_are_runtime_errors_as_in_pytorch_and_value_errors(call):
    """A ported ``except RuntimeError:`` catches them, and so does ``except ValueError:``."""
    with pytest.raises(RuntimeError) as caught:
        call()
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("through", [lambda x: x, lambda x: x * 1, lambda x: x + 0])
def test_backward_gradient_is_copied_not_aliased(through):
    """As PyTorch: the array passed as ``gradient=`` never becomes a leaf's .grad, so changing
    it afterwards changes no gradient."""
    x = mg.randn(3, requires_grad=True)
    given = np.ones(3, np.float32)
    through(x).backward(gradient=given)
    given[:] = 7
    np.testing.assert_array_equal(x.grad.array, [1, 1, 1])
    y = mg.randn(3, requires_grad=True)
    as_tensor = mg.ones(3)
    through(y).backward(gradient=as_tensor)
    assert not np.shares_memory(y.grad.array, as_tensor.array)


# ----------------------------------------------------------------------------- in place, recorded


def _inplace_chain(lib, x):
    h = x * 2
    h += x
    h *= x
    h -= 1
    h /= x + 1
    c = x * 1
    c += c + 1          # micrograd's own test
    return h.sum() + (c * c).sum()


def test_inplace_arithmetic_inside_the_graph_is_recorded_as_torchs():
    torch = pytest.importorskip("torch")
    values = np.array([1.0, 2.0, -3.0])
    ours = mg.tensor(values, requires_grad=True)
    theirs = torch.tensor(values, requires_grad=True)
    a, b = _inplace_chain(mg, ours), _inplace_chain(torch, theirs)
    a.backward()
    b.backward()
    assert np.allclose(a.item(), b.item()) and np.allclose(ours.grad.numpy(), theirs.grad.numpy())
    assert mg.gradcheck(lambda t: _inplace_chain(mg, t), mg.tensor(values, requires_grad=True))


def test_a_residual_add_in_place_as_resnets_out_plus_identity():
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (mg, torch):
        lib.manual_seed(0)
        layer = lib.nn.Linear(3, 3).double()
        with lib.no_grad():
            layer.weight.copy_(lib.tensor(np.arange(9.0).reshape(3, 3) / 10))
            layer.bias.fill_(0.5)
        x = lib.tensor(np.array([[1.0, -2.0, 0.5]]), requires_grad=True)
        out = layer(x)
        out += x            # out += identity
        lib.relu(out).sum().backward()
        grads.append((x.grad.numpy().copy(), layer.weight.grad.numpy().copy()))
    assert all(np.allclose(g, t) for g, t in zip(*grads))


def test_a_tensor_outside_the_graph_joins_it_when_a_graph_value_is_added_in_place():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    total = mg.zeros(2)
    total += x * 3
    assert total.requires_grad and not total.is_leaf
    total.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_inplace_changes_that_would_give_wrong_gradients_are_refused():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        x += 1
    a = x.exp()
    a += 1              # Exp saved its output: backward must refuse it, as PyTorch does
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        a.sum().backward()
    h = x * 2
    with pytest.raises(RuntimeError, match="view of another tensor"):
        view = h[0:1]
        view += 1
    with mg.no_grad():  # outside recording, in place is a plain update
        h += 1
    assert h.tolist() == [3.0, 5.0]


def _indexed_assignments(lib, x, v):
    y = x * 2
    y[y < 0] = 0         # a mask
    y[:, 0] = v          # a column from another graph value
    z = lib.zeros(2, 3, dtype=x.dtype)  # outside the graph until a graph value is written in
    z[1] = x[0] * 3
    return (y * y).sum() + z.sum()


def test_indexed_assignment_inside_the_graph_is_recorded_as_torchs():
    torch = pytest.importorskip("torch")
    values, column = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), np.array([10.0, 20.0])
    grads = []
    for lib in (mg, torch):
        x = lib.tensor(values, requires_grad=True)
        v = lib.tensor(column, requires_grad=True)
        _indexed_assignments(lib, x, v).backward()
        grads.append((x.grad.numpy().copy(), v.grad.numpy().copy()))
    assert all(np.allclose(a, b) for a, b in zip(*grads))
    assert mg.gradcheck(lambda a, b: _indexed_assignments(mg, a, b),
                        mg.tensor(values, requires_grad=True), mg.tensor(column,
                                                                          requires_grad=True))
