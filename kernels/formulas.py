"""The pointwise formulas, each written once, for every target.

Each function below is the formula for *one element*, in a small dialect that four targets
understand: operators, the named functions ``exp``, ``expm1`` (eˣ − 1), ``log``, ``log1p``
(ln(1 + x)), ``tanh``, ``sqrt``, ``erf``,
``select(condition, a, b)`` (a where the condition holds, else b: no Python ``if``, which
arrays cannot take), and the named constants ``ZERO``, ``HALF``, ``ONE``, ``TWO``.
``minigrad_kernels.compile`` binds those names for a target:

- **Numba on the CPU** (``njit``): scalars, the loop around them compiled to machine code;
- **Numba on CUDA** (``cuda.jit(device=True)``): the same, one element per GPU thread;
- **arrays** (NumPy or CuPy): the function applied to whole arrays (``select`` is ``where``);
- **Tensors** (``minigrad.differentiable``): the same lines record a graph, so the formula is
  also what ``create_graph=True`` differentiates.

The constants are names rather than literals because a literal ``1.0`` is float64 to Numba and
would drag float32 arithmetic into float64 (half the speed on a CPU's vector units, far worse
on a GPU); each kernel binds them, and the named coefficients below, in its own dtype.
Transcendentals are the targets' own (``math.tanh`` in a kernel, ``np.tanh`` on arrays):
within float32 rounding of each other.
"""
from __future__ import annotations

# Placeholders, bound by minigrad_kernels.compile for each target (module docstring).
ZERO = HALF = ONE = TWO = None
exp = expm1 = log = log1p = tanh = sqrt = erf = select = None

SQRT_HALF = 0.7071067811865476       # 1/√2
INV_SQRT_2PI = 0.3989422804014327    # 1/√(2π)
GELU_TANH_K = 0.7978845608028654     # √(2/π), for GELU's tanh form
GELU_TANH_C = 0.044715
GELU_TANH_3C = 0.134145              # 3 · 0.044715

# ----------------------------------------------------------------------------- activations


def relu(x):
    """max(x, 0)."""
    return select(x > ZERO, x, ZERO)


def relu_back(g, z):
    """dL/dx = g where the output z = relu(x) is positive (0 at x = 0, as PyTorch)."""
    return select(z > ZERO, g, ZERO)


def leaky_relu(x, slope):
    """x if x > 0, else slope·x."""
    return select(x > ZERO, x, x * slope)


def leaky_relu_back(g, x, slope):
    """dL/dx = g if x > 0, else slope·g."""
    return select(x > ZERO, g, g * slope)


def sigmoid(x):
    """σ(x) = 1/(1 + e^-x), as 1/(1 + e^-|x|) or e^-|x|/(1 + e^-|x|): exp never overflows."""
    e = exp(-select(x >= ZERO, x, -x))
    return select(x >= ZERO, ONE, e) / (ONE + e)


def sigmoid_back(g, z):
    """dL/dx = g σ(x)(1 − σ(x)) = g z (1 − z), from the output z."""
    return g * z * (ONE - z)


def tanh_back(g, z):
    """dL/dx = g (1 − tanh² x) = g (1 − z²), from the output z."""
    return g * (ONE - z * z)


def gelu(x):
    """x Φ(x), Φ(x) = ½(1 + erf(x/√2)) the standard normal CDF."""
    return x * HALF * (ONE + erf(x * SQRT_HALF))


def gelu_back(g, x):
    """dL/dx = g (Φ(x) + x φ(x)), φ(x) = e^{-x²/2}/√(2π)."""
    cdf = HALF * (ONE + erf(x * SQRT_HALF))
    return g * (cdf + x * exp(-HALF * x * x) * INV_SQRT_2PI)


def gelu_tanh(x):
    """GELU's tanh form: ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    return HALF * x * (ONE + tanh(GELU_TANH_K * (x + GELU_TANH_C * x * x * x)))


def gelu_tanh_back(g, x):
    """dL/dx = g (½(1 + t) + ½x(1 − t²) √(2/π)(1 + 3·0.044715x²)), t the tanh above."""
    t = tanh(GELU_TANH_K * (x + GELU_TANH_C * x * x * x))
    du = GELU_TANH_K * (ONE + GELU_TANH_3C * x * x)
    return g * (HALF * (ONE + t) + HALF * x * (ONE - t * t) * du)


def elu(x, alpha):
    """x if x > 0, else α(eˣ − 1) (expm1: accurate near 0; its argument is never positive)."""
    return select(x > ZERO, x, alpha * expm1(select(x > ZERO, ZERO, x)))


def elu_back(g, x, alpha):
    """dL/dx = g if x > 0, else g α eˣ."""
    return select(x > ZERO, g, g * alpha * exp(select(x > ZERO, ZERO, x)))


def silu(x):
    """x σ(x) (SiLU, "swish"), σ in the form whose exp never overflows."""
    e = exp(-select(x >= ZERO, x, -x))
    return x * select(x >= ZERO, ONE, e) / (ONE + e)


def silu_back(g, x):
    """dL/dx = g (σ(x) + x σ(x)(1 − σ(x))) = g σ(x)(1 + x(1 − σ(x)))."""
    e = exp(-select(x >= ZERO, x, -x))
    s = select(x >= ZERO, ONE, e) / (ONE + e)
    return g * s * (ONE + x * (ONE - s))


def softplus(x, beta, threshold):
    """(1/β) ln(1 + e^{βx}) = (max(βx, 0) + ln(1 + e^{−|βx|}))/β, and x itself where
    βx > threshold (PyTorch's linear region: there the two differ by less than e^{−threshold})."""
    bx = beta * x
    soft = (select(bx > ZERO, bx, ZERO) + log1p(exp(-select(bx >= ZERO, bx, -bx)))) / beta
    return select(bx > threshold, x, soft)


def softplus_back(g, x, beta, threshold):
    """dL/dx = g σ(βx), and g itself in the linear region βx > threshold."""
    bx = beta * x
    e = exp(-select(bx >= ZERO, bx, -bx))
    return select(bx > threshold, g, g * select(bx >= ZERO, ONE, e) / (ONE + e))


# ----------------------------------------------------------------------------- the LSTM cell


def lstm_gate(a):
    """An input, forget or output gate of F16: σ(a), written ½ + ½ tanh(a/2) (the same
    function, one tanh).  (The candidate g is tanh(a) itself.)"""
    return HALF + HALF * tanh(HALF * a)


def lstm_cell_update(i, f, g, o, c_prev):
    """F16's state update for one unit, from its gates: c = f c_prev + i g, h = o tanh(c).
    Returns (h, c, tanh c): the backward step needs tanh c."""
    c = f * c_prev + i * g
    tanh_c = tanh(c)
    return o * tanh_c, c, tanh_c


def lstm_cell_back(dh, dc_next, c_prev, i, f, g, o, tanh_c):
    """The cell's derivatives, from dh = dL/dh_t and dc_next = dL/dc_t (from step t+1):
    dc = dc_next + dh o (1 − tanh² c); returns (da_i, da_f, da_g, da_o, dL/dc_prev = dc f)."""
    dc = dc_next + dh * o * (ONE - tanh_c * tanh_c)
    return (dc * g * i * (ONE - i), dc * c_prev * f * (ONE - f), dc * i * (ONE - g * g),
            dh * tanh_c * o * (ONE - o), dc * f)


# ----------------------------------------------------------------------------- optimizer updates
# One parameter element: its value p, its gradient d, its state; returns the new p and state.
# The per-step scalars (learning rate with bias correction folded in, ...) come precomputed.


def sgd(p, d, lr, weight_decay):
    """SGD (F11): p ← p − α(d + λp).  Returns p."""
    return p - lr * (d + weight_decay * p)


def sgd_momentum(p, d, buffer, lr, momentum, dampening, weight_decay, nesterov, first):
    """SGD with PyTorch's momentum: d ← d + λp; b ← μb + (1 − τ)d (b = d at the first step);
    step = d + μb (nesterov) or b; p ← p − α·step.  Returns (p, b)."""
    d = d + weight_decay * p
    b = select(first, d, momentum * buffer + (ONE - dampening) * d)
    return p - lr * select(nesterov, d + momentum * b, b), b


def adam(p, d, m, v, lr_t, beta1, beta2, rest1, rest2, eps_t, weight_decay, decay_factor):
    """Adam (F13 with bias correction), PyTorch's order: p ← p·(1 − αλ) (AdamW's decoupled
    decay: decay_factor); d ← d + λp (Adam's L2: weight_decay); m ← β₁m + (1 − β₁)d;
    v ← β₂v + (1 − β₂)d²; p ← p − lr_t · m / (√v + eps_t), where lr_t = α√(1 − β₂ᵗ)/(1 − β₁ᵗ)
    and eps_t = ε√(1 − β₂ᵗ) fold in the bias corrections m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)
    (α m̂/(√v̂ + ε) is that, with numerator and denominator scaled by √(1 − β₂ᵗ)).
    ``rest1`` = 1 − β₁ and ``rest2`` = 1 − β₂ come computed in float64 (as in PyTorch): in
    float32, 1 − 0.999 keeps only four correct digits.  Returns (p, m, v)."""
    p = p * decay_factor
    d = d + weight_decay * p
    m = beta1 * m + rest1 * d
    v = beta2 * v + rest2 * d * d
    return p - lr_t * m / (sqrt(v) + eps_t), m, v


def adam_amsgrad(p, d, m, v, v_max, lr_t, beta1, beta2, rest1, rest2, eps_t, weight_decay,
                 decay_factor):
    """Adam with AMSGrad: as ``adam``, dividing by the running maximum of v instead of v.
    Returns (p, m, v, v_max)."""
    p = p * decay_factor
    d = d + weight_decay * p
    m = beta1 * m + rest1 * d
    v = beta2 * v + rest2 * d * d
    v_max = select(v > v_max, v, v_max)
    return p - lr_t * m / (sqrt(v_max) + eps_t), m, v, v_max


def rmsprop(p, d, square_avg, lr, alpha, rest, eps, weight_decay):
    """RMSprop, PyTorch's form without momentum: d ← d + λp; s ← αs + (1 − α)d²;
    p ← p − lr · d/(√s + ε); ``rest`` = 1 − α, computed in float64.  Returns (p, s)."""
    d = d + weight_decay * p
    s = alpha * square_avg + rest * d * d
    return p - lr * d / (sqrt(s) + eps), s


def adagrad(p, d, state_sum, clr, eps, weight_decay):
    """Adagrad: d ← d + λp; s ← s + d² (every squared gradient so far);
    p ← p − clr · d/(√s + ε), clr = lr/(1 + (t − 1)·lr_decay) computed per step.
    Returns (p, s)."""
    d = d + weight_decay * p
    s = state_sum + d * d
    return p - clr * d / (sqrt(s) + eps), s


def adadelta(p, d, square_avg, acc_delta, lr, rho, rest, eps, weight_decay):
    """Adadelta: d ← d + λp; s ← ρs + (1 − ρ)d²; Δ = √(u + ε)/√(s + ε) · d (a step in the
    units of p: the running RMS of past steps over that of gradients); u ← ρu + (1 − ρ)Δ²;
    p ← p − lr·Δ.  ``rest`` = 1 − ρ.  Returns (p, s, u)."""
    d = d + weight_decay * p
    s = rho * square_avg + rest * d * d
    delta = sqrt(acc_delta + eps) / sqrt(s + eps) * d
    return p - lr * delta, s, rho * acc_delta + rest * delta * delta


FORMULAS = ("relu", "relu_back", "leaky_relu", "leaky_relu_back", "sigmoid",
            "sigmoid_back", "tanh_back", "gelu", "gelu_back", "gelu_tanh",
            "gelu_tanh_back", "elu", "elu_back", "silu", "silu_back", "softplus",
            "softplus_back", "lstm_gate", "lstm_cell_update", "lstm_cell_back", "sgd",
            "sgd_momentum", "adam", "adam_amsgrad", "rmsprop", "adagrad", "adadelta")
