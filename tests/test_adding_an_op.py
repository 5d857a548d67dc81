"""Adding an elementwise activation takes one file: its two formulas and its op class (README's
"Adding an op").  This file adds a toy one, softsign x/(1 + |x|), exactly that way, and finds
it wherever minigrad derives from the class: ``minigrad.functional``, the gradient-check
catalogue, the ONNX export (run by onnxruntime), and the fused kernel the door compiles from
its formula — with nothing written anywhere else."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
from minigrad import kernels as door, opcheck

# ----------------------------------------------------------------------------- the whole addition
from minigrad.ops.activations import Pointwise
from minigrad.ops.formula import ONE, ZERO, formula, select


@formula
def softsign(x):
    """x/(1 + |x|)."""
    return x / (ONE + select(x >= ZERO, x, -x))


@formula
def softsign_back(g, x):
    """dL/dx = g/(1 + |x|)²."""
    d = ONE + select(x >= ZERO, x, -x)
    return g / (d * d)


class Softsign(Pointwise):
    """z = x/(1 + |x|).   dL/dx = g/(1 + |x|)²."""

    formulas, functional, onnx = (softsign, softsign_back), "softsign", ("Softsign", {})


# ----------------------------------------------------------------------------- found everywhere

X = np.array([[-3.0, -0.5, 0.0, 0.25, 2.0, 40.0]])


def test_the_formula_runs_on_arrays_as_it_stands():
    np.testing.assert_allclose(softsign(X), X / (1 + np.abs(X)))


def test_functional_has_it_with_its_gradient():
    x = mg.tensor(X, requires_grad=True)
    y = F.softsign(x)
    assert y.grad_fn.name == "SoftsignBackward"
    y.sum().backward()
    np.testing.assert_allclose(y.numpy(), X / (1 + np.abs(X)), rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), 1 / (1 + np.abs(X)) ** 2, rtol=1e-6)
    with pytest.raises(AttributeError, match="no attribute 'softsine'"):
        F.softsine(x)
    with pytest.raises(TypeError, match="softsign: takes x and at most 0 setting"):
        F.softsign(x, 0.5)


def test_the_gradient_check_catalogue_has_it_and_it_passes():
    rows = {row["op"]: row for row in opcheck.gradcheck_table()}
    assert rows["softsign"]["ok"] and rows["softsign"]["inputs"] == "(3, 4)"
    x = mg.tensor(np.random.default_rng(0).uniform(-2, 2, (3, 4)), requires_grad=True)
    assert mg.autograd.gradgradcheck(F.softsign, x)  # twice: its derivative is a formula too


def test_the_fused_kernel_is_compiled_from_the_formula():
    x = mg.tensor(np.random.default_rng(1).uniform(-5, 5, (64, 33)).astype(np.float32),
                  requires_grad=True)
    results = {}
    try:
        for mode in ("on", "off"):
            door.set_kernels(mode)
            x.grad = None
            y = F.softsign(x)
            (y * y).sum().backward()
            results[mode] = (y.numpy(), x.grad.numpy())
    finally:
        door.set_kernels("auto")
    from minigrad_kernels.compile import kernels
    assert hasattr(kernels("cpu", np.float32), "softsign_back_map")
    for on, off in zip(results["on"], results["off"]):
        np.testing.assert_allclose(on, off, rtol=1e-6, atol=1e-7)


def test_onnx_exports_it_as_one_node(tmp_path):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    import onnx
    from minigrad.onnx import export, run

    class Model(mg.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = mg.nn.Linear(6, 4)

        def forward(self, x):
            return F.softsign(self.linear(x))

    mg.manual_seed(0)
    model, path = Model(), tmp_path / "softsign.onnx"
    inputs = np.random.default_rng(2).standard_normal((3, 6)).astype(np.float32)
    export(model, inputs, path)
    assert "Softsign" in [node.op_type for node in onnx.load(path).graph.node]
    with mg.no_grad():
        expected = model(mg.tensor(inputs)).numpy()
    np.testing.assert_allclose(run(path, inputs)[0], expected, rtol=1e-5, atol=1e-6)
