"""``minigrad.functional`` (import as ``F``): activations and losses with PyTorch's names and
signatures.  Thin wrappers: the formulas live in ``minigrad.ops``; here we only check and
reshape arguments.  An elementwise activation not written out here is found all the same:
``F.<name>`` is the op that declares ``functional = "<name>"`` (``ops.activations.Pointwise``),
so adding one takes only its own file."""
from __future__ import annotations

import warnings

import numpy as np

from .backend import array_module_of, to_device
from .convolution import conv1d, conv2d, conv_transpose2d, fold, unfold  # noqa: F401
from .errors import DTypeError, ShapeError
from .ops import activations as act, losses
from .ops.attention import ScaledDotProductAttention, additive_mask
from .ops.conv import AvgPool2d, MaxPool2d, pair
from .ops.dropout import Dropout
from .ops.embedding import Embedding
from .ops.matmul import Linear, LinearActivation
from .ops.normalization import BatchNorm, LayerNorm
from .ops.shape import Pad
from .tensor import Tensor

# ----------------------------------------------------------------------------- activations


def relu(x: Tensor) -> Tensor:
    return act.ReLU.apply(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return act.LeakyReLU.apply(x, negative_slope=negative_slope)


def sigmoid(x: Tensor) -> Tensor:
    return act.Sigmoid.apply(x)


def tanh(x: Tensor) -> Tensor:
    return act.Tanh.apply(x)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    return act.GELU.apply(x, approximate=approximate)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """(1/β) ln(1 + e^{βx}), linear (x) where βx > threshold, as PyTorch."""
    return act.Softplus.apply(x, beta=beta, threshold=threshold)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, α(eˣ − 1) below."""
    return act.ELU.apply(x, alpha=alpha)


def silu(x: Tensor) -> Tensor:
    """x σ(x) (also called swish)."""
    return act.SiLU.apply(x)


def softmax(x: Tensor, dim: int) -> Tensor:
    return act.Softmax.apply(x, dim=dim)


def log_softmax(x: Tensor, dim: int) -> Tensor:
    return act.LogSoftmax.apply(x, dim=dim)


# ----------------------------------------------------------------------------- layers


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """F1 for a whole layer: y = x Wᵀ + b, with W of shape (out_features, in_features)."""
    return Linear.apply(x, weight, bias)


def linear_activation(x: Tensor, weight: Tensor, bias: Tensor, activation: str) -> Tensor:
    """activation(linear(x, weight, bias)) as one node, for ``activation`` "relu",
    "sigmoid" or "tanh" (the bias add and the activation fused into one pass)."""
    if activation not in act.APPLY:
        raise ValueError(f"linear_activation: activation must be one of {sorted(act.APPLY)}, "
                         f"got {activation!r}")
    return LinearActivation.apply(x, weight, bias, activation=activation)


def dropout(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
            channels: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p) (training only).
    ``inplace`` is accepted for PyTorch's signature; the result is always a new tensor."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: probability p must be in [0, 1], got {p}")
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0
    return Dropout.apply(x, p=p, channels=channels)


def dropout2d(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels: each (sample, channel) of an (N, C, H, W) input with probability p,
    the rest scaled by 1/(1-p).  (PyTorch warns for inputs that are not 3-D or 4-D and then
    draws one value per element of the first two dims, as here.)"""
    if x.ndim not in (3, 4):
        warnings.warn(f"dropout2d: received a {x.ndim}-D input; dropout2d is meant for "
                      f"(N, C, H, W) feature maps (for others use dropout)", stacklevel=2)
    return dropout(x, p, training, channels=True)


def batch_norm(x: Tensor, running_mean, running_var, weight=None, bias=None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize over every axis but the channel axis 1.  In training, use the batch's
    statistics and fold them into the running ones (running = (1-momentum) running +
    momentum batch, with the unbiased batch variance, as PyTorch); else use the running ones."""
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected input of shape (N, C, ...), got {tuple(x.shape)}")
    axes = (0,) + tuple(range(2, x.ndim))
    if not training:
        return BatchNorm.apply(x, weight, bias, running_mean.array, running_var.array, axes=axes,
                               eps=eps, training=False)
    count = x.numel() // x.shape[1]
    if count < 2:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                         f"got input of shape {tuple(x.shape)}")
    mean, var = x.array.mean(axis=axes), x.array.var(axis=axes)
    if running_mean is not None:
        running_mean.array[...] = (1 - momentum) * running_mean.array + momentum * mean
        running_var.array[...] = (1 - momentum) * running_var.array + \
            momentum * var * count / (count - 1)
    return BatchNorm.apply(x, weight, bias, mean, var, axes=axes, eps=eps, training=True)


def layer_norm(x: Tensor, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalize each sample over its last ``len(normalized_shape)`` dims."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(x.shape[x.ndim - len(shape):]) != shape:
        raise ValueError(f"layer_norm: input of shape {tuple(x.shape)} does not end with the "
                         f"normalized shape {shape}")
    return LayerNorm.apply(x, weight, bias, normalized_ndim=len(shape), eps=eps)


def embedding(input, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of ``weight`` selected by the integer tensor ``input``."""
    index = input.array if isinstance(input, Tensor) else np.asarray(input)
    index = to_device(index, weight.device)  # indices may come from the host
    return Embedding.apply(weight, index, padding_idx=padding_idx)


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1) -> Tensor:
    """Maximum over each window; ``stride`` defaults to the kernel size."""
    kernel = pair(kernel_size)
    _check_pool_padding("max_pool2d", kernel, pair(padding))
    return MaxPool2d.apply(input, kernel=kernel, stride=pair(stride or kernel_size),
                           padding=pair(padding), dilation=pair(dilation))


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """Mean over each window (zero padding counted); ``stride`` defaults to the kernel size."""
    kernel = pair(kernel_size)
    _check_pool_padding("avg_pool2d", kernel, pair(padding))
    return AvgPool2d.apply(input, kernel=kernel, stride=pair(stride or kernel_size),
                           padding=pair(padding))


def _check_pool_padding(op: str, kernel: tuple, padding: tuple) -> None:
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise ValueError(f"{op}: padding {padding} should be at most half of kernel {kernel}")


def adaptive_avg_pool2d(input: Tensor, output_size=1) -> Tensor:
    """Average each channel down to ``output_size`` (only 1, i.e. global pooling)."""
    if pair(output_size) != (1, 1):
        raise NotImplementedError(f"adaptive_avg_pool2d: only output_size 1 is implemented, "
                                  f"not {output_size}")
    return input.mean(dim=(2, 3), keepdim=True)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask=None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None) -> Tensor:
    """softmax(Q Kᵀ/√d + M) V over the last two axes (PyTorch's semantics: a boolean mask is
    True where attention is *allowed*; a float mask is added).  Rows with every key masked
    give 0 (not nan)."""
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(f"scaled_dot_product_attention: query {tuple(query.shape)}, key "
                         f"{tuple(key.shape)} and value {tuple(value.shape)} do not fit "
                         f"(need q·k feature sizes and k/v lengths to match)")
    xp = array_module_of(query.array)
    shape = query.shape[:-1] + (key.shape[-2],)
    if isinstance(attn_mask, Tensor) and attn_mask.dtype.kind == "f":  # may require grad
        causal = additive_mask(shape, None, is_causal, xp, query.dtype)
        mask = attn_mask if causal is None else attn_mask + causal
    else:
        raw = attn_mask.array if isinstance(attn_mask, Tensor) else attn_mask
        mask = additive_mask(shape, raw, is_causal, xp, query.dtype)
    return ScaledDotProductAttention.apply(query, key, value, mask, dropout_p=dropout_p,
                                           scale=scale)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (any shape) -> int64 rows with a single 1: shape (..., num_classes);
    ``num_classes=-1`` takes the largest index + 1."""
    index = tensor.array if isinstance(tensor, Tensor) else np.asarray(tensor)
    if index.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected an integer tensor of class indices, got "
                        f"{index.dtype}")
    xp = array_module_of(index)
    if num_classes == -1:
        num_classes = int(index.max()) + 1 if index.size else 0
    if index.size and (int(index.min()) < 0 or int(index.max()) >= num_classes):
        raise ValueError(f"one_hot: class values must be in [0, {num_classes}); got values in "
                         f"[{int(index.min())}, {int(index.max())}]")
    return Tensor._wrap((index[..., None] == xp.arange(num_classes)).astype(np.int64), None)


def pad(x: Tensor, pad: tuple, mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad with a constant; ``pad`` = (left, right, top, bottom, ...) from the last dim;
    negative amounts crop."""
    if mode != "constant":
        raise NotImplementedError(f"pad: only mode='constant' is implemented, not {mode!r}")
    return Pad.apply(x, pad=tuple(pad), value=value)


# ----------------------------------------------------------------------------- losses


def _same_shape(op: str, x: Tensor, t) -> None:
    if tuple(x.shape) != tuple(np.shape(t.array if isinstance(t, Tensor) else t)):
        raise ValueError(f"{op}: input shape {tuple(x.shape)} and target shape "
                         f"{tuple(np.shape(t.array if isinstance(t, Tensor) else t))} differ")


def smooth_l1_loss(input: Tensor, target, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """½d²/β for |d| < β, |d| − ½β beyond (d = input − target)."""
    _same_shape("smooth_l1_loss", input, target)
    return losses.SmoothL1.apply(input, _as_target(target, input), reduction=reduction,
                                 beta=beta)


def huber_loss(input: Tensor, target, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """½d² for |d| < δ, δ(|d| − ½δ) beyond: δ · smooth_l1_loss with β = δ."""
    return smooth_l1_loss(input, target, reduction, beta=delta) * delta


def mse_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """Mean squared error (F6)."""
    _same_shape("mse_loss", input, target)
    target = _as_target(target, input)
    return losses.MSELoss.apply(input, target, reduction=reduction)


def _rows(op: str, input: Tensor, target: Tensor, probabilities: bool):
    """Logits (N, C, d1, ...) as rows (N·d1·..., C) and the target to match; the shape to give
    a reduction='none' result back.  A single sample (C,) is one row."""
    if input.ndim == 1:
        return input.reshape(1, -1), target.reshape((1, -1) if probabilities else (1,)), ()
    expected = input.shape if probabilities else input.shape[:1] + input.shape[2:]
    if tuple(target.shape) != tuple(expected):
        kind = "class probabilities, classes in dim 1" if probabilities else "class indices"
        raise ShapeError(f"{op}: input of shape {tuple(input.shape)} needs a target of shape "
                         f"{tuple(expected)} ({kind}); got {tuple(target.shape)}")
    if input.ndim > 2:  # move the class dim last: (N, d1, ..., C), the target's too
        last = [0] + list(range(2, input.ndim)) + [1]
        input = input.permute(last)
        target = target.permute(last) if probabilities else target
    if input.ndim == 2:
        return input, target, input.shape[:1]
    rows = input.reshape(-1, input.shape[-1])
    return rows, target.reshape(rows.shape if probabilities else (-1,)), input.shape[:-1]


def _as_target(target, input: Tensor) -> Tensor:
    """A loss's target as a Tensor: a Tensor stays where it is (a different device than the
    input's is an error, as in PyTorch), an array or list goes to the input's device."""
    return target if isinstance(target, Tensor) else Tensor(target, device=input.device)


def _class_target(op: str, target: Tensor, probabilities_allowed: bool) -> bool:
    """Whether ``target`` holds class probabilities (floating) rather than class indices
    (integers); any other dtype (bool above all: a mask is not a class) is refused, as
    PyTorch refuses it."""
    kind = target.dtype.kind
    if kind in "iu" or (kind == "f" and probabilities_allowed):
        return kind == "f"
    wanted = "integer class indices" + (" or floating class probabilities"
                                        if probabilities_allowed else "")
    raise DTypeError(f"{op}: the target must hold {wanted}; got dtype {target.dtype}")


def cross_entropy(input: Tensor, target, reduction: str = "mean", ignore_index: int = -100,
                  label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy from logits (F8), with class-index targets of shape (N,) or
    probability targets of shape (N, C); backward = softmax - target (F4 corrected)."""
    target = _as_target(target, input)
    probabilities = _class_target("cross_entropy", target, True)
    rows, target, shape = _rows("cross_entropy", input, target, probabilities)
    loss = losses.CrossEntropy.apply(rows, target, reduction=reduction,
                                     ignore_index=ignore_index, label_smoothing=label_smoothing)
    return loss.reshape(shape) if reduction == "none" else loss


def nll_loss(input: Tensor, target, reduction: str = "mean", ignore_index: int = -100) -> Tensor:
    """Negative log-likelihood of class indices under log-probabilities ``input``."""
    target = _as_target(target, input)
    _class_target("nll_loss", target, False)
    rows, target, shape = _rows("nll_loss", input, target, False)
    loss = losses.NLLLoss.apply(rows, target, reduction=reduction, ignore_index=ignore_index)
    return loss.reshape(shape) if reduction == "none" else loss


def binary_cross_entropy(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy on probabilities (logs clamped at -100, like PyTorch)."""
    _same_shape("binary_cross_entropy", input, target)
    target = _as_target(target, input)
    return losses.BinaryCrossEntropy.apply(input, target, reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy on logits, in the stable form (never overflows)."""
    _same_shape("binary_cross_entropy_with_logits", input, target)
    target = _as_target(target, input)
    return losses.BinaryCrossEntropyWithLogits.apply(input, target, reduction=reduction)


def hinge_loss(input: Tensor, target, margin: float = 1.0, reduction: str = "mean") -> Tensor:
    """max(0, margin - y·score) with labels y in {-1, +1} (F9)."""
    _same_shape("hinge_loss", input, target)
    target = _as_target(target, input)
    return losses.Hinge.apply(input, target, margin=margin, reduction=reduction)


def gan_discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """F17, discriminator: -log D(x) - log(1 - D(G(z))), averaged, from logits.
    With D = σ(logit): -log σ(r) = softplus(-r) and -log(1 - σ(f)) = softplus(f)."""
    return _log1p_exp(-real_logits).mean() + _log1p_exp(fake_logits).mean()


def gan_generator_loss(fake_logits: Tensor, saturating: bool = False) -> Tensor:
    """F17, generator.  Non-saturating (default, as the seed prints it): -log D(G(z)) =
    softplus(-f).  Saturating (the original minimax form): log(1 - D(G(z))) = -softplus(f),
    whose gradient vanishes exactly when the discriminator wins (f very negative)."""
    if saturating:
        return -_log1p_exp(fake_logits).mean()
    return _log1p_exp(-fake_logits).mean()


def _log1p_exp(x: Tensor) -> Tensor:
    """ln(1 + eˣ) exactly: softplus without PyTorch's linear cut-off at x > 20, whose gradient
    1 differs from σ(x) by up to e^-20 (a loss should be its formula)."""
    return softplus(x, threshold=float("inf"))


def wgan_critic_loss(real_scores: Tensor, fake_scores: Tensor) -> Tensor:
    """WGAN's critic: E[C(G(z))] - E[C(x)], minus the estimate of the Wasserstein distance
    (scores, not logits: the critic has no sigmoid).  Add a gradient penalty
    (``minigrad.experiments.gan.gradient_penalty``) to keep the critic 1-Lipschitz."""
    return fake_scores.mean() - real_scores.mean()


def wgan_generator_loss(fake_scores: Tensor) -> Tensor:
    """WGAN's generator: -E[C(G(z))]."""
    return -fake_scores.mean()


def __getattr__(name: str):
    """``F.<name>`` for a ``Pointwise`` activation that declares ``functional = name`` and is
    not written out above (``Pointwise.function``: the settings by position or by name)."""
    for op in act.POINTWISE_OPS:
        if op.functional == name:
            return op.function
    raise AttributeError(f"module 'minigrad.functional' has no attribute {name!r}")
