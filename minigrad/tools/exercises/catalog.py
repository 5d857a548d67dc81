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

from ..course import syllabus


@dataclass(frozen=True)
class Misconception:
    """A typical wrong belief, written out so that the checker can recognize it from the
    numbers (never from the learner's code): ``answer(**arguments)`` computes what it gives
    (the same tuple as the exercise's answers), or, for a gradient, ``forward(at,
    **arguments)`` is the function such an answer is really the gradient of — ``at`` holds
    the unperturbed arguments, for what the belief takes as constants.  ``says`` names the
    belief and what it misses."""
    says: str
    answer: Callable | None = None
    forward: Callable | None = None


@dataclass
class Exercise:
    key: str                  # "02.1": lesson 02, exercise 1
    title: str
    function: str             # the name of the function the learner writes
    make: Callable            # rng -> {argument: value}; names starting "_" are not passed
    forward: Callable         # all arguments -> the output (or a tuple of outputs)
    wrt: tuple = ()           # gradient exercises: the arguments the answers differentiate
    upstream: tuple = ()      # the arguments holding dL/d(output), one per output
    hints: tuple = ()         # (the concept, the shape or structure, the formula): escalating
    returns: tuple = field(default_factory=tuple)  # names of the answers, for messages
    kind: str = "gradient"    # or "value": the answer is forward(...) itself
    misconceptions: tuple = ()
    forwards: tuple = ()      # per answer, when they differ: the loss from that value on

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


LESSONS = {lesson.number: lesson.subject for lesson in syllabus.LESSONS}
"""Each lesson's subject, by its number (``lessons/NN_*.ipynb``)."""


def _lstm_through(a, c_prev, c_seen):
    """The LSTM cell's (h, c) with h computed from ``c_seen`` instead of c."""
    i, f, g, o = np.split(a, 4, axis=1)
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c if c_seen is None else c_seen), c


def _gru_with_gh(gi, h, gh):
    (gi_r, gi_z, gi_n), (gh_r, gh_z, gh_n) = np.split(gi, 3, 1), np.split(gh, 3, 1)
    r, z = sigmoid(gi_r + gh_r), sigmoid(gi_z + gh_z)
    return (1 - z) * np.tanh(gi_n + r * gh_n) + z * h


def _standardized_with(x, mean, variance, eps=1e-5):
    return (x - mean) / np.sqrt(variance + eps)


def _overwritten_rows(index, grad, vocabulary, _weight):
    """An embedding's gradient where a repeated index keeps one position's gradient."""
    table = np.zeros_like(_weight)
    table[index.reshape(-1)] = grad.reshape(-1, grad.shape[-1])
    return table


def _whole_tiles_only(a, b, tile):
    out = np.zeros((a.shape[0], b.shape[1]))
    rows, columns = a.shape[0] // tile * tile, b.shape[1] // tile * tile
    out[:rows, :columns] = a[:rows] @ b[:, :columns]
    return out


def _every_window_position(x, grad, share: bool):
    spread = np.repeat(np.repeat(grad, 2, axis=2), 2, axis=3)
    return spread / 4 if share else spread


def _col2im_by_assignment(x, weight, grad):
    """A convolution's input gradient where overlapping windows overwrite each other."""
    dx = np.zeros_like(x)
    k = weight.shape[-1]
    for i in range(grad.shape[2]):
        for j in range(grad.shape[3]):
            dx[:, :, i:i + k, j:j + k] = np.einsum("no,ocuv->ncuv", grad[:, :, i, j], weight)
    return dx


def two_heads(q, k, v):
    """Attention with two heads: the columns split in halves, each half attends alone."""
    half = q.shape[1] // 2
    return np.concatenate([attention(q[:, :half], k[:, :half], v[:, :half]),
                           attention(q[:, half:], k[:, half:], v[:, half:])], axis=1)


def lstm_sequence(a_in, w_hh, h0, c0, frozen=None):
    """The hidden states (T, N, H) of an LSTM over T steps whose input projections x_t W_ihᵀ
    + b are ``a_in`` (T, N, 4H); ``frozen``: (hs, cs) taken as each step's previous state
    instead of the running one (every step treated alone)."""
    h, c, hs, cs = h0, c0, [], []
    for t in range(len(a_in)):
        if frozen is not None and t > 0:
            h, c = frozen[0][t - 1], frozen[1][t - 1]
        h, c = lstm_cell(a_in[t] + h @ w_hh.T, c)
        hs.append(h)
        cs.append(c)
    return np.stack(hs), np.stack(cs)


def _cross_entropy(logits, targets):
    return -np.mean(np.log(softmax(logits))[np.arange(len(targets)), targets])


def mlp_loss(x, w1, b1, w2, b2, targets, **intermediates):
    """P2's shape in small: Linear, ReLU, Linear, mean cross-entropy."""
    return _cross_entropy(np.maximum(x @ w1.T + b1, 0) @ w2.T + b2, targets)


def _mlp_with_intermediates(rng) -> dict:
    """The MLP's inputs, and (private) its intermediates z, h, logits at them: the points
    where the gradients of every intermediate are checked."""
    values = _args(x=normal(6, 4), w1=normal(5, 4), b1=normal(5), w2=normal(3, 5),
                   b2=normal(3), targets=lambda r: r.integers(0, 3, 6))(rng)
    z = values["x"] @ values["w1"].T + values["b1"]
    h = np.maximum(z, 0)
    return {**values, "_z": z, "_h": h, "_logits": h @ values["w2"].T + values["b2"]}


def fake_quantize(x, scale):
    """Symmetric int8: round x/scale, clip to [−127, 127], scale back."""
    return np.clip(np.round(x / scale), -127, 127) * scale


def _quartic_gradient(rng) -> dict:
    """f(x) = Σ x⁴/4 + ½ xᵀAx (A symmetric), given to the learner by its gradient function
    ∇f(x) = x³ + A x; its Hessian-vector product is 3x² ⊙ v + A v."""
    a = (lambda m: m + m.T)(rng.standard_normal((5, 5)))
    return {"grad": lambda x: x ** 3 + a @ x, "x": rng.standard_normal(5),
            "v": rng.standard_normal(5), "_a": a}


def _quartic_function(rng) -> dict:
    """f(x) = Σ x⁴/4 + ½ xᵀAx as a minigrad function (for a double backward), and a point."""
    from ...creation import tensor
    a = (lambda m: m + m.T)(rng.standard_normal((5, 5)))
    matrix = tensor(a)
    return {"f": lambda t: (t ** 4).sum() / 4 + 0.5 * (t * (matrix @ t)).sum(),
            "x": rng.standard_normal(5), "v": rng.standard_normal(5), "_a": a}


def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def avg_pool(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).mean(axis=(3, 5))


def _ring_replacing(chunks, step):
    new = chunks.copy()
    for rank in range(len(chunks)):
        chunk = (rank - step) % len(chunks)
        new[(rank + 1) % len(chunks), chunk] = chunks[rank, chunk]
    return new


def ring_step(chunks, step):
    """One reduce-scatter step of a ring all-reduce: ``chunks[r, c]`` is rank r's copy of
    chunk c; rank r sends chunk (r − step) mod n to rank r + 1, which adds it to its own."""
    n = len(chunks)
    new = chunks.copy()
    for rank in range(n):
        chunk = (rank - step) % n
        new[(rank + 1) % n, chunk] += chunks[rank, chunk]
    return new


def sampling_probabilities(logits, temperature, k, renormalize=True):
    """The distribution a GPT samples from: logits / temperature, all but the k largest set
    to −∞, softmax (``renormalize=False``: the softmax first, the others zeroed after)."""
    z = logits / temperature
    keep = z >= np.sort(z)[-k]
    if not renormalize:
        return np.where(keep, softmax(z), 0.0)
    return softmax(np.where(keep, z, -np.inf))


def warmup_cosine(steps, warmup, max_lr, min_lr, shape=lambda p: 0.5 * (1 + np.cos(np.pi * p)),
                  first=1):
    """Every step's learning rate: max_lr (s + first)/W during the warm-up, then min_lr +
    (max_lr − min_lr) shape(progress) (the half cosine from 1 to 0)."""
    s = np.arange(steps)
    progress = (s - warmup) / (steps - warmup)
    return np.where(s < warmup, max_lr * (s + first) / warmup,
                    min_lr + (max_lr - min_lr) * shape(progress))


def _tied_rows_overwritten(ids, weight, grad):
    """A tied matrix's gradient whose lookup part overwrites repeated rows."""
    lookup = np.zeros_like(weight)
    lookup[ids] = grad @ weight
    return grad.T @ weight[ids] + lookup


EXERCISES = {e.key: e for e in sorted([
    Exercise("02.1", "sigmoid's backward", "sigmoid_backward",
             _args(x=lambda r: r.uniform(-4, 4, (3, 4)), grad=normal(3, 4)),
             lambda x, grad: sigmoid(x), ("x",), ("grad",),
             ("σ's derivative can be written with σ itself: compute s = σ(x) first",
              "dx has x's shape: grad times the local derivative, element by element",
              "σ'(x) = σ(x)(1 − σ(x)); the chain rule multiplies it by grad"),
             misconceptions=(Misconception(
                 "x used where σ(x) belongs: the derivative is s(1 − s) with s = σ(x), not "
                 "x(1 − x)", answer=lambda x, grad: grad * x * (1 - x)),)),
    Exercise("02.2", "tanh's backward", "tanh_backward",
             _args(x=lambda r: r.uniform(-3, 3, (3, 4)), grad=normal(3, 4)),
             lambda x, grad: np.tanh(x), ("x",), ("grad",),
             ("like σ, tanh's derivative is written with tanh itself",
              "dx has x's shape: grad times 1 minus something, element by element",
              "tanh'(x) = 1 − tanh(x)²"),
             misconceptions=(
                 Misconception("1 − tanh(x) where 1 − tanh(x)² belongs: the derivative of "
                               "tanh squares it", answer=lambda x, grad: grad * (1 - np.tanh(x))),
                 Misconception("x used where tanh(x) belongs: the derivative is 1 − t² with "
                               "t = tanh(x), not 1 − x²", answer=lambda x, grad: grad * (1 - x * x)))),
    Exercise("02.3", "a broadcasting add's backward", "add_backward",
             _args(x=normal(4, 3), b=normal(3), grad=normal(4, 3)),
             lambda x, b, grad: x + b, ("x", "b"), ("grad",),
             ("a value used in many places receives the sum of the gradients of all its uses",
              "db must have b's shape (3,), but grad has x's shape (4, 3): reduce over the "
              "axis that broadcasting added",
              "b was added to every row: each copy sends its gradient back to b, so dL/db is "
              "the sum of grad over the rows"), returns=("dx", "db")),
    Exercise("03.1", "softmax's backward", "softmax_backward",
             _args(x=normal(3, 5), grad=normal(3, 5)),
             lambda x, grad: softmax(x), ("x",), ("grad",),
             ("every output of a softmax row depends on every input of that row (they share "
              "the sum in the denominator): its Jacobian is a full matrix, not a diagonal",
              "per row: y_i (grad_i − one number), where the number is the same for the whole "
              "row (a weighted sum of grad)",
              "with y = softmax(x) per row: dL/dx = y ⊙ (grad − Σ_j grad_j y_j), the sum per "
              "row"),
             misconceptions=(Misconception(
                 "only the Jacobian's diagonal, y_i(1 − y_i): each y_j also depends on x_i "
                 "for i ≠ j (∂y_j/∂x_i = −y_j y_i), which subtracts Σ_j grad_j y_j",
                 answer=lambda x, grad: grad * softmax(x) * (1 - softmax(x))),)),
    Exercise("03.2", "cross-entropy's backward from logits", "cross_entropy_backward",
             _args(logits=normal(4, 5), targets=lambda r: r.integers(0, 5, 4)),
             lambda logits, targets: -np.mean(np.log(softmax(logits))[np.arange(4),
                                                                         targets]),
             ("logits",), (),
             ("softmax and cross-entropy together have the simplest gradient of all (F4 "
              "corrected): predicted minus true",
              "dlogits has logits' shape (N, C): a probability row minus a one-hot row, and "
              "the mean over the N rows divides each by N",
              "L = mean over the rows of −log softmax(logits)[target]: dL/dlogits = (softmax − "
              "one_hot(targets)) / N")),
    Exercise("03.3", "the mean squared error's backward", "mse_backward",
             _args(prediction=normal(6), target=normal(6)),
             lambda prediction, target: np.mean((prediction - target) ** 2), ("prediction",),
             (), ("differentiate the square, then remember the mean",
                  "one value per prediction, proportional to the residual ŷ − y",
                  "L = (1/n) Σ (ŷ − y)²: dL/dŷ = 2(ŷ − y)/n")),
    Exercise("03.4", "the Huber loss's backward (δ = 1)", "huber_backward",
             _args(prediction=lambda r: r.uniform(-3, 3, 8), target=lambda r: np.zeros(8)),
             lambda prediction, target: np.mean(huber(prediction - target)), ("prediction",),
             (), ("the Huber loss has two pieces: its slope is the residual inside |r| <= 1 "
                  "and constant outside",
                  "one value per prediction, never larger than 1/n in size",
                  "quadratic inside |r| <= 1 (slope r), linear outside (slope ±1): the "
                  "derivative is clip(r, −1, 1), over n for the mean")),
    Exercise("05.1", "layer normalization's backward", "layer_norm_backward",
             _args(x=normal(3, 6), grad=normal(3, 6)),
             lambda x, grad: layer_norm(x), ("x",), ("grad",),
             ("μ and σ are computed from the same row of x: they change when any x of the row "
              "changes, so they are not constants",
              "per row: (grad − a mean − x̂ · another mean) / σ, three terms",
              "with x̂ = (x − μ)/σ over each row (σ² = var + 1e-5): dL/dx = (grad − mean(grad) "
              "− x̂ · mean(grad ⊙ x̂)) / σ, means over the row"),
             misconceptions=(Misconception(
                 "μ and σ treated as constants (grad/σ): they depend on every x of the row, "
                 "which adds −mean(grad) − x̂·mean(grad x̂) before dividing by σ",
                 forward=lambda at, x, grad: _standardized_with(
                     x, at["x"].mean(-1, keepdims=True), at["x"].var(-1, keepdims=True))),)),
    Exercise("05.2", "batch normalization's backward (training)", "batch_norm_backward",
             _args(x=normal(8, 3), grad=normal(8, 3)),
             lambda x, grad: batch_norm(x), ("x",), ("grad",),
             ("in training, batch norm's statistics come from the batch: every sample's "
              "output depends on every other sample of its column",
              "the layer-norm formula with its means taken down each column (axis 0)",
              "the layer-norm formula over the batch axis 0 instead of the row: the batch "
              "statistics depend on every sample"),
             misconceptions=(
                 Misconception("the statistics taken over each row (axis 1, layer norm's): "
                               "batch norm's mean and variance are over the batch, axis 0",
                               forward=lambda at, x, grad: layer_norm(x)),
                 Misconception("μ and σ treated as constants (grad/σ): in training they "
                               "depend on every sample of the column",
                               forward=lambda at, x, grad: _standardized_with(
                                   x, at["x"].mean(0), at["x"].var(0))))),
    Exercise("08.1", "a convolution's weight gradient with im2col", "conv2d_weight_grad",
             _args(x=normal(2, 2, 5, 5), grad=normal(2, 3, 3, 3), _weight=normal(3, 2, 3, 3)),
             lambda x, grad, _weight: conv2d(x, _weight), ("_weight",), ("grad",),
             ("each weight touches many outputs (every position, every sample): its gradient "
              "sums grad times the input it multiplied, over all of them",
              "dW has W's shape (out, in, k, k): a product of grad as (out, N·H'·W') with the "
              "input's windows as (N·H'·W', in·k·k)",
              "Y[n, o, i, j] = Σ_{c,u,v} W[o, c, u, v] X[n, c, i+u, j+v], so dL/dW[o, c, u, v] "
              "= Σ_{n,i,j} grad[n, o, i, j] X[n, c, i+u, j+v]: X's windows (im2col) times "
              "grad as a matrix"), returns=("dW",)),
    Exercise("08.2", "max pooling's backward (2×2, stride 2)", "max_pool_backward",
             _args(x=lambda r: r.permutation(32).reshape(1, 2, 4, 4) / 8.0,
                   grad=normal(1, 2, 2, 2)),
             lambda x, grad: max_pool(x), ("x",), ("grad",),
             ("the max passes on one input of its window; the others did not affect the "
              "output at all",
              "dx has x's shape (1, 2, 4, 4) and is zero at three of every window's four "
              "positions",
              "each window's gradient goes to the position of its maximum, and nowhere else"),
             misconceptions=(
                 Misconception("the window's gradient shared by all four positions (average "
                               "pooling's backward): only the maximum affected the output",
                               answer=lambda x, grad: _every_window_position(x, grad, True)),
                 Misconception("the window's gradient sent to every position of the window: "
                               "only the maximum affected the output, the other three get 0",
                               answer=lambda x, grad: _every_window_position(x, grad, False)))),
    Exercise("09.1", "an embedding's backward", "embedding_backward",
             _args(index=lambda r: r.integers(0, 4, (2, 5)), grad=normal(2, 5, 3),
                   vocabulary=lambda r: 4, _weight=normal(4, 3)),
             lambda index, grad, vocabulary, _weight: _weight[index], ("_weight",), ("grad",),
             ("a row of the table used at several positions is a value used many times: it "
              "receives the sum of their gradients",
              "dW has the table's shape (vocabulary, dim): zeros, plus each position's grad "
              "added into the row of its index",
              "row r of the table receives the sum of grad over every position whose index is "
              "r (np.add.at), not just the last one"), returns=("dW",),
             misconceptions=(Misconception(
                 "a repeated index overwritten instead of added (table[index] = grad keeps "
                 "one position per row): a row used at several positions receives the sum of "
                 "their gradients — np.add.at", answer=_overwritten_rows),)),
    Exercise("09.2", "one LSTM cell step's backward", "lstm_cell_backward",
             _args(a=normal(2, 12), c_prev=normal(2, 3), grad_h=normal(2, 3),
                   grad_c=normal(2, 3)),
             lambda a, c_prev, grad_h, grad_c: lstm_cell(a, c_prev), ("a", "c_prev"),
             ("grad_h", "grad_c"),
             ("c reaches the loss twice: directly (grad_c) and through h = o tanh(c); start "
              "from the total dc",
              "da is (N, 4H), the four gate blocks side by side in the order i, f, g, o; "
              "dc_prev is (N, H)",
              "gates i, f, g, o = σ, σ, tanh, σ of the four blocks of a; c = f c_prev + i g, "
              "h = o tanh(c).  dc = grad_c + grad_h · o · (1 − tanh(c)²); then di = dc · g, "
              "df = dc · c_prev, dg = dc · i, do = grad_h · tanh(c), each times its gate's "
              "derivative; dc_prev = dc · f"), returns=("da", "dc_prev"),
             misconceptions=(Misconception(
                 "dc taken as grad_c alone: h = o·tanh(c) depends on c too, so dc = grad_c + "
                 "grad_h · o · (1 − tanh(c)²)",
                 forward=lambda at, a, c_prev, grad_h, grad_c: _lstm_through(
                     a, c_prev, lstm_cell(at["a"], at["c_prev"])[1])),)),
    Exercise("09.3", "one GRU cell step's backward", "gru_cell_backward",
             _args(gi=normal(2, 9), h=normal(2, 3), weight_hh=normal(9, 3), grad=normal(2, 3)),
             lambda gi, h, weight_hh, grad: gru_cell(gi, h, weight_hh), ("gi", "h"), ("grad",),
             ("h reaches h' by two roads: directly through z ⊙ h, and through the gates, "
              "since gh = h W_hhᵀ feeds r, z and n",
              "dgi is (N, 3H) in the order r, z, n; dh sums the direct road and dgh W_hh",
              "h' = (1 − z) n + z h with r, z, n as in gru_step: go back through n = tanh(gi_n "
              "+ r ⊙ gh_n) and the gates; h also reaches h' through gh = h W_hhᵀ"),
             returns=("dgi", "dh"),
             misconceptions=(Misconception(
                 "h's road through the gates forgotten (gh = h W_hhᵀ taken as a constant): "
                 "dh needs dgh W_hh too, where dgh is the gates' gradient",
                 forward=lambda at, gi, h, weight_hh, grad: _gru_with_gh(
                     gi, h, at["h"] @ at["weight_hh"].T)),)),
    Exercise("13.1", "one attention head's backward", "attention_backward",
             _args(q=normal(4, 3), k=normal(5, 3), v=normal(5, 2), grad=normal(4, 2)),
             lambda q, k, v, grad: attention(q, k, v), ("q", "k", "v"), ("grad",),
             ("go back through the three steps one at a time: O = P V, P = softmax(S) by "
              "rows, S = Q Kᵀ/√d",
              "dq has q's shape (4, 3), dk k's (5, 3), dv v's (5, 2); dS is (4, 5) like P",
              "O = P V with P = softmax(Q Kᵀ/√d): dV = Pᵀ G, dP = G Vᵀ, dS = P ⊙ (dP − Σ_j dP "
              "P), dQ = dS K/√d, dK = dSᵀ Q/√d"), returns=("dq", "dk", "dv")),
    Exercise("01.1", "a neuron's forward (F1)", "neuron",
             _args(x=normal(4), w=normal(4), b=lambda r: float(r.standard_normal())),
             lambda x, w, b: sigmoid(x @ w + b),
             hints=("a neuron weighs its inputs, adds its bias, then squashes",
                    "one number out: a dot product, plus b, through σ",
                    "out = σ(Σ_i w_i x_i + b)"), kind="value",
             misconceptions=(Misconception(
                 "the bias added after the activation: it belongs inside, σ(w·x + b)",
                 answer=lambda x, w, b: sigmoid(x @ w) + b),)),
    Exercise("01.2", "a linear layer's backward (F2)", "linear_backward",
             _args(x=normal(5, 3), weight=normal(4, 3), bias=normal(4), grad=normal(5, 4)),
             lambda x, weight, bias, grad: x @ weight.T + bias, ("x", "weight", "bias"),
             ("grad",), ("each gradient has the shape of its value; a parameter shared by "
                         "every sample of the batch gets the sum of their gradients",
                         "dx is (5, 3) like x, dW (4, 3) like W, db (4,) like b: match the "
                         "shapes with grad (5, 4) and a transpose",
                         "z = x Wᵀ + b: dL/dx = grad W, dL/dW = gradᵀ x, dL/db = Σ_rows grad"),
             returns=("dx", "dW", "db")),
    Exercise("03.5", "a stable log σ(x)", "log_sigmoid",
             _args(x=lambda r: r.uniform(-800, 800, 10)),
             lambda x: -softplus(-x),
             hints=("exp of a large number overflows: rewrite the formula so that nothing "
                    "large is exponentiated",
                    "log σ(x) = −log(1 + e^{−x}): a log of 1 plus an exponential has a stable "
                    "NumPy function",
                    "log σ(x) = −log(1 + e^{−x}) = −softplus(−x); np.logaddexp(0, −x) never "
                    "overflows"), kind="value"),
    Exercise("04.1", "an SGD step with momentum", "momentum_step",
             _args(param=normal(5), grad=normal(5), velocity=normal(5)),
             lambda param, grad, velocity: (param - 0.1 * (0.9 * velocity + grad),
                                            0.9 * velocity + grad),
             hints=("momentum keeps a running velocity and steps along it, not along the raw "
                    "gradient",
                    "two results: the new velocity first (from the old one and grad), then "
                    "the parameter moved by it",
                    "PyTorch's form, lr 0.1, momentum 0.9: v ← 0.9 v + g, then θ ← θ − 0.1 v"),
             returns=("param", "velocity"), kind="value",
             misconceptions=(Misconception(
                 "the parameter steps along the raw gradient: with momentum it steps along "
                 "the new velocity v = 0.9 v + g",
                 answer=lambda param, grad, velocity: (param - 0.1 * grad,
                                                       0.9 * velocity + grad)),)),
    Exercise("04.2", "an Adam step with bias correction", "adam_step",
             _args(param=normal(5), grad=normal(5), m=normal(5), v=lambda r: r.random(5),
                   t=lambda r: int(r.integers(1, 5))),
             lambda param, grad, m, v, t: adam(param, grad, m, v, t),
             hints=("m and v start at zero, so their first averages are too small: Adam "
                    "corrects them by how far the averaging has come (step t)",
                    "update m and v, correct both, then one step of lr · m̂/(√v̂ + ε); return "
                    "the uncorrected m and v",
                    "lr 1e-3, β 0.9/0.999, ε 1e-8: update m and v, divide them by (1 − β^t) "
                    "(the bias correction F13 forgets), then θ ← θ − lr m̂/(√v̂ + ε)"),
             returns=("param", "m", "v"), kind="value",
             misconceptions=(Misconception(
                 "no bias correction (F13 as printed): m and v are divided by 1 − β₁^t and "
                 "1 − β₂^t before the step",
                 answer=lambda param, grad, m, v, t: (
                     param - 1e-3 * (0.9 * m + 0.1 * grad) /
                     (np.sqrt(0.999 * v + 0.001 * grad ** 2) + 1e-8),
                     0.9 * m + 0.1 * grad, 0.999 * v + 0.001 * grad ** 2)),)),
    Exercise("04.3", "an RMSprop step", "rmsprop_step",
             _args(param=normal(5), grad=normal(5), square_avg=lambda r: r.random(5)),
             lambda param, grad, square_avg: (
                 param - 0.01 * grad / (np.sqrt(0.99 * square_avg + 0.01 * grad ** 2) + 1e-8),
                 0.99 * square_avg + 0.01 * grad ** 2),
             hints=("RMSprop divides each step by the recent size of that parameter's "
                    "gradients, including this one",
                    "update the running average first, then step with it",
                    "lr 0.01, α 0.99, ε 1e-8: s ← α s + (1 − α) g², θ ← θ − lr g/(√s + ε)"),
             returns=("param", "square_avg"), kind="value",
             misconceptions=(Misconception(
                 "the step divides by the old average: update s with this gradient first, "
                 "then divide by √s",
                 answer=lambda param, grad, square_avg: (
                     param - 0.01 * grad / (np.sqrt(square_avg) + 1e-8),
                     0.99 * square_avg + 0.01 * grad ** 2)),)),
    Exercise("05.3", "inverted dropout's forward", "dropout",
             _args(x=normal(4, 5), keep=lambda r: r.random((4, 5)) >= 0.3,
                   p=lambda r: 0.3),
             lambda x, keep, p: x * keep / (1 - p),
             hints=("dropping a share p of the values lowers their expected sum: inverted "
                    "dropout makes up for it during training",
                    "x times the mask, times one constant",
                    "keep the kept elements and divide by 1 − p, so the expected value stays x "
                    "and evaluation needs no rescaling"), kind="value",
             misconceptions=(Misconception(
                 "not rescaled: the kept values are divided by 1 − p, so that the expected "
                 "value stays x (and evaluation needs no change)",
                 answer=lambda x, keep, p: x * keep),)),
    Exercise("06.1", "linear regression's gradients (F6, F7)", "regression_gradients",
             _args(x=normal(10), y=normal(10), w=lambda r: float(r.standard_normal()),
                   b=lambda r: float(r.standard_normal())),
             lambda x, y, w, b: np.mean((w * x + b - y) ** 2), ("w", "b"), (),
             ("the loss is a mean of squared residuals: the chain rule goes through the "
              "square, then through w x + b",
              "two numbers: dw weighs each residual by its x, db does not",
              "L = mean((w x + b − y)²): dL/dw = mean(2 (w x + b − y) x), dL/db = mean(2 (w x + "
              "b − y))"), returns=("dw", "db")),
    Exercise("06.2", "one gradient-descent step (F11)", "descent_step",
             _args(x=normal(10), y=normal(10), w=lambda r: float(r.standard_normal()),
                   b=lambda r: float(r.standard_normal()), lr=lambda r: 0.1),
             lambda x, y, w, b, lr: (w - lr * np.mean(2 * (w * x + b - y) * x),
                                     b - lr * np.mean(2 * (w * x + b - y))),
             hints=("a step moves every parameter at once, against its gradient at the same "
                    "point",
                    "compute both gradients first, then update w and b",
                    "θ ← θ − lr ∇L, with both gradients computed at the old (w, b)"),
             returns=("w", "b"), kind="value",
             misconceptions=(Misconception(
                 "b's gradient taken at the new w: both gradients belong to the old point "
                 "(w, b) — compute them before changing either",
                 answer=lambda x, y, w, b, lr: (
                     w - lr * np.mean(2 * (w * x + b - y) * x),
                     b - lr * np.mean(2 * ((w - lr * np.mean(2 * (w * x + b - y) * x)) * x
                                           + b - y)))),)),
    Exercise("07.1", "precision, recall and F1", "precision_recall_f1",
             _args(y_true=labels(30), y_pred=labels(30)), binary_scores,
             hints=("precision asks how many of the predicted positives are right; recall, "
                    "how many of the true positives were found",
                    "three numbers from the counts TP, FP and FN; F1 combines the first two",
                    "precision = TP/(TP + FP), recall = TP/(TP + FN), F1 = their harmonic "
                    "mean"), returns=("precision", "recall", "f1"), kind="value",
             misconceptions=(Misconception(
                 "precision and recall swapped: precision divides TP by the predicted "
                 "positives, recall by the true ones",
                 answer=lambda y_true, y_pred: (binary_scores(y_true, y_pred)[1],
                                                binary_scores(y_true, y_pred)[0],
                                                binary_scores(y_true, y_pred)[2])),)),
    Exercise("07.2", "accuracy from logits", "accuracy_from_logits",
             _args(logits=normal(20, 4), labels=labels(20, 4)),
             lambda logits, labels: np.mean(logits.argmax(axis=1) == labels),
             hints=("the prediction is the class with the largest logit; no softmax needed",
                    "one prediction per row (sample): an argmax along the classes",
                    "the predicted class is the largest logit of each row"), kind="value"),
    Exercise("07.3", "ROC AUC", "roc_auc",
             _args(y_true=lambda r: np.r_[np.ones(6, int), np.zeros(9, int)],
                   scores=lambda r: np.round(r.random(15), 1)), ranks_auc,
             hints=("AUC is a probability about pairs: one positive, one negative",
                    "compare every positive's score with every negative's; mind the ties",
                    "the probability that a random positive scores above a random negative (a "
                    "tie counts one half)"), kind="value",
             misconceptions=(Misconception(
                 "ties counted as losses: a tie between a positive and a negative counts one "
                 "half", answer=lambda y_true, scores: float(
                     (scores[y_true == 1][:, None] > scores[y_true == 0]).mean())),)),
    Exercise("08.3", "a convolution's output size", "conv_output_size",
             _args(size=lambda r: int(r.integers(10, 40)), kernel=lambda r: int(r.integers(1, 6)),
                   stride=lambda r: int(r.integers(1, 4)), padding=lambda r: int(r.integers(0, 3))),
             lambda size, kernel, stride, padding: (size + 2 * padding - kernel) // stride + 1,
             hints=("count the positions where the kernel fits inside the padded input",
                    "the padded length, minus the kernel, in strides — plus the first "
                    "position",
                    "⌊(size + 2·padding − kernel) / stride⌋ + 1: how many positions the kernel "
                    "fits"), kind="value",
             misconceptions=(Misconception(
                 "one short: ⌊(size + 2·padding − kernel)/stride⌋ counts the strides; the "
                 "first position, before any stride, adds 1",
                 answer=lambda size, kernel, stride, padding:
                     (size + 2 * padding - kernel) // stride),)),
    Exercise("09.4", "one RNN step (F15)", "rnn_step",
             _args(x=normal(2, 3), h=normal(2, 4), weight_ih=normal(4, 3), weight_hh=normal(4, 4),
                   bias=normal(4)),
             lambda x, h, weight_ih, weight_hh, bias: np.tanh(x @ weight_ih.T + h @ weight_hh.T
                                                             + bias),
             hints=("the new state mixes the input and the old state, then squashes",
                    "(2, 4) out: two matrix products and a bias, through tanh",
                    "h_t = tanh(x_t W_ihᵀ + h_{t−1} W_hhᵀ + b): the bias inside the tanh (F14 "
                    "puts it outside)"), kind="value",
             misconceptions=(Misconception(
                 "the bias added after the tanh (F14 as printed): it belongs inside, "
                 "tanh(x W_ihᵀ + h W_hhᵀ + b)",
                 answer=lambda x, h, weight_ih, weight_hh, bias:
                     np.tanh(x @ weight_ih.T + h @ weight_hh.T) + bias),)),
    Exercise("10.1", "the discriminator's loss from logits (F17)", "discriminator_loss",
             _args(real_logits=lambda r: r.normal(0, 20, 8), fake_logits=lambda r: r.normal(0, 20, 8)),
             lambda real_logits, fake_logits: np.mean(softplus(-real_logits)) +
             np.mean(softplus(fake_logits)),
             hints=("σ of a large logit rounds to exactly 0 or 1, and then its log is −inf: "
                    "never take σ first",
                    "two means, one over the real logits and one over the fakes, each of a "
                    "stable function of the logit",
                    "−log D(x) − log(1 − D(G(z))) with D = σ(logit): −log σ(a) = softplus(−a) "
                    "and −log(1 − σ(a)) = softplus(a), both stable"), kind="value"),
    Exercise("10.2", "the non-saturating generator loss's backward", "generator_loss_backward",
             _args(fake_logits=lambda r: r.uniform(-6, 6, 8)),
             lambda fake_logits: np.mean(softplus(-fake_logits)), ("fake_logits",), (),
             ("write the loss with softplus, whose derivative is σ",
              "one value per fake logit, all of one sign, divided by n for the mean",
              "L = mean(−log σ(a)): dL/da = −(1 − σ(a))/n: large when D rejects the fake")),
    Exercise("10.3", "the minimax generator loss's backward", "minimax_loss_backward",
             _args(fake_logits=lambda r: r.uniform(-6, 6, 8)),
             lambda fake_logits: np.mean(-softplus(fake_logits)), ("fake_logits",), (),
             ("write the loss with softplus, whose derivative is σ",
              "one value per fake logit, divided by n for the mean; look at its size where "
              "a ≪ 0",
              "L = mean(log(1 − σ(a))) = −mean(softplus(a)): dL/da = −σ(a)/n, tiny when D "
              "rejects the fake (a ≪ 0): the saturation")),
    Exercise("11.1", "matmul's arithmetic intensity", "matmul_intensity",
             _args(n=lambda r: int(r.integers(16, 4096))),
             lambda n: 2 * n ** 3 / (3 * 4 * n ** 2),
             hints=("arithmetic intensity is work per byte moved",
                    "count the floating-point operations of an n×n product, and the bytes "
                    "of the three matrices",
                    "flops / bytes: 2n³ multiply-adds over reading A, B and writing C once, 3n² "
                    "float32 values of 4 bytes"), kind="value"),
    Exercise("11.2", "a tiled matrix product", "tiled_matmul",
             _args(a=normal(7, 5), b=normal(5, 6), tile=lambda r: int(r.integers(2, 4))),
             lambda a, b, tile: a @ b,
             hints=("a tiled product computes the same numbers as a @ b, block by block",
                    "three loops over tiles (rows of the output, its columns, the shared "
                    "dimension), each slice clipped at the matrix's edge",
                    "loop over tiles of the output and of the shared dimension; the last tile of "
                    "each may be smaller"), kind="value",
             misconceptions=(Misconception(
                 "whole tiles only: the last rows and columns, where a whole tile does not "
                 "fit, are left at zero — let the last tile be smaller",
                 answer=_whole_tiles_only),)),
    Exercise("11.3", "a fused pointwise chain's memory traffic", "bytes_moved",
             _args(n=lambda r: int(r.integers(1000, 10 ** 6)), ops=lambda r: int(r.integers(2, 6))),
             lambda n, ops: (ops * 2 * 4 * n, 2 * 4 * n),
             hints=("memory traffic is what each kernel reads plus what it writes",
                    "two numbers: the chain as separate kernels, and as one",
                    "float32: unfused, each op reads and writes n values; fused, the chain reads "
                    "x once and writes the result once"), returns=("unfused", "fused"),
             kind="value"),
    Exercise("12.1", "the median of paired ratios", "median_paired_ratio",
             _args(a=lambda r: r.uniform(1, 3, 9), b=lambda r: r.uniform(1, 3, 9)),
             lambda a, b: np.median(a / b),
             hints=("two timings taken in the same round share the machine's load: compare "
                    "them pairwise",
                    "one ratio per round, then one summary of the ratios",
                    "divide each round's two timings (same load), then take the median — not the "
                    "ratio of the two medians"), kind="value",
             misconceptions=(Misconception(
                 "the ratio of the two medians: it mixes rounds under different loads — divide "
                 "within each round first, then take the median",
                 answer=lambda a, b: np.median(a) / np.median(b)),)),
    Exercise("12.2", "the interquartile range", "interquartile_range",
             _args(samples=lambda r: r.exponential(1.0, 15)),
             lambda samples: np.percentile(samples, 75) - np.percentile(samples, 25),
             hints=("a spread that one slow outlier cannot move: the middle half",
                    "two percentiles, subtracted",
                    "np.percentile at 75 minus at 25 (NumPy's default interpolation)"),
             kind="value",
             misconceptions=(Misconception(
                 "the whole range (max − min): one outlier moves it; the interquartile range "
                 "spans the middle half, 75th minus 25th percentile",
                 answer=lambda samples: samples.max() - samples.min()),)),
    Exercise("12.3", "scaling efficiency", "scaling_efficiency",
             _args(t1=lambda r: r.uniform(5, 10), tn=lambda r: r.uniform(1, 5),
                   n=lambda r: int(r.integers(2, 9))),
             lambda t1, tn, n: t1 / (n * tn),
             hints=("efficiency asks how much of the ideal n-fold speedup was reached",
                    "the speedup, divided by something",
                    "the speedup t1/tn divided by the n processes: 1.0 means n times as fast"),
             kind="value",
             misconceptions=(Misconception(
                 "the speedup t1/tn: the efficiency divides it by the n processes (1.0 = n "
                 "times as fast)", answer=lambda t1, tn, n: t1 / tn),)),
    Exercise("13.2", "a causal mask", "causal_mask",
             _args(length=lambda r: int(r.integers(2, 7))),
             lambda length: np.where(np.tril(np.ones((length, length))) > 0, 0.0, -np.inf),
             hints=("a token may attend to itself and to the tokens before it, never to later "
                    "ones",
                    "a (length, length) matrix added to the scores: 0 on and below the "
                    "diagonal, something that softmax turns into exactly 0 above",
                    "added to the scores: 0 where query i may see key j (j <= i), −inf after"),
             kind="value",
             misconceptions=(
                 Misconception("the past blocked instead of the future: query i may see the "
                               "keys j <= i (below the diagonal), not j >= i",
                               answer=lambda length: np.where(
                                   np.triu(np.ones((length, length))) > 0, 0.0, -np.inf)),
                 Misconception("−1e9 where −inf belongs: e^(−1e9 + s) is 0 only while the "
                               "scores are small, and a row with every key masked becomes "
                               "uniform instead of empty; −inf is exact",
                               answer=lambda length: np.where(
                                   np.tril(np.ones((length, length))) > 0, 0.0, -1e9)))),
    Exercise("13.3", "scaled dot-product attention's forward", "attention_forward",
             _args(q=normal(4, 3), k=normal(5, 3), v=normal(5, 2)), attention,
             hints=("each query takes a weighted average of the values, weighted by how well "
                    "it matches each key",
                    "(4, 2) out: scores (4, 5), a softmax over each query's row of keys, times "
                    "v",
                    "softmax over the keys of Q Kᵀ/√d, then times V"), kind="value",
             misconceptions=(
                 Misconception("the softmax taken over the queries (axis 0): each query's "
                               "weights must sum to 1 over the keys, along its row",
                               answer=lambda q, k, v: softmax(q @ k.T / np.sqrt(q.shape[1]),
                                                              axis=0) @ v),
                 Misconception("the 1/√d scale left out: the scores are Q Kᵀ/√d",
                               answer=lambda q, k, v: softmax(q @ k.T) @ v))),
    Exercise("07.4", "the whole backward of a small MLP, by hand", "mlp_backward",
             _mlp_with_intermediates, mlp_loss,
             ("_logits", "w2", "b2", "_h", "_z", "w1", "b1"), (),
             ("go backwards one line of the forward at a time, keeping every intermediate's "
              "gradient: dlogits, then dW2, db2 and dh, then through the ReLU, then dW1, db1",
              "each gradient has its value's shape: dlogits (6, 3), dh (6, 5), dW1 (5, 4), "
              "db1 (5,), dW2 (3, 5), db2 (3,)",
              "dlogits = (softmax − one_hot)/N; dW2 = dlogitsᵀ h, db2 = Σ_rows dlogits, dh = "
              "dlogits W2; dz = dh ⊙ [z > 0]; dW1 = dzᵀ x, db1 = Σ_rows dz"),
             returns=("dlogits", "dw2", "db2", "dh", "dz", "dw1", "db1"),
             forwards=(lambda _logits, targets, **_: _cross_entropy(_logits, targets),
                       mlp_loss, mlp_loss,
                       lambda _h, w2, b2, targets, **_: _cross_entropy(_h @ w2.T + b2, targets),
                       lambda _z, w2, b2, targets, **_: _cross_entropy(
                           np.maximum(_z, 0) @ w2.T + b2, targets),
                       mlp_loss, mlp_loss)),
    Exercise("08.4", "a convolution's input gradient (col2im)", "conv2d_input_grad",
             _args(x=normal(2, 2, 5, 5), weight=normal(3, 2, 3, 3), grad=normal(2, 3, 3, 3)),
             lambda x, weight, grad: conv2d(x, weight), ("x",), ("grad",),
             ("each output position's gradient flows back into the window of x it read; the "
              "windows overlap, so a pixel collects from every window that contains it",
              "dx has x's shape (2, 2, 5, 5): for each output position (i, j), add grad[:, :, "
              "i, j] times the weights into dx's window at (i, j)",
              "dX[n, c, i+u, j+v] += Σ_o grad[n, o, i, j] W[o, c, u, v] for every output "
              "position (i, j): the windows' gradients G·W (one product) folded back, "
              "overlaps added (col2im)"), returns=("dx",),
             misconceptions=(Misconception(
                 "each window's gradient written over the previous one: the windows overlap, "
                 "so a pixel receives the sum from every window that contains it (+=, not =)",
                 answer=_col2im_by_assignment),)),
    Exercise("09.5", "an LSTM sequence's backward through time", "lstm_sequence_backward",
             _args(a_in=normal(3, 2, 8), w_hh=normal(8, 2), h0=normal(2, 2), c0=normal(2, 2),
                   grad=normal(3, 2, 2)),
             lambda a_in, w_hh, h0, c0, grad: lstm_sequence(a_in, w_hh, h0, c0)[0],
             ("a_in", "w_hh"), ("grad",),
             ("run the cell's backward from the last step to the first: each step's h and c "
              "also reach the loss through the next step, so their gradients carry back",
              "da_in is (T, N, 4H) like a_in, dW_hh (4H, H): one cell backward per step, and "
              "dW_hh summed over the steps",
              "for t = T−1 … 0: dh = grad[t] + dh_next, dc = dc_next + dh · o · (1 − "
              "tanh(c_t)²); the gates' da_t as in the cell exercise; dW_hh += da_tᵀ h_{t−1}; "
              "dh_next = da_t W_hh, dc_next = dc · f"), returns=("da_in", "dw_hh"),
             misconceptions=(Misconception(
                 "every step treated alone: h_{t−1} and c_{t−1} also reach the loss through "
                 "step t, so dh_{t−1} gets da_t W_hh and dc_{t−1} gets dc_t · f_t — carry them "
                 "back through time",
                 forward=lambda at, a_in, w_hh, h0, c0, grad: lstm_sequence(
                     a_in, w_hh, h0, c0, lstm_sequence(at["a_in"], at["w_hh"], at["h0"],
                                                       at["c0"]))[0]),)),
    Exercise("13.4", "two attention heads' backward", "two_heads_backward",
             _args(q=normal(4, 6), k=normal(5, 6), v=normal(5, 6), grad=normal(4, 6)),
             lambda q, k, v, grad: two_heads(q, k, v), ("q", "k", "v"), ("grad",),
             ("the heads do not mix: each half of the columns is one head's attention, with "
              "its own softmax and its own √d",
              "split q, k, v and grad into two (·, 3) halves, run one head's backward on each, "
              "and put the halves back side by side",
              "per head h (columns 3h … 3h+2): the one-head backward with d = 3 — dV_h = P_hᵀ "
              "G_h, dS_h = P_h ⊙ (dP_h − Σ dP_h P_h), dQ_h = dS_h K_h/√3, dK_h = dS_hᵀ Q_h/√3"),
             returns=("dq", "dk", "dv"),
             misconceptions=(Misconception(
                 "one softmax over all the columns (a single head of width 6): each head has "
                 "its own scores Q_h K_hᵀ/√3 over its own half of the columns",
                 forward=lambda at, q, k, v, grad: attention(q, k, v)),)),
    Exercise("14.1", "a Hessian-vector product by differences of gradients", "hvp_by_differences",
             _quartic_gradient, lambda grad, x, v, _a: 3 * x ** 2 * v + _a @ v,
             hints=("H v is the derivative of the gradient in the direction v: how ∇f changes "
                    "when x moves along v",
                    "two calls of grad, at points on either side of x along v, and one "
                    "division (a central difference)",
                    "H v ≈ (∇f(x + εv) − ∇f(x − εv)) / (2ε), ε about 1e-4 (error O(ε²))"),
             returns=("hv",), kind="value"),
    Exercise("14.2", "the gradient of a gradient's size", "gradient_norm_backward",
             _args(x=lambda r: r.uniform(-2, 2, 6)),
             lambda x: 0.5 * np.sum((1 - np.tanh(x) ** 2) ** 2), ("x",), (),
             ("the loss is made of a gradient, s = d(Σ tanh x)/dx: its own gradient needs the "
              "derivative of s, a second derivative (what create_graph=True computes)",
              "one value per x: dL/ds = s, times ds/dx, element by element",
              "s = 1 − tanh(x)², L = ½ Σ s²: dL/dx = s · ds/dx = s · (−2 tanh(x) s) = "
              "−2 tanh(x) s²"),
             misconceptions=(Misconception(
                 "dL/ds returned for dL/dx: s = 1 − tanh(x)² itself depends on x, so the chain "
                 "rule goes on through ds/dx = −2 tanh(x) s",
                 answer=lambda x: 1 - np.tanh(x) ** 2),)),
    Exercise("15.1", "int8 quantize, then dequantize", "fake_quantize",
             _args(x=lambda r: r.normal(0, 2, 12), scale=lambda r: 0.02),
             fake_quantize,
             hints=("int8 keeps 255 levels, k·scale for k = −127 … 127: each value goes to the "
                    "nearest level, and the values beyond the last level stop there",
                    "round x/scale to an integer, keep it within [−127, 127], multiply back",
                    "x̂ = clip(round(x / scale), −127, 127) · scale"), kind="value",
             misconceptions=(Misconception(
                 "not clipped: int8 stops at ±127, so the values beyond ±127·scale come back "
                 "as ±127·scale", answer=lambda x, scale: np.round(x / scale) * scale),)),
    Exercise("15.2", "quantization-aware training's straight-through gradient",
             "fake_quantize_backward",
             _args(x=lambda r: r.normal(0, 2, 12), scale=lambda r: 0.02, grad=normal(12)),
             lambda x, scale, grad: grad * (np.abs(np.round(x / scale)) <= 127),
             hints=("rounding has derivative 0 almost everywhere, so training pretends it is "
                    "the identity (straight through) — but a clipped value really does not "
                    "move with x",
                    "grad where the value was inside int8's range, 0 where it was clipped",
                    "dL/dx = grad · [|round(x / scale)| ≤ 127]"), kind="value",
             misconceptions=(Misconception(
                 "the gradient passed through the clipped values too: where x was clipped to "
                 "±127·scale the output does not move with x, so its gradient is 0",
                 answer=lambda x, scale, grad: grad),)),
    Exercise("16.1", "one step of a ring all-reduce", "ring_step",
             _args(chunks=lambda r: r.integers(0, 10, (4, 4, 3)).astype(float),
                   step=lambda r: int(r.integers(0, 3))),
             ring_step,
             hints=("in a ring, each rank passes one chunk to its right-hand neighbour at every "
                    "step, and the neighbour accumulates it; after n − 1 steps each rank holds "
                    "one chunk fully summed",
                    "a copy of chunks where, for each rank r, one chunk of rank r + 1 (mod n) "
                    "has grown by rank r's copy of it",
                    "rank r sends chunk (r − step) mod n to rank (r + 1) mod n, which adds it "
                    "to its own copy of that chunk; use the chunks as they were before the "
                    "step"), kind="value",
             misconceptions=(Misconception(
                 "the received chunk replaces the receiver's copy: it must be added to it (a "
                 "reduce-scatter sums the ranks' chunks)",
                 answer=lambda chunks, step: _ring_replacing(chunks, step)),)),
    Exercise("16.2", "loss weights for uneven shards", "shard_weights",
             _args(sizes=lambda r: r.integers(1, 20, int(r.integers(2, 5)))),
             lambda sizes: len(sizes) * sizes / sizes.sum(),
             hints=("averaging the ranks' mean losses equals the mean over all samples only "
                    "if each rank counts by how many samples it has",
                    "one weight per rank, proportional to its shard's size, averaging to 1",
                    "w_r = world · n_r / N, with N = Σ n_r: then mean_r(w_r · loss_r) is the "
                    "global mean loss"), kind="value",
             misconceptions=(Misconception(
                 "every rank weighted equally: a rank with fewer samples would count as much "
                 "as one with more — weight each by its share, world · n_r / N",
                 answer=lambda sizes: np.ones(len(sizes))),)),
    Exercise("01.3", "a small graph's backward, by hand", "expression_backward",
             _args(a=normal(4), b=normal(4), c=normal(4), grad=normal(4)),
             lambda a, b, c, grad: (a * b + c) * a, ("a", "b", "c"), ("grad",),
             ("a value used twice in a graph receives the sum of the gradients from both uses "
              "(micrograd's +=)",
              "name the inner node u = a·b + c; f = u·a reaches a directly and through u",
              "f = u·a with u = a b + c: da = grad·(u + a·b), db = grad·a², dc = grad·a"),
             returns=("da", "db", "dc"),
             misconceptions=(Misconception(
                 "a's second use forgotten: a enters f twice (in a·b and as the outer factor), "
                 "so da is the sum over both roads, grad·(u + a·b)",
                 answer=lambda a, b, c, grad: (grad * (a * b + c), grad * a * a, grad * a)),)),
    Exercise("03.6", "log-softmax's backward", "log_softmax_backward",
             _args(x=normal(3, 5), grad=normal(3, 5)),
             lambda x, grad: np.log(softmax(x)), ("x",), ("grad",),
             ("log softmax(x) = x − log Σ e^x: every output of a row shares the log-sum, so "
              "each input also moves every output",
              "per row: grad minus softmax times one number (the row's total gradient)",
              "dL/dx = grad − softmax(x) · Σ_j grad_j, the sum per row"),
             misconceptions=(Misconception(
                 "the row's sum left out (grad − softmax·grad): log Σ e^x depends on every x_i, "
                 "so each input gets −softmax_i times the row's total gradient Σ_j grad_j",
                 answer=lambda x, grad: grad - softmax(x) * grad),)),
    Exercise("03.7", "binary cross-entropy's backward from logits", "bce_with_logits_backward",
             _args(x=lambda r: r.uniform(-5, 5, 8), t=lambda r: r.random(8)),
             lambda x, t: np.mean(softplus(x) - x * t), ("x",), (),
             ("like softmax with cross-entropy, σ with binary cross-entropy has the simplest "
              "gradient: predicted minus true",
              "one value per logit, divided by n for the mean",
              "L = mean(softplus(x) − x t): dL/dx = (σ(x) − t)/n")),
    Exercise("04.4", "the Rosenbrock function's gradient", "rosenbrock_gradient",
             _args(p=lambda r: r.uniform(-1.5, 1.5, 2)), rosenbrock, ("p",), (),
             ("f(x, y) = (1 − x)² + 100 (y − x²)²: the chain rule through each square, and "
              "through x² inside the second",
              "two numbers, (df/dx, df/dy); x appears in both terms, y only in the second",
              "df/dx = −2(1 − x) − 400 x (y − x²), df/dy = 200 (y − x²)"), returns=("dp",),
             misconceptions=(Misconception(
                 "the chain rule stopped at x²: d(y − x²)/dx = −2x, so the second term gives "
                 "−400 x (y − x²), not −200 (y − x²)",
                 answer=lambda p: np.array([-2 * (1 - p[0]) - 200 * (p[1] - p[0] ** 2),
                                            200 * (p[1] - p[0] ** 2)])),)),
    Exercise("05.4", "inverted dropout's backward", "dropout_backward",
             _args(x=normal(4, 5), keep=lambda r: r.random((4, 5)) >= 0.3, p=lambda r: 0.3,
                   grad=normal(4, 5)),
             lambda x, keep, p, grad: x * keep / (1 - p), ("x",), ("grad",),
             ("the forward multiplied each element by a constant (its mask over 1 − p): the "
              "backward multiplies grad by the same",
              "dx has x's shape: grad where the element was kept, 0 where it was dropped, and "
              "one more factor",
              "dL/dx = grad · keep / (1 − p)"),
             misconceptions=(Misconception(
                 "the forward's 1/(1 − p) forgotten in the backward: the kept elements were "
                 "scaled by 1/(1 − p), and so are their gradients",
                 answer=lambda x, keep, p, grad: grad * keep),)),
    Exercise("06.3", "ridge regression's gradient", "ridge_gradient",
             _args(x=normal(8, 3), y=normal(8), w=normal(3)),
             lambda x, y, w: np.mean((x @ w - y) ** 2) + 0.1 * np.sum(w ** 2), ("w",), (),
             ("the loss has two parts, the fit and the penalty λ‖w‖²: the gradient is the sum "
              "of theirs",
              "(3,) like w: a product with xᵀ for the fit, and a multiple of w itself for the "
              "penalty",
              "L = mean((x w − y)²) + 0.1 ‖w‖²: dL/dw = 2 xᵀ(x w − y)/n + 0.2 w"),
             returns=("dw",),
             misconceptions=(Misconception(
                 "the penalty's gradient left out: 0.1 ‖w‖² adds 0.2 w (what weight decay "
                 "subtracts at each step)",
                 answer=lambda x, y, w: 2 * x.T @ (x @ w - y) / len(y)),)),
    Exercise("08.5", "average pooling's backward (2×2, stride 2)", "avg_pool_backward",
             _args(x=normal(1, 2, 4, 4), grad=normal(1, 2, 2, 2)),
             lambda x, grad: avg_pool(x), ("x",), ("grad",),
             ("every input of a window counts equally in its mean",
              "dx has x's shape (1, 2, 4, 4): each window's gradient copied to its four "
              "positions, and scaled",
              "each of a window's four positions gets grad / 4"),
             misconceptions=(Misconception(
                 "the mean's 1/4 forgotten: each of the four positions gets a quarter of the "
                 "window's gradient",
                 answer=lambda x, grad: _every_window_position(x, grad, False)),)),
    Exercise("09.6", "one RNN step's backward", "rnn_step_backward",
             _args(x=normal(2, 3), h=normal(2, 4), weight_ih=normal(4, 3),
                   weight_hh=normal(4, 4), bias=normal(4), grad=normal(2, 4)),
             lambda x, h, weight_ih, weight_hh, bias, grad: np.tanh(
                 x @ weight_ih.T + h @ weight_hh.T + bias),
             ("x", "h", "weight_ih", "weight_hh", "bias"), ("grad",),
             ("first through the tanh, then through the two linear maps, exactly as a "
              "Linear layer's backward",
              "da = grad · (1 − h'²) is (2, 4); then dx (2, 3), dh (2, 4), dW_ih (4, 3), "
              "dW_hh (4, 4), db (4,)",
              "h' = tanh(a), a = x W_ihᵀ + h W_hhᵀ + b: da = grad (1 − h'²); dx = da W_ih, dh = "
              "da W_hh, dW_ih = daᵀ x, dW_hh = daᵀ h, db = Σ_rows da"),
             returns=("dx", "dh", "dw_ih", "dw_hh", "dbias"),
             misconceptions=(Misconception(
                 "tanh's derivative left out: first da = grad · (1 − h'²), then the linear "
                 "maps",
                 forward=lambda at, x, h, weight_ih, weight_hh, bias, grad:
                     x @ weight_ih.T + h @ weight_hh.T + bias),)),
    Exercise("10.4", "the discriminator loss's backward", "discriminator_loss_backward",
             _args(real_logits=lambda r: r.uniform(-6, 6, 8),
                   fake_logits=lambda r: r.uniform(-6, 6, 8)),
             lambda real_logits, fake_logits: np.mean(softplus(-real_logits)) +
             np.mean(softplus(fake_logits)), ("real_logits", "fake_logits"), (),
             ("write the loss with softplus (exercise 10.1), whose derivative is σ",
              "two arrays of 8: the real logits' gradients are all negative (D wants them "
              "higher), the fakes' all positive",
              "dL/dr = −(1 − σ(r))/n, dL/df = σ(f)/n"),
             returns=("dreal_logits", "dfake_logits")),
    Exercise("11.4", "a fused bias + ReLU's backward", "bias_relu_backward",
             _args(x=normal(4, 5), b=normal(5), grad=normal(4, 5)),
             lambda x, b, grad: np.maximum(x + b, 0), ("x", "b"), ("grad",),
             ("the ReLU passes the gradient where its own input was positive — and its input "
              "is x + b",
              "dx (4, 5) is grad masked; db (5,) sums the same over the rows",
              "mask = [x + b > 0]: dx = grad · mask, db = Σ_rows grad · mask"),
             returns=("dx", "db"),
             misconceptions=(Misconception(
                 "the ReLU's mask taken from x, before the bias was added: the ReLU saw x + b",
                 answer=lambda x, b, grad: (grad * (x > 0), (grad * (x > 0)).sum(axis=0))),)),
    Exercise("13.5", "layer norm's scale and shift: their gradients", "layer_norm_affine_backward",
             _args(x=normal(4, 6), gamma=normal(6), beta=normal(6), grad=normal(4, 6)),
             lambda x, gamma, beta, grad: gamma * layer_norm(x) + beta, ("gamma", "beta"),
             ("grad",),
             ("γ and β are shared by every row, like a Linear layer's bias: each row adds its "
              "share",
              "(6,) each: sums over the rows, of grad times what γ multiplied, and of grad",
              "y = γ ⊙ x̂ + β with x̂ the normalized x: dγ = Σ_rows grad ⊙ x̂, dβ = Σ_rows "
              "grad"), returns=("dgamma", "dbeta"),
             misconceptions=(Misconception(
                 "γ's gradient taken with x where the normalized x̂ belongs: γ multiplies x̂ = "
                 "(x − μ)/σ", forward=lambda at, x, gamma, beta, grad: gamma * x + beta),)),
    Exercise("14.3", "a Hessian-vector product by double backward", "hvp_by_double_backward",
             _quartic_function, lambda f, x, v, _a: 3 * x ** 2 * v + _a @ v,
             hints=("H v is the gradient of ⟨∇f(x), v⟩: differentiate twice, keeping the first "
                    "gradient differentiable",
                    "x as a minigrad tensor that requires grad; autograd.grad(f(x), x, "
                    "create_graph=True); then backward of (g · v).sum()",
                    "g, = mg.autograd.grad(f(t), t, create_graph=True); (g * v).sum()"
                    ".backward(); return t.grad as an array"),
             returns=("hv",), kind="value",
             misconceptions=(Misconception(
                 "the gradient ∇f itself, not its derivative along v: differentiate ⟨∇f, v⟩ "
                 "once more (create_graph=True keeps ∇f differentiable)",
                 answer=lambda f, x, v, _a: x ** 3 + _a @ x),)),
    Exercise("17.1", "the distribution a sample is drawn from", "sampling_probabilities",
             _args(logits=lambda r: 2 * r.standard_normal(8),
                   temperature=lambda r: float(r.choice([0.5, 0.8, 1.5, 2.0])),
                   k=lambda r: int(r.integers(2, 7))),
             sampling_probabilities,
             hints=("the temperature rescales the logits before the softmax; top-k removes all "
                    "but the k best before it, so the k that remain share all the probability",
                    "8 probabilities summing to 1, exactly 8 − k of them 0",
                    "z = logits / temperature; z[z < (k-th largest of z)] = −inf; softmax(z)"),
             kind="value",
             misconceptions=(
                 Misconception("the logits multiplied by the temperature: they are divided by "
                               "it (T < 1 sharpens the distribution, T > 1 flattens it)",
                               answer=lambda logits, temperature, k: sampling_probabilities(
                                   logits * temperature * temperature, temperature, k)),
                 Misconception("the probabilities outside the top k zeroed after the softmax, "
                               "so the k that remain no longer sum to 1: set the other logits "
                               "to −inf before the softmax (or divide by the kept sum)",
                               answer=lambda logits, temperature, k: sampling_probabilities(
                                   logits, temperature, k, renormalize=False)))),
    Exercise("17.2", "a warm-up, then a cosine decay", "learning_rate_schedule",
             _args(steps=lambda r: int(r.integers(12, 30)), warmup=lambda r: int(r.integers(2, 6)),
                   max_lr=lambda r: float(r.uniform(1e-3, 1e-2)),
                   min_lr=lambda r: float(r.uniform(1e-5, 1e-4))),
             warmup_cosine,
             hints=("two pieces: a straight line up to max_lr over the warm-up, then half a "
                    "cosine wave from max_lr down towards min_lr",
                    "an array of `steps` rates; step s < warmup on the line, the others on the "
                    "cosine with progress p = (s − warmup)/(steps − warmup) from 0 towards 1",
                    "s < W: max_lr (s + 1)/W; else min_lr + ½ (max_lr − min_lr)(1 + cos(π p))"),
             kind="value",
             misconceptions=(
                 Misconception("the cosine without ½(1 + ·): cos(πp) runs from 1 down to −1, "
                               "so the rate would fall below min_lr, even below 0; ½(1 + "
                               "cos(πp)) runs from 1 to 0",
                               answer=lambda steps, warmup, max_lr, min_lr: warmup_cosine(
                                   steps, warmup, max_lr, min_lr, lambda p: np.cos(np.pi * p))),
                 Misconception("a decay towards 0 that forgets min_lr: the cosine runs from "
                               "max_lr to min_lr, min_lr + (max_lr − min_lr) · ½(1 + cos(πp))",
                               answer=lambda steps, warmup, max_lr, min_lr: warmup_cosine(
                                   steps, warmup, max_lr, 0.0)),
                 Misconception("the warm-up starting at rate 0 (s/W): the first step would do "
                               "nothing; step s gets max_lr (s + 1)/W, reaching max_lr at the "
                               "warm-up's last step",
                               answer=lambda steps, warmup, max_lr, min_lr: warmup_cosine(
                                   steps, warmup, max_lr, min_lr, first=0)))),
    Exercise("17.3", "a tied matrix's gradient", "tied_weight_backward",
             _args(ids=lambda r: r.integers(0, 5, 6), weight=normal(5, 3), grad=normal(6, 5)),
             lambda ids, weight, grad: weight[ids] @ weight.T, ("weight",), ("grad",),
             ("one matrix used twice — to look the characters up and to score them — "
              "receives the sum of the gradients of both uses",
              "dW (5, 3): the head's part, like a Linear layer's weight gradient, plus the "
              "lookup's part, like an embedding's (rows added, repeated ids included)",
              "dW = gradᵀ h (the head, with h = W[ids]) + np.add.at of grad W into the rows "
              "ids (the lookup)"), returns=("dweight",),
             misconceptions=(
                 Misconception("only the head's gradient gradᵀ h: the same matrix also looked "
                               "the characters up, and that use's gradient (grad W, added into "
                               "the rows ids) belongs to it too",
                               forward=lambda at, ids, weight, grad: at["weight"][ids] @ weight.T),
                 Misconception("only the lookup's gradient: the same matrix also scored the "
                               "characters (logits = h Wᵀ), and that use's gradient gradᵀ h "
                               "belongs to it too",
                               forward=lambda at, ids, weight, grad: weight[ids] @ at["weight"].T),
                 Misconception("the lookup's rows overwritten where an id repeats: a row used "
                               "at several positions receives the sum of their gradients "
                               "(np.add.at)", answer=_tied_rows_overwritten))),
], key=lambda e: e.key)}
