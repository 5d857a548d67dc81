"""The exercises: each a function the learner writes, and how to check it.

A *gradient* exercise asks for the backward formula of a forward computation written here in
NumPy.  The right answer is never taken from minigrad: it is the central-difference gradient
(float64) of S = Σ forward(...) ⊙ upstream, the scalar whose gradient a backward pass
propagates (or of the loss itself, for a loss) — so the check is a gradient check of the
learner's formula.  A *value* exercise (a forward formula, an optimizer step, a metric, a
measurement) compares the learner's result with ``forward``'s, written here in NumPy.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np


@dataclass
class Exercise:
    key: str                  # "02.1": lesson 02, exercise 1
    title: str
    function: str             # the name of the function the learner writes
    make: Callable            # rng -> {argument: value}; names starting "_" are not passed
    forward: Callable         # all arguments -> the output (or a tuple of outputs)
    wrt: tuple = ()           # gradient exercises: the arguments the answers differentiate
    upstream: tuple = ()      # the arguments holding dL/d(output), one per output
    hint: str = ""
    returns: tuple = field(default_factory=tuple)  # names of the answers, for messages
    kind: str = "gradient"    # or "value": the answer is forward(...) itself

    @property
    def lesson(self) -> str:
        return self.key.split(".")[0]


def sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def windows(x, k: int):
    """(N, C, H', W', k, k) views of every k×k window (stride 1)."""
    n, c, h, w = x.shape
    shape = (n, c, h - k + 1, w - k + 1, k, k)
    strides = x.strides + x.strides[2:]
    return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)


def conv2d(x, weight):
    return np.einsum("nchwij,ocij->nohw", windows(x, weight.shape[-1]), weight)


def max_pool(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def huber(r, delta=1.0):
    return np.where(np.abs(r) <= delta, 0.5 * r * r, delta * (np.abs(r) - 0.5 * delta))


def lstm_cell(a, c_prev):
    i, f, g, o = np.split(a, 4, axis=1)
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c


def gru_cell(gi, h, weight_hh):
    gh = h @ weight_hh.T
    (gi_r, gi_z, gi_n), (gh_r, gh_z, gh_n) = np.split(gi, 3, 1), np.split(gh, 3, 1)
    r, z = sigmoid(gi_r + gh_r), sigmoid(gi_z + gh_z)
    n = np.tanh(gi_n + r * gh_n)
    return (1 - z) * n + z * h


def attention(q, k, v):
    return softmax(q @ k.T / np.sqrt(q.shape[1])) @ v


def layer_norm(x, eps=1e-5):
    return (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps)


def batch_norm(x, eps=1e-5):
    return (x - x.mean(0)) / np.sqrt(x.var(0) + eps)


def softplus(x):
    return np.logaddexp(0, x)


def ranks_auc(y_true, scores):
    """ROC AUC as the probability that a random positive outscores a random negative."""
    positive, negative = scores[y_true == 1], scores[y_true == 0]
    wins = (positive[:, None] > negative[None, :]).sum() + \
        0.5 * (positive[:, None] == negative[None, :]).sum()
    return wins / (len(positive) * len(negative))


def binary_scores(y_true, y_pred):
    tp = np.sum((y_pred == 1) & (y_true == 1))
    precision, recall = tp / max(np.sum(y_pred == 1), 1), tp / max(np.sum(y_true == 1), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def adam(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def labels(n, classes=2):
    return lambda r: r.integers(0, classes, n)


def normal(*shape):
    return lambda rng: rng.standard_normal(shape)


def _args(**makers):
    return lambda rng: {name: make(rng) for name, make in makers.items()}


EXERCISES = {e.key: e for e in sorted([
    Exercise("02.1", "sigmoid's backward", "sigmoid_backward",
             _args(x=lambda r: r.uniform(-4, 4, (3, 4)), grad=normal(3, 4)),
             lambda x, grad: sigmoid(x), ("x",), ("grad",),
             "σ'(x) = σ(x)(1 − σ(x)); the chain rule multiplies it by grad"),
    Exercise("02.2", "tanh's backward", "tanh_backward",
             _args(x=lambda r: r.uniform(-3, 3, (3, 4)), grad=normal(3, 4)),
             lambda x, grad: np.tanh(x), ("x",), ("grad",),
             "tanh'(x) = 1 − tanh(x)²"),
    Exercise("02.3", "a broadcasting add's backward", "add_backward",
             _args(x=normal(4, 3), b=normal(3), grad=normal(4, 3)),
             lambda x, b, grad: x + b, ("x", "b"), ("grad",),
             "b was added to every row: each copy sends its gradient back to b, so dL/db is "
             "the sum of grad over the rows", returns=("dx", "db")),
    Exercise("03.1", "softmax's backward", "softmax_backward",
             _args(x=normal(3, 5), grad=normal(3, 5)),
             lambda x, grad: softmax(x), ("x",), ("grad",),
             "with y = softmax(x) per row: dL/dx = y ⊙ (grad − Σ_j grad_j y_j), the sum per "
             "row"),
    Exercise("03.2", "cross-entropy's backward from logits", "cross_entropy_backward",
             _args(logits=normal(4, 5), targets=lambda r: r.integers(0, 5, 4)),
             lambda logits, targets: -np.mean(np.log(softmax(logits))[np.arange(4),
                                                                         targets]),
             ("logits",), (),
             "L = mean over the rows of −log softmax(logits)[target]: dL/dlogits = (softmax − "
             "one_hot(targets)) / N"),
    Exercise("03.3", "the mean squared error's backward", "mse_backward",
             _args(prediction=normal(6), target=normal(6)),
             lambda prediction, target: np.mean((prediction - target) ** 2), ("prediction",),
             (), "L = (1/n) Σ (ŷ − y)²: dL/dŷ = 2(ŷ − y)/n"),
    Exercise("03.4", "the Huber loss's backward (δ = 1)", "huber_backward",
             _args(prediction=lambda r: r.uniform(-3, 3, 8), target=lambda r: np.zeros(8)),
             lambda prediction, target: np.mean(huber(prediction - target)), ("prediction",),
             (), "quadratic inside |r| <= 1 (slope r), linear outside (slope ±1): the "
                 "derivative is clip(r, −1, 1), over n for the mean"),
    Exercise("05.1", "layer normalization's backward", "layer_norm_backward",
             _args(x=normal(3, 6), grad=normal(3, 6)),
             lambda x, grad: layer_norm(x), ("x",), ("grad",),
             "with x̂ = (x − μ)/σ over each row (σ² = var + 1e-5): dL/dx = (grad − mean(grad) "
             "− x̂ · mean(grad ⊙ x̂)) / σ, means over the row"),
    Exercise("05.2", "batch normalization's backward (training)", "batch_norm_backward",
             _args(x=normal(8, 3), grad=normal(8, 3)),
             lambda x, grad: batch_norm(x), ("x",), ("grad",),
             "the layer-norm formula over the batch axis 0 instead of the row: the batch "
             "statistics depend on every sample"),
    Exercise("08.1", "a convolution's weight gradient with im2col", "conv2d_weight_grad",
             _args(x=normal(2, 2, 5, 5), grad=normal(2, 3, 3, 3), _weight=normal(3, 2, 3, 3)),
             lambda x, grad, _weight: conv2d(x, _weight), ("_weight",), ("grad",),
             "Y[n, o, i, j] = Σ_{c,u,v} W[o, c, u, v] X[n, c, i+u, j+v], so dL/dW[o, c, u, v] "
             "= Σ_{n,i,j} grad[n, o, i, j] X[n, c, i+u, j+v]: X's windows (im2col) times "
             "grad as a matrix", returns=("dW",)),
    Exercise("08.2", "max pooling's backward (2×2, stride 2)", "max_pool_backward",
             _args(x=lambda r: r.permutation(32).reshape(1, 2, 4, 4) / 8.0,
                   grad=normal(1, 2, 2, 2)),
             lambda x, grad: max_pool(x), ("x",), ("grad",),
             "each window's gradient goes to the position of its maximum, and nowhere else"),
    Exercise("09.1", "an embedding's backward", "embedding_backward",
             _args(index=lambda r: r.integers(0, 4, (2, 5)), grad=normal(2, 5, 3),
                   vocabulary=lambda r: 4, _weight=normal(4, 3)),
             lambda index, grad, vocabulary, _weight: _weight[index], ("_weight",), ("grad",),
             "row r of the table receives the sum of grad over every position whose index is "
             "r (np.add.at), not just the last one", returns=("dW",)),
    Exercise("09.2", "one LSTM cell step's backward", "lstm_cell_backward",
             _args(a=normal(2, 12), c_prev=normal(2, 3), grad_h=normal(2, 3),
                   grad_c=normal(2, 3)),
             lambda a, c_prev, grad_h, grad_c: lstm_cell(a, c_prev), ("a", "c_prev"),
             ("grad_h", "grad_c"),
             "gates i, f, g, o = σ, σ, tanh, σ of the four blocks of a; c = f c_prev + i g, "
             "h = o tanh(c).  dc = grad_c + grad_h · o · (1 − tanh(c)²); then di = dc · g, "
             "df = dc · c_prev, dg = dc · i, do = grad_h · tanh(c), each times its gate's "
             "derivative; dc_prev = dc · f", returns=("da", "dc_prev")),
    Exercise("09.3", "one GRU cell step's backward", "gru_cell_backward",
             _args(gi=normal(2, 9), h=normal(2, 3), weight_hh=normal(9, 3), grad=normal(2, 3)),
             lambda gi, h, weight_hh, grad: gru_cell(gi, h, weight_hh), ("gi", "h"), ("grad",),
             "h' = (1 − z) n + z h with r, z, n as in gru_step: go back through n = tanh(gi_n "
             "+ r ⊙ gh_n) and the gates; h also reaches h' through gh = h W_hhᵀ",
             returns=("dgi", "dh")),
    Exercise("13.1", "one attention head's backward", "attention_backward",
             _args(q=normal(4, 3), k=normal(5, 3), v=normal(5, 2), grad=normal(4, 2)),
             lambda q, k, v, grad: attention(q, k, v), ("q", "k", "v"), ("grad",),
             "O = P V with P = softmax(Q Kᵀ/√d): dV = Pᵀ G, dP = G Vᵀ, dS = P ⊙ (dP − Σ_j dP "
             "P), dQ = dS K/√d, dK = dSᵀ Q/√d", returns=("dq", "dk", "dv")),
    Exercise("01.1", "a neuron's forward (F1)", "neuron",
             _args(x=normal(4), w=normal(4), b=lambda r: float(r.standard_normal())),
             lambda x, w, b: sigmoid(x @ w + b), hint="out = σ(Σ_i w_i x_i + b)", kind="value"),
    Exercise("01.2", "a linear layer's backward (F2)", "linear_backward",
             _args(x=normal(5, 3), weight=normal(4, 3), bias=normal(4), grad=normal(5, 4)),
             lambda x, weight, bias, grad: x @ weight.T + bias, ("x", "weight", "bias"),
             ("grad",), "z = x Wᵀ + b: dL/dx = grad W, dL/dW = gradᵀ x, dL/db = Σ_rows grad",
             returns=("dx", "dW", "db")),
    Exercise("03.5", "a stable log σ(x)", "log_sigmoid",
             _args(x=lambda r: r.uniform(-800, 800, 10)),
             lambda x: -softplus(-x), hint="log σ(x) = −log(1 + e^{−x}) = −softplus(−x); "
             "np.logaddexp(0, −x) never overflows", kind="value"),
    Exercise("04.1", "an SGD step with momentum", "momentum_step",
             _args(param=normal(5), grad=normal(5), velocity=normal(5)),
             lambda param, grad, velocity: (param - 0.1 * (0.9 * velocity + grad),
                                            0.9 * velocity + grad),
             hint="PyTorch's form, lr 0.1, momentum 0.9: v ← 0.9 v + g, then θ ← θ − 0.1 v",
             returns=("param", "velocity"), kind="value"),
    Exercise("04.2", "an Adam step with bias correction", "adam_step",
             _args(param=normal(5), grad=normal(5), m=normal(5), v=lambda r: r.random(5),
                   t=lambda r: int(r.integers(1, 5))),
             lambda param, grad, m, v, t: adam(param, grad, m, v, t),
             hint="lr 1e-3, β 0.9/0.999, ε 1e-8: update m and v, divide them by (1 − β^t) "
                  "(the bias correction F13 forgets), then θ ← θ − lr m̂/(√v̂ + ε)",
             returns=("param", "m", "v"), kind="value"),
    Exercise("04.3", "an RMSprop step", "rmsprop_step",
             _args(param=normal(5), grad=normal(5), square_avg=lambda r: r.random(5)),
             lambda param, grad, square_avg: (
                 param - 0.01 * grad / (np.sqrt(0.99 * square_avg + 0.01 * grad ** 2) + 1e-8),
                 0.99 * square_avg + 0.01 * grad ** 2),
             hint="lr 0.01, α 0.99, ε 1e-8: s ← α s + (1 − α) g², θ ← θ − lr g/(√s + ε)",
             returns=("param", "square_avg"), kind="value"),
    Exercise("05.3", "inverted dropout's forward", "dropout",
             _args(x=normal(4, 5), keep=lambda r: r.random((4, 5)) >= 0.3,
                   p=lambda r: 0.3),
             lambda x, keep, p: x * keep / (1 - p),
             hint="keep the kept elements and divide by 1 − p, so the expected value stays x "
                  "and evaluation needs no rescaling", kind="value"),
    Exercise("06.1", "linear regression's gradients (F6, F7)", "regression_gradients",
             _args(x=normal(10), y=normal(10), w=lambda r: float(r.standard_normal()),
                   b=lambda r: float(r.standard_normal())),
             lambda x, y, w, b: np.mean((w * x + b - y) ** 2), ("w", "b"), (),
             "L = mean((w x + b − y)²): dL/dw = mean(2 (w x + b − y) x), dL/db = mean(2 (w x + "
             "b − y))", returns=("dw", "db")),
    Exercise("06.2", "one gradient-descent step (F11)", "descent_step",
             _args(x=normal(10), y=normal(10), w=lambda r: float(r.standard_normal()),
                   b=lambda r: float(r.standard_normal()), lr=lambda r: 0.1),
             lambda x, y, w, b, lr: (w - lr * np.mean(2 * (w * x + b - y) * x),
                                     b - lr * np.mean(2 * (w * x + b - y))),
             hint="θ ← θ − lr ∇L, with both gradients computed at the old (w, b)",
             returns=("w", "b"), kind="value"),
    Exercise("07.1", "precision, recall and F1", "precision_recall_f1",
             _args(y_true=labels(30), y_pred=labels(30)), binary_scores,
             hint="precision = TP/(TP + FP), recall = TP/(TP + FN), F1 = their harmonic mean",
             returns=("precision", "recall", "f1"), kind="value"),
    Exercise("07.2", "accuracy from logits", "accuracy_from_logits",
             _args(logits=normal(20, 4), labels=labels(20, 4)),
             lambda logits, labels: np.mean(logits.argmax(axis=1) == labels),
             hint="the predicted class is the largest logit of each row", kind="value"),
    Exercise("07.3", "ROC AUC", "roc_auc",
             _args(y_true=lambda r: np.r_[np.ones(6, int), np.zeros(9, int)],
                   scores=lambda r: np.round(r.random(15), 1)), ranks_auc,
             hint="the probability that a random positive scores above a random negative (a "
                  "tie counts one half)", kind="value"),
    Exercise("08.3", "a convolution's output size", "conv_output_size",
             _args(size=lambda r: int(r.integers(10, 40)), kernel=lambda r: int(r.integers(1, 6)),
                   stride=lambda r: int(r.integers(1, 4)), padding=lambda r: int(r.integers(0, 3))),
             lambda size, kernel, stride, padding: (size + 2 * padding - kernel) // stride + 1,
             hint="⌊(size + 2·padding − kernel) / stride⌋ + 1: how many positions the kernel "
                  "fits", kind="value"),
    Exercise("09.4", "one RNN step (F15)", "rnn_step",
             _args(x=normal(2, 3), h=normal(2, 4), weight_ih=normal(4, 3), weight_hh=normal(4, 4),
                   bias=normal(4)),
             lambda x, h, weight_ih, weight_hh, bias: np.tanh(x @ weight_ih.T + h @ weight_hh.T
                                                             + bias),
             hint="h_t = tanh(x_t W_ihᵀ + h_{t−1} W_hhᵀ + b): the bias inside the tanh (F14 "
                  "puts it outside)", kind="value"),
    Exercise("10.1", "the discriminator's loss from logits (F17)", "discriminator_loss",
             _args(real_logits=lambda r: r.normal(0, 20, 8), fake_logits=lambda r: r.normal(0, 20, 8)),
             lambda real_logits, fake_logits: np.mean(softplus(-real_logits)) +
             np.mean(softplus(fake_logits)),
             hint="−log D(x) − log(1 − D(G(z))) with D = σ(logit): −log σ(a) = softplus(−a) "
                  "and −log(1 − σ(a)) = softplus(a), both stable", kind="value"),
    Exercise("10.2", "the non-saturating generator loss's backward", "generator_loss_backward",
             _args(fake_logits=lambda r: r.uniform(-6, 6, 8)),
             lambda fake_logits: np.mean(softplus(-fake_logits)), ("fake_logits",), (),
             "L = mean(−log σ(a)): dL/da = −(1 − σ(a))/n: large when D rejects the fake"),
    Exercise("10.3", "the minimax generator loss's backward", "minimax_loss_backward",
             _args(fake_logits=lambda r: r.uniform(-6, 6, 8)),
             lambda fake_logits: np.mean(-softplus(fake_logits)), ("fake_logits",), (),
             "L = mean(log(1 − σ(a))) = −mean(softplus(a)): dL/da = −σ(a)/n, tiny when D "
             "rejects the fake (a ≪ 0): the saturation"),
    Exercise("11.1", "matmul's arithmetic intensity", "matmul_intensity",
             _args(n=lambda r: int(r.integers(16, 4096))),
             lambda n: 2 * n ** 3 / (3 * 4 * n ** 2),
             hint="flops / bytes: 2n³ multiply-adds over reading A, B and writing C once, 3n² "
                  "float32 values of 4 bytes", kind="value"),
    Exercise("11.2", "a tiled matrix product", "tiled_matmul",
             _args(a=normal(7, 5), b=normal(5, 6), tile=lambda r: int(r.integers(2, 4))),
             lambda a, b, tile: a @ b,
             hint="loop over tiles of the output and of the shared dimension; the last tile of "
                  "each may be smaller", kind="value"),
    Exercise("11.3", "a fused pointwise chain's memory traffic", "bytes_moved",
             _args(n=lambda r: int(r.integers(1000, 10 ** 6)), ops=lambda r: int(r.integers(2, 6))),
             lambda n, ops: (ops * 2 * 4 * n, 2 * 4 * n),
             hint="float32: unfused, each op reads and writes n values; fused, the chain reads "
                  "x once and writes the result once", returns=("unfused", "fused"),
             kind="value"),
    Exercise("12.1", "the median of paired ratios", "median_paired_ratio",
             _args(a=lambda r: r.uniform(1, 3, 9), b=lambda r: r.uniform(1, 3, 9)),
             lambda a, b: np.median(a / b),
             hint="divide each round's two timings (same load), then take the median — not the "
                  "ratio of the two medians", kind="value"),
    Exercise("12.2", "the interquartile range", "interquartile_range",
             _args(samples=lambda r: r.exponential(1.0, 15)),
             lambda samples: np.percentile(samples, 75) - np.percentile(samples, 25),
             hint="np.percentile at 75 minus at 25 (NumPy's default interpolation)",
             kind="value"),
    Exercise("12.3", "scaling efficiency", "scaling_efficiency",
             _args(t1=lambda r: r.uniform(5, 10), tn=lambda r: r.uniform(1, 5),
                   n=lambda r: int(r.integers(2, 9))),
             lambda t1, tn, n: t1 / (n * tn),
             hint="the speedup t1/tn divided by the n processes: 1.0 means n times as fast",
             kind="value"),
    Exercise("13.2", "a causal mask", "causal_mask",
             _args(length=lambda r: int(r.integers(2, 7))),
             lambda length: np.where(np.tril(np.ones((length, length))) > 0, 0.0, -np.inf),
             hint="added to the scores: 0 where query i may see key j (j <= i), −inf after",
             kind="value"),
    Exercise("13.3", "scaled dot-product attention's forward", "attention_forward",
             _args(q=normal(4, 3), k=normal(5, 3), v=normal(5, 2)), attention,
             hint="softmax over the keys of Q Kᵀ/√d, then times V", kind="value"),
], key=lambda e: e.key)}
