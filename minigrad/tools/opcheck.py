"""A catalogue of every differentiable op (and fused layer op) with a small input, and a
gradient-check table.

Used by ``minigrad demo`` / ``minigrad gradcheck`` to show, op by op, how far backward's
gradients are from float64 central differences.
"""
from __future__ import annotations

import numpy as np

from .. import functional as F
from ..gradcheck import compare_gradients
from ..tensor import Tensor
from ..tensor_functions import cat, maximum, minimum, stack, where


def _inputs(rng, *shapes, low=-2.0, high=2.0):
    return [Tensor(rng.uniform(low, high, s), requires_grad=True) for s in shapes]


def _cases(rng):
    """name -> (function, inputs).  Inputs avoid kinks (|x| > 0.1 where relu/abs bend)."""
    away = lambda *s: [Tensor(np.sign(a) * (0.1 + np.abs(a)), requires_grad=True)  # noqa: E731
                       for a in (rng.uniform(-2, 2, sh) for sh in s)]
    positive = lambda *s: _inputs(rng, *s, low=0.2, high=2.0)  # noqa: E731
    targets = np.array([0, 2, 1])
    probs = rng.uniform(0.1, 0.9, (3, 4))
    labels = np.sign(rng.uniform(-1, 1, (3, 4)))
    return {
        "add (broadcast)": (lambda a, b: a + b, _inputs(rng, (3, 4), (4,))),
        "sub": (lambda a, b: a - b, _inputs(rng, (3, 4), (3, 1))),
        "mul": (lambda a, b: a * b, _inputs(rng, (3, 4), (3, 4))),
        "div": (lambda a, b: a / b, _inputs(rng, (3, 4)) + positive((3, 4))),
        "pow": (lambda a, b: a ** b, positive((3, 4), (3, 4))),
        "exp": (lambda a: a.exp(), _inputs(rng, (3, 4))),
        "log": (lambda a: a.log(), positive((3, 4))),
        "sqrt": (lambda a: a.sqrt(), positive((3, 4))),
        "abs": (lambda a: abs(a), away((3, 4))),
        "maximum": (maximum, away((3, 4), (3, 4))),
        "minimum": (minimum, away((3, 4), (3, 4))),
        "where": (lambda a, b: where(a > 0, a, b), _inputs(rng, (3, 4), (3, 4))),
        "clamp": (lambda a: a.clamp(-1, 1), away((3, 4))),
        "softmax": (lambda a: F.softmax(a, dim=1), _inputs(rng, (3, 4))),
        "log_softmax": (lambda a: F.log_softmax(a, dim=1), _inputs(rng, (3, 4))),
        "sum": (lambda a: a.sum(dim=0), _inputs(rng, (3, 4))),
        "mean": (lambda a: a.mean(dim=(0, 1)), _inputs(rng, (3, 4))),
        "var": (lambda a: a.var(dim=1), _inputs(rng, (3, 4))),
        "std": (lambda a: a.std(dim=0), _inputs(rng, (3, 4))),
        "max": (lambda a: a.max(dim=1).values, _inputs(rng, (3, 4))),
        "min": (lambda a: a.min(), _inputs(rng, (3, 4))),
        "matmul": (lambda a, b: a @ b, _inputs(rng, (2, 3, 4), (4, 5))),
        "reshape": (lambda a: a.reshape(4, 3), _inputs(rng, (3, 4))),
        "permute": (lambda a: a.permute(2, 0, 1), _inputs(rng, (2, 3, 4))),
        "expand": (lambda a: a.expand(3, 4), _inputs(rng, (1, 4))),
        "getitem": (lambda a: a[np.array([0, 0, 2]), 1:], _inputs(rng, (3, 4))),
        "gather": (lambda a: a.gather(1, Tensor(np.array([[0, 0], [3, 1], [2, 2]]))),
                   _inputs(rng, (3, 4))),
        "cat": (lambda a, b: cat([a, b], 1), _inputs(rng, (3, 4), (3, 2))),
        "stack": (lambda a, b: stack([a, b], 0), _inputs(rng, (3, 4), (3, 4))),
        "pad": (lambda a: F.pad(a, (1, 2)), _inputs(rng, (3, 4))),
        "mse_loss": (F.mse_loss, _inputs(rng, (3, 4), (3, 4))),
        "cross_entropy": (lambda a: F.cross_entropy(a, targets), _inputs(rng, (3, 4))),
        "nll_loss": (lambda a: F.nll_loss(F.log_softmax(a, 1), targets), _inputs(rng, (3, 4))),
        "binary_cross_entropy": (lambda a: F.binary_cross_entropy(a, probs),
                                 _inputs(rng, (3, 4), low=0.1, high=0.9)),
        "bce_with_logits": (lambda a: F.binary_cross_entropy_with_logits(a, probs),
                            _inputs(rng, (3, 4))),
        "hinge_loss": (lambda a: F.hinge_loss(a, labels), _inputs(rng, (3, 4), low=-0.8, high=0.8)),
        **_pointwise_cases(rng, away),
        **_more_cases(rng, away),
        **_layer_cases(rng),
    }


def _pointwise_cases(rng, away):
    """Every elementwise activation, from its op class (``Pointwise.check``): the cases are
    derived, so a new activation is checked without an entry here."""
    from ..ops.activations import POINTWISE_OPS
    inputs = {"normal": lambda: _inputs(rng, (3, 4)), "away": lambda: away((3, 4))}
    return {op.functional: (op.function, inputs[op.check]()) for op in POINTWISE_OPS
            if op.check is not None and op.functional is not None}


def _more_cases(rng, away):
    """Math, reductions and copies with PyTorch's names and the newer activations."""
    mask = rng.uniform(size=(3, 4)) > 0.5
    return {
        "sin": (lambda a: a.sin(), _inputs(rng, (3, 4))),
        "cos": (lambda a: a.cos(), _inputs(rng, (3, 4))),
        "erf": (lambda a: a.erf(), _inputs(rng, (3, 4))),
        "floor": (lambda a: a.floor(), _inputs(rng, (3, 4), low=0.1, high=0.9)),
        "prod": (lambda a: a.prod(dim=1), _inputs(rng, (3, 4))),
        "logsumexp": (lambda a: a.logsumexp(1), _inputs(rng, (3, 4))),
        "cumsum": (lambda a: a.cumsum(1), _inputs(rng, (3, 4))),
        "sum_to_size": (lambda a: a.sum_to_size(1, 4), _inputs(rng, (3, 4))),
        "flip": (lambda a: a.flip(0, 1), _inputs(rng, (3, 4))),
        "repeat": (lambda a: a.repeat(2, 1, 3), _inputs(rng, (3, 4))),
        "clone": (lambda a: a.clone() * 2, _inputs(rng, (3, 4))),
        "masked_fill": (lambda a: a.masked_fill(Tensor(mask, device=a.device), 0.5),
                        _inputs(rng, (3, 4))),
        "softplus (beta)": (lambda a: F.softplus(a, beta=2.0, threshold=30.0),
                            _inputs(rng, (3, 4))),
        "pad (cropping)": (lambda a: F.pad(a, (-1, 2)), _inputs(rng, (3, 4))),
        "norm": (lambda a: a.norm(dim=1), _inputs(rng, (3, 4))),
        "tril": (lambda a: a.tril(-1), _inputs(rng, (3, 4))),
        "log1p": (lambda a: a.log1p(), _inputs(rng, (3, 4), low=0.1, high=2.0)),
        "smooth_l1_loss": (lambda a, b: F.smooth_l1_loss(a, b, beta=0.5), away((3, 4), (3, 4))),
        "log2": (lambda a: a.log2(), _inputs(rng, (3, 4), low=0.2, high=2.0)),
        "log10": (lambda a: a.log10(), _inputs(rng, (3, 4), low=0.2, high=2.0)),
        # x/y stays in (0.05, 0.82): away from the jumps of ⌊x/y⌋
        "remainder": (lambda a, b: a % b, _inputs(rng, (3, 4), low=0.1, high=0.9)
                      + _inputs(rng, (3, 4), low=1.1, high=2.0)),
        "roll": (lambda a: a.roll((1, 2), (0, 1)), _inputs(rng, (3, 4))),
        "sort": (lambda a: a.sort(dim=0, descending=True).values, _inputs(rng, (3, 4))),
        "topk": (lambda a: a.topk(2, dim=1).values, _inputs(rng, (3, 4))),
        "x[i] = v (recorded)": (_set_column, _inputs(rng, (3, 4), (3,))),
    }


def _set_column(a, v):
    """y = 2a with its column 1 replaced by v: indexed assignment inside the graph."""
    y = a * 2
    y[:, 1] = v
    return y


def _layer_cases(rng):
    """The fused layer ops: linear, convolution and pooling, normalization, embedding,
    recurrent layers and attention."""
    from ..ops.recurrent import LSTMLayer, RNNLayer
    index = np.array([[0, 2, 2], [1, 0, 3]])
    return {
        "linear": (F.linear, _inputs(rng, (3, 4), (2, 4), (2,))),
        "conv2d": (lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
                   _inputs(rng, (1, 2, 5, 5), (3, 2, 3, 3), (3,))),
        "conv2d (groups)": (lambda x, w: F.conv2d(x, w, padding=1, groups=2),
                            _inputs(rng, (1, 4, 4, 4), (4, 2, 3, 3))),
        "conv1d": (lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1),
                   _inputs(rng, (2, 2, 6), (3, 2, 3), (3,))),
        "conv_transpose2d": (lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1,
                                                                output_padding=1),
                             _inputs(rng, (1, 2, 3, 3), (2, 3, 3, 3), (3,))),
        "unfold": (lambda x: F.unfold(x, 2, padding=1, stride=2), _inputs(rng, (1, 2, 4, 4))),
        "fold": (lambda c: F.fold(c, (4, 4), 2, stride=2), _inputs(rng, (1, 8, 4))),
        "max_pool2d": (lambda x: F.max_pool2d(x, 2), _inputs(rng, (1, 2, 4, 4))),
        "avg_pool2d": (lambda x: F.avg_pool2d(x, 3, 2, 1), _inputs(rng, (1, 2, 5, 5))),
        "batch_norm": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                       _inputs(rng, (4, 3), (3,), (3,))),
        "layer_norm": (lambda x, w, b: F.layer_norm(x, (4,), w, b), _inputs(rng, (3, 4), (4,), (4,))),
        "embedding": (lambda w: F.embedding(index, w), _inputs(rng, (4, 3))),
        "rnn_layer": (lambda p, h, w, b: RNNLayer.apply(p, h, w, b),
                      _inputs(rng, (3, 2, 4), (2, 4), (4, 4), (4,), low=-1, high=1)),
        "lstm_layer": (lambda p, h, c, w, b: LSTMLayer.apply(p, h, c, w, b),
                       _inputs(rng, (3, 2, 8), (2, 2), (2, 2), (8, 2), (8,), low=-1, high=1)),
        "attention": (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
                      _inputs(rng, (2, 3, 4), (2, 3, 4), (2, 3, 4))),
    }


def gradcheck_table(seed: int = 0) -> list[dict]:
    """One row per op: its name, input shapes, largest abs/rel error over all inputs, ok."""
    rows = []
    for name, (fn, inputs) in _cases(np.random.default_rng(seed)).items():
        reports = compare_gradients(fn, *inputs)
        rows.append({"op": name, "inputs": " ".join(str(r.shape) for r in reports),
                     "max_abs_error": max(r.max_abs_error for r in reports),
                     "max_rel_error": max(r.max_rel_error for r in reports),
                     "ok": all(r.passed for r in reports)})
    return rows


def format_table(rows: list[dict]) -> str:
    """The rows as an aligned text table."""
    lines = [f"{'op':<22}{'input shapes':<40}{'max abs err':>12}{'max rel err':>12}  ok"]
    for r in rows:
        lines.append(f"{r['op']:<22}{r['inputs']:<40}{r['max_abs_error']:>12.1e}"
                     f"{r['max_rel_error']:>12.1e}  {'yes' if r['ok'] else 'NO'}")
    return "\n".join(lines)
