"""Activation functions (SPEC F10), each op next to its formulas, in a numerically stable form.

The textbook forms overflow: ``1/(1+e^-x)`` computes e^1000 at x = -1000, and
``(e^{2x}-1)/(e^{2x}+1)`` computes inf/inf = nan at x = 1000.  The forms below only ever
exponentiate non-positive numbers, so no input produces an overflow warning or a nan.

Each elementwise activation is a ``Pointwise`` op: a forward formula and a derivative formula
written in the formula dialect (``minigrad.ops.formula``: callable on NumPy arrays as they
stand, compiled by the kernel door for the CPU and CUDA), and what the rest of minigrad
derives from the class — its ``minigrad.functional`` entry, its ONNX export and its case in
the gradient-check catalogue.  Adding one is this file (and its tests): see README's "Adding
an op".
"""
from __future__ import annotations

from .. import kernels
from ..autograd import Function
from ..backend import array_module_of
from .formula import HALF, ONE, ZERO, erf, exp, expm1, formula, log1p, select, tanh

SQRT_HALF = 0.7071067811865476       # 1/√2
INV_SQRT_2PI = 0.3989422804014327    # 1/√(2π)
GELU_TANH_K = 0.7978845608028654     # √(2/π), for GELU's tanh form
GELU_TANH_C = 0.044715
GELU_TANH_3C = 0.134145              # 3 · 0.044715

POINTWISE_OPS: list = []
"""Every ``Pointwise`` op class, in the order defined (the ones of tests included)."""


class Pointwise(Function):
    """An elementwise activation: z = forward formula(x, *settings), and
    dL/dx = derivative formula(g, x, *settings) — or (g, z, ...) with ``from_output``, for the
    activations whose derivative is cheapest from their output (σ' = z(1 − z)).

    A subclass declares, once:

    - ``formulas``: (forward, derivative), two ``@formula`` functions;
    - ``settings``: {option: default} passed to both formulas after the arrays, in order
      (LeakyReLU's negative slope);
    - ``functional``: its name in ``minigrad.functional``, where it is found even when not
      written out there;
    - ``onnx``: (ONNX op, {ONNX attribute: setting}) when one ONNX node with the same input
      exports it (else an entry in ``minigrad/onnx/table.py``);
    - ``check``: the gradient-check catalogue's inputs: "normal" (uniform in (−2, 2)), or
      "away" (|x| ≥ 0.1, for a kink at 0), or None to leave it out.
    """

    formulas: tuple = ()
    from_output = False
    settings: dict = {}
    functional: str | None = None
    onnx: tuple | None = None
    check: str | None = "normal"
    promotion = "float"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        POINTWISE_OPS.append(cls)

    def forward(ctx, x, **options):
        ctx.values = ctx._settings(options)
        z = ctx.compute(x, *ctx.values)
        ctx.save_for_backward(z if ctx.from_output else x)
        return z

    def compute(ctx, x, *values):
        """The forward formula on the input array (a subclass may use a library function)."""
        return kernels.pointwise(ctx.formulas[0], x, *values)

    def backward(ctx, g):
        (saved,) = ctx.saved
        return kernels.pointwise(ctx.formulas[1], g, saved, *ctx.values)

    @classmethod
    def _settings(cls, options: dict) -> tuple:
        if not options and not cls.settings:  # ReLU, sigmoid, tanh...: nothing to read
            return ()
        unknown = set(options) - set(cls.settings)
        if unknown:
            raise TypeError(f"{cls.__name__.lower()}: unexpected option {sorted(unknown)[0]!r} "
                            f"(it takes {', '.join(cls.settings) or 'none'})")
        return tuple(options.get(name, default) for name, default in cls.settings.items())

    @classmethod
    def function(cls, x, *values, **options):
        """``F.<functional>(x, *settings)``: the settings by position or by name."""
        if len(values) > len(cls.settings):
            raise TypeError(f"{cls.functional}: takes x and at most {len(cls.settings)} "
                            f"setting(s) ({', '.join(cls.settings) or 'none'}); got "
                            f"{len(values)} more")
        options.update(zip(cls.settings, values))
        return cls.apply(x, **options)


# ----------------------------------------------------------------------------- ReLU family


@formula(epilogue=True)
def relu(x):
    """max(x, 0)."""
    return select(x > ZERO, x, ZERO)


@formula
def relu_back(g, z):
    """dL/dx = g where the output z = relu(x) is positive (0 at x = 0, as PyTorch)."""
    return select(z > ZERO, g, ZERO)


class ReLU(Pointwise):
    """z = max(x, 0).   dL/dx = g * [x > 0]  (0 at x = 0, as PyTorch)."""

    formulas, from_output, promotion = (relu, relu_back), True, None
    functional, onnx, check = "relu", ("Relu", {}), "away"

    def compute(ctx, x):
        return array_module_of(x).maximum(x, 0)  # one pass already: no kernel could do better


@formula(scalars=("slope",), epilogue=True)
def leaky_relu(x, slope):
    """x if x > 0, else slope·x."""
    return select(x > ZERO, x, x * slope)


@formula(scalars=("slope",))
def leaky_relu_back(g, x, slope):
    """dL/dx = g if x > 0, else slope·g."""
    return select(x > ZERO, g, g * slope)


class LeakyReLU(Pointwise):
    """z = x if x > 0 else a·x.   dL/dx = g if x > 0 else a·g."""

    formulas, settings, promotion = (leaky_relu, leaky_relu_back), {"negative_slope": 0.01}, None
    functional, onnx, check = "leaky_relu", ("LeakyRelu", {"alpha": "negative_slope"}), "away"


@formula(scalars=("alpha",))
def elu(x, alpha):
    """x if x > 0, else α(eˣ − 1) (expm1: accurate near 0; its argument is never positive)."""
    return select(x > ZERO, x, alpha * expm1(select(x > ZERO, ZERO, x)))


@formula(scalars=("alpha",))
def elu_back(g, x, alpha):
    """dL/dx = g if x > 0, else g α eˣ."""
    return select(x > ZERO, g, g * alpha * exp(select(x > ZERO, ZERO, x)))


class ELU(Pointwise):
    """z = x if x > 0 else α(eˣ − 1).   dL/dx = g if x > 0 else g α eˣ."""

    formulas, settings = (elu, elu_back), {"alpha": 1.0}
    functional, onnx, check = "elu", ("Elu", {"alpha": "alpha"}), "away"


# ----------------------------------------------------------------------------- sigmoid family


@formula(epilogue=True)
def sigmoid(x):
    """σ(x) = 1/(1 + e^-x), as 1/(1 + e^-|x|) or e^-|x|/(1 + e^-|x|): exp never overflows."""
    e = exp(-select(x >= ZERO, x, -x))
    return select(x >= ZERO, ONE, e) / (ONE + e)


@formula
def sigmoid_back(g, z):
    """dL/dx = g σ(x)(1 − σ(x)) = g z (1 − z), from the output z."""
    return g * z * (ONE - z)


def stable_sigmoid(x):
    """σ(x) = 1/(1+e^-x), evaluated as 1/(1+e^-|x|) for x >= 0 and e^-|x|/(1+e^-|x|) for x < 0
    (the same function: multiply numerator and denominator by eˣ), so exp never overflows."""
    return kernels.pointwise(sigmoid, x)


class Sigmoid(Pointwise):
    """z = σ(x) = 1 / (1 + e^-x).   dL/dx = g * z * (1 - z)."""

    formulas, from_output = (sigmoid, sigmoid_back), True
    functional, onnx = "sigmoid", ("Sigmoid", {})


@formula
def tanh_back(g, z):
    """dL/dx = g (1 − tanh² x) = g (1 − z²), from the output z."""
    return g * (ONE - z * z)


class Tanh(Pointwise):
    """z = tanh x = (e^{2x} - 1)/(e^{2x} + 1).   dL/dx = g * (1 - z²).

    Forward uses the library tanh, which is stable; the printed quotient is nan for x >= 355.
    """

    formulas, from_output = (None, tanh_back), True
    functional, onnx = "tanh", ("Tanh", {})

    def compute(ctx, x):
        return array_module_of(x).tanh(x)


@formula
def silu(x):
    """x σ(x) (SiLU, "swish"), σ in the form whose exp never overflows."""
    e = exp(-select(x >= ZERO, x, -x))
    return x * select(x >= ZERO, ONE, e) / (ONE + e)


@formula
def silu_back(g, x):
    """dL/dx = g (σ(x) + x σ(x)(1 − σ(x))) = g σ(x)(1 + x(1 − σ(x)))."""
    e = exp(-select(x >= ZERO, x, -x))
    s = select(x >= ZERO, ONE, e) / (ONE + e)
    return g * s * (ONE + x * (ONE - s))


class SiLU(Pointwise):
    """z = x σ(x).   dL/dx = g σ(x)(1 + x(1 − σ(x)))  (ONNX: Mul and Sigmoid, in the table)."""

    formulas, functional = (silu, silu_back), "silu"


@formula(scalars=("beta", "threshold"))
def softplus(x, beta, threshold):
    """(1/β) ln(1 + e^{βx}) = (max(βx, 0) + ln(1 + e^{−|βx|}))/β, and x itself where
    βx > threshold (PyTorch's linear region: there the two differ by less than
    e^{−threshold})."""
    bx = beta * x
    soft = (select(bx > ZERO, bx, ZERO) + log1p(exp(-select(bx >= ZERO, bx, -bx)))) / beta
    return select(bx > threshold, x, soft)


@formula(scalars=("beta", "threshold"))
def softplus_back(g, x, beta, threshold):
    """dL/dx = g σ(βx), and g itself in the linear region βx > threshold."""
    bx = beta * x
    e = exp(-select(bx >= ZERO, bx, -bx))
    return select(bx > threshold, g, g * select(bx >= ZERO, ONE, e) / (ONE + e))


class Softplus(Pointwise):
    """z = (1/β) ln(1 + e^{βx}), and x where βx > threshold.   dL/dx = g σ(βx), and g in
    the linear region (β = 1 gives ln(1 + eˣ)).  ONNX: a few nodes, in the table."""

    formulas, settings = (softplus, softplus_back), {"beta": 1.0, "threshold": 20.0}
    functional = "softplus"


# ----------------------------------------------------------------------------- GELU


@formula(epilogue=True)
def gelu(x):
    """x Φ(x), Φ(x) = ½(1 + erf(x/√2)) the standard normal CDF."""
    return x * HALF * (ONE + erf(x * SQRT_HALF))


@formula
def gelu_back(g, x):
    """dL/dx = g (Φ(x) + x φ(x)), φ(x) = e^{-x²/2}/√(2π)."""
    cdf = HALF * (ONE + erf(x * SQRT_HALF))
    return g * (cdf + x * exp(-HALF * x * x) * INV_SQRT_2PI)


@formula(epilogue=True)
def gelu_tanh(x):
    """GELU's tanh form: ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    return HALF * x * (ONE + tanh(GELU_TANH_K * (x + GELU_TANH_C * x * x * x)))


@formula
def gelu_tanh_back(g, x):
    """dL/dx = g (½(1 + t) + ½x(1 − t²) √(2/π)(1 + 3·0.044715x²)), t the tanh above."""
    t = tanh(GELU_TANH_K * (x + GELU_TANH_C * x * x * x))
    du = GELU_TANH_K * (ONE + GELU_TANH_3C * x * x)
    return g * (HALF * (ONE + t) + HALF * x * (ONE - t * t) * du)


class GELU(Pointwise):
    """z = x Φ(x), Φ the standard normal CDF = ½(1 + erf(x/√2)).
    dL/dx = g * (Φ(x) + x φ(x)),  φ(x) = e^{-x²/2}/√(2π).

    ``approximate='tanh'``: z = ½x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³);
    dL/dx = g * (½(1 + t) + ½x(1 - t²) √(2/π)(1 + 3·0.044715x²)),  t = tanh u.
    """

    formulas, functional = (gelu, gelu_back), "gelu"
    settings = {"approximate": "none"}

    def forward(ctx, x, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        if approximate == "tanh":
            ctx.formulas = (gelu_tanh, gelu_tanh_back)
        ctx.values = ()  # the setting chose the formulas; they take no number
        ctx.save_for_backward(x)
        return ctx.compute(x)


APPLY = {"relu": lambda a: array_module_of(a).maximum(a, 0), "sigmoid": stable_sigmoid,
         "tanh": lambda a: array_module_of(a).tanh(a)}
"""The output-based activations on raw arrays (their backward needs only the output), as the
separate ops compute them: what a fused Linear + activation falls back to."""


def exp_and_logsumexp(x, dim):
    """(e^{x - m}, Σ e^{x - m}, ln Σ e^x) along ``dim`` (keepdims), m = max x: one shared
    exponential whose exponents are all <= 0, so it never overflows, and a sum >= 1, so its
    log is never -inf."""
    xp = array_module_of(x)
    shift = xp.max(x, axis=dim, keepdims=True)
    e = xp.exp(x - shift)
    total = e.sum(axis=dim, keepdims=True)
    return e, total, shift + xp.log(total)


class Softmax(Function):
    """z_i = e^{x_i} / Σ_j e^{x_j} along ``dim``.   dL/dx = z ⊙ (g - Σ_j g_j z_j)."""

    promotion = "float"

    def forward(ctx, x, dim):
        e, total, _ = exp_and_logsumexp(x, dim)
        z = e / total
        ctx.save_for_backward(z)
        ctx.dim = dim
        return z

    def backward(ctx, g):
        (z,) = ctx.saved
        return z * (g - (g * z).sum(axis=ctx.dim, keepdims=True))


class LogSoftmax(Function):
    """z_i = x_i - ln Σ_j e^{x_j} along ``dim``.   dL/dx = g - softmax(x) Σ_j g_j."""

    promotion = "float"

    def forward(ctx, x, dim):
        z = x - exp_and_logsumexp(x, dim)[2]
        ctx.save_for_backward(z)
        ctx.dim = dim
        return z

    def backward(ctx, g):
        (z,) = ctx.saved
        return g - array_module_of(g).exp(z) * g.sum(axis=ctx.dim, keepdims=True)
