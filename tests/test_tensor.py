"""Tensor creation, dtypes, properties, conversions and printing."""
import numpy as np
import pytest

import minigrad as mg


def test_python_floats_become_float32_and_numpy_float64_is_kept():
    assert mg.tensor([1.0, 2.0]).dtype == mg.float32
    assert mg.tensor(np.array([1.0, 2.0])).dtype == mg.float64
    assert mg.tensor([1, 2]).dtype == mg.int64
    assert mg.tensor([1, 2], dtype=mg.float64).dtype == mg.float64
    assert mg.tensor([True]).dtype == mg.bool_


def test_tensor_copies_its_data():
    a = np.zeros(3)
    t = mg.tensor(a)
    a[0] = 5
    assert t.tolist() == [0.0, 0.0, 0.0]
    shared = mg.from_numpy(a)
    assert shared.array is a


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(TypeError, match="only floating point tensors can require gradients; "
                                        "this tensor has dtype int64"):
        mg.tensor([1, 2], requires_grad=True)


def test_factories():
    assert mg.zeros(2, 3).shape == (2, 3) and mg.zeros((2, 3)).tolist() == [[0.0] * 3] * 2
    assert mg.ones([4]).dtype == mg.float32
    assert mg.full((2,), 7).dtype == mg.int64 and mg.full((2,), 0.5).tolist() == [0.5, 0.5]
    assert mg.arange(3).tolist() == [0, 1, 2] and mg.arange(0, 1, 0.5).dtype == mg.float32
    assert mg.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    x = mg.randn(2, 2, requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.dtype == mg.float32
    assert mg.zeros_like(x).shape == (2, 2) and not mg.zeros_like(x).requires_grad
    assert mg.ones_like(x).tolist() == [[1.0, 1.0]] * 2
    assert 0 <= mg.rand(100).array.min() and mg.rand(100).array.max() < 1
    assert mg.randint(0, 3, (50,)).array.max() < 3


def test_manual_seed_makes_draws_repeatable():
    mg.manual_seed(3)
    a = mg.randn(4)
    mg.manual_seed(3)
    assert mg.randn(4).tolist() == a.tolist()


def test_properties():
    x = mg.zeros(2, 3, 4)
    assert x.shape == (2, 3, 4) and x.ndim == 3 and x.dim() == 3 and x.size() == (2, 3, 4)
    assert x.size(1) == 3 and x.numel() == 24 and len(x) == 2 and x.device == "cpu"
    assert x.T.shape == (4, 3, 2) and x.mT.shape == (2, 4, 3)


def test_conversions():
    x = mg.tensor([[1.5, 2.0]])
    assert x.numpy() is x.array and np.asarray(x).shape == (1, 2)
    assert x.tolist() == [[1.5, 2.0]]
    assert mg.tensor([2.5]).item() == 2.5 and float(mg.tensor(2.5)) == 2.5
    assert x.double().dtype == mg.float64 and x.long().tolist() == [[1, 2]]
    assert x.to(mg.float64).dtype == mg.float64 and x.to("cpu") is x
    with pytest.raises(ValueError, match=r"item\(\): only one-element tensors .* shape \(1, 2\)"):
        x.item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(x)


def test_cast_is_differentiable():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x.double() * 3).sum().backward()
    assert x.grad.dtype == mg.float32 and x.grad.tolist() == [3.0, 3.0]


def test_requires_grad_():
    x = mg.ones(2)
    assert x.requires_grad_() is x and x.requires_grad
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 2).requires_grad_(False)


def test_cuda_without_cupy_is_a_clear_error():
    try:
        import cupy  # noqa: F401
        pytest.skip("CuPy is installed")
    except ImportError:
        pass
    with pytest.raises(RuntimeError, match="device 'cuda' needs CuPy"):
        mg.ones(2).cuda()
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        mg.ones(2, device="tpu")


def test_repr_like_torch():
    assert repr(mg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(mg.tensor([1.5, 2.0])) == "tensor([1.5000, 2.0000])"
    assert repr(mg.tensor([[1, 2], [3, 4]])) == "tensor([[1, 2],\n        [3, 4]])"
    assert repr(mg.tensor(2.5, requires_grad=True)) == "tensor(2.5000, requires_grad=True)"
    assert repr(mg.tensor([1.0], dtype=mg.float64)) == "tensor([1.], dtype=minigrad.float64)"
    assert "e+" in repr(mg.tensor([1e10, 1.0]))


def test_iteration_yields_rows():
    rows = list(mg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert [r.tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0]]


def test_free_functions_match_methods():
    x = mg.tensor([[1.0, -2.0], [3.0, 4.0]])
    assert mg.sum(x).item() == x.sum().item() == 6.0
    assert mg.exp(x).tolist() == x.exp().tolist()
    assert mg.clamp(x, min=0).tolist() == [[1.0, 0.0], [3.0, 4.0]]
    assert mg.max(x, 1).values.tolist() == [1.0, 4.0]
    assert mg.argmax(x).item() == 3


def test_inplace_updates_under_no_grad_keep_the_leaf():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    before = w
    with mg.no_grad():
        w -= 0.1 * w.grad
        w *= 2
    assert w is before and w.is_leaf and w.requires_grad
    np.testing.assert_allclose(w.tolist(), [1.6, 3.2], rtol=1e-6)
    with pytest.raises(RuntimeError, match="add_\\(\\): a leaf tensor that requires grad"):
        w += 1


def test_readme_examples_run(tmp_path, monkeypatch):
    from pathlib import Path
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    blocks = [part.split("```", 1)[0] for part in readme.split("```python\n")[1:]]
    assert len(blocks) == 3
    monkeypatch.chdir(tmp_path)  # the second example writes p2.npz
    namespace = {}
    for code in blocks:
        exec(compile(code, "README.md", "exec"), namespace)


def test_readme_excerpts_are_the_code_they_quote():
    """README's ``py`` blocks quote code that lives elsewhere (a formula beside its op, the
    toy op of tests/test_adding_an_op.py): each must be in that file, word for word."""
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text()
    excerpts = [part.split("```", 1)[0] for part in readme.split("```py\n")[1:]]
    sources = [(root / "minigrad/ops/activations.py").read_text(),
               (root / "tests/test_adding_an_op.py").read_text()]
    assert len(excerpts) == 2
    for excerpt, source in zip(excerpts, sources):
        assert excerpt.strip() in source


def test_manual_seed_is_reproducible_and_does_not_replay_same_seed_generators():
    """manual_seed(s) must not hand out the numbers np.random.default_rng(s) gives (fit's batch
    order, a DataLoader's shuffle): the initial weights would be correlated with them."""
    mg.manual_seed(7)
    weights = mg.rand(1000).numpy()
    same_seed = np.random.default_rng(7).random(1000).astype(np.float32)
    assert abs(np.corrcoef(weights, same_seed)[0, 1]) < 0.2
    mg.manual_seed(7)
    np.testing.assert_array_equal(mg.rand(1000).numpy(), weights)


def test_one_hot_matches_torch():
    torch = pytest.importorskip("torch")
    labels = np.array([[0, 3], [2, 1]])
    for classes in (-1, 5):
        ours = mg.functional.one_hot(mg.tensor(labels), classes)
        theirs = torch.nn.functional.one_hot(torch.tensor(labels), classes)
        assert ours.dtype == np.int64
        np.testing.assert_array_equal(ours.array, theirs.numpy())
    with pytest.raises(ValueError, match=r"one_hot: class values must be in \[0, 3\)"):
        mg.functional.one_hot(mg.tensor([0, 3]), 3)
    with pytest.raises(TypeError, match="one_hot: expected an integer tensor"):
        mg.functional.one_hot(mg.tensor([0.0, 1.0]))


def test_bitwise_not_of_bool_and_integer_tensors():
    assert (~mg.tensor([True, False])).tolist() == [False, True]
    assert (~mg.tensor([0, 5])).tolist() == [-1, -6]
    with pytest.raises(TypeError, match=r"~ \(bitwise not\) is only defined for bool"):
        ~mg.ones(2)
