"""What the course teaches, in one place: the lessons in order and the seed formulas.

Lesson 00 prints both tables, the course site's home page renders them, and the exercise
checker names a lesson by its ``subject``.  A test holds ``LESSONS`` to the notebooks in
``lessons/``: one entry per notebook, in the same order.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Lesson:
    number: str    # "01": the notebook is lessons/01_<...>.ipynb
    stem: str      # the notebook's file name without .ipynb
    subject: str   # a few words: "gradient checking"
    summary: str   # one line: what the lesson does


@dataclass(frozen=True)
class Formula:
    number: str          # "F4", as SPEC.md numbers the seed formulas
    printed: str         # what the seed document prints
    printed_right: bool  # whether that is right as printed
    verdict: str         # what is right, or what is wrong with it
    lessons: tuple       # the lessons that run it (the printed form next to the right one)


def _lesson(stem: str, subject: str, summary: str) -> Lesson:
    return Lesson(stem[:2], stem, subject, summary)


LESSONS = (
    _lesson("00_start_here", "start here",
            "what minigrad is, how to run a lesson, the lesson map, the seed formulas"),
    _lesson("01_autograd_from_scratch", "autograd from scratch",
            "one neuron by hand (F1), the chain rule, the Tensor graph; F2 vs F3"),
    _lesson("02_gradient_checking", "gradient checking",
            "central differences, float64; the seed's output/hidden deltas (F4, F5), F18"),
    _lesson("03_activations_and_losses", "activations and losses",
            "F6–F10 with derivatives; naive forms overflow, stable ones do not"),
    _lesson("04_optimizers", "optimizers",
            "F11, momentum, RMSprop, Adam; F12 is SGD; F13 lacks bias correction"),
    _lesson("05_building_networks", "building networks",
            "Module and Parameter; P7 with raw tensors and with nn; regularization"),
    _lesson("06_linear_regression", "linear regression",
            "P6: MSE and its gradient, gradient descent on the loss surface"),
    _lesson("07_mlp_classifier", "an MLP classifier",
            "P2 end to end: curves, predictions, confusion matrix, precision/recall/ROC"),
    _lesson("08_convolutions", "convolutions",
            "im2col, conv/pool backward, why P4 as printed fails, filters of a trained P4"),
    _lesson("09_rnn_lstm", "RNNs and LSTMs",
            "F14/F15 RNN step, BPTT, LSTM gates (F16) reading P8's reviews, vanishing gradients"),
    _lesson("10_gan", "GANs", "F17: the two generator losses, 8 Gaussians and digits"),
    _lesson("11_gpu_kernels", "GPU kernels",
            "one formula for arrays, Tensors, CPU and CUDA kernels; fusion counted and "
            "measured; matmul on CPU and GPU; the simulator"),
    _lesson("12_benchmarking", "benchmarking",
            "warm-up, medians, same-run ratios; reading the benchmark results"),
    _lesson("13_attention_and_transformers", "attention and Transformers",
            "attention's backward, multi-head shapes, reversing, pre-training"),
    _lesson("14_higher_order_gradients", "higher-order gradients",
            "create_graph, double backprop drawn, Newton on Rosenbrock, Hessian-vector "
            "products"),
    _lesson("15_deployment", "deployment",
            "P9's end: ONNX export traced and drawn, onnxruntime, int8 quantization, pruning, "
            "train → export → predict"),
    _lesson("16_data_parallelism", "data parallelism",
            "averaged gradients = a big batch, ring all-reduce over MPI, DDP's buckets, "
            "train --distributed"),
    _lesson("17_a_gpt_character_by_character", "a GPT, character by character",
            "causal attention, weight tying, warm-up, temperature and top-k on the fortune "
            "quotations, against a bigram table; the lecture programs that run"),
)
"""The lessons in order; ``LESSONS[i].stem`` is ``lessons/<stem>.ipynb``."""

BY_NUMBER = {lesson.number: lesson for lesson in LESSONS}

FORMULAS = (
    Formula("F1", "neuron / layer: out = act(Σ w x + b)", True, "right", ("01",)),
    Formula("F2", "∂L/∂W = grad_output · input, ∂L/∂b = grad_output", True,
            "right (grad_output = ∂L/∂z)", ("01",)),
    Formula("F3", "∂L/∂W_l = ∂L/∂a_l · a_{l-1}", False, "needs δ = ∂L/∂a ⊙ σ'(z)", ("01",)),
    Formula("F4", "output delta (y − ŷ) ŷ (1 − ŷ) for softmax + CE", False, "∂L/∂z = ŷ − y",
            ("02",)),
    Formula("F5", "hidden delta ∂L/∂z_j (1 − ẑ_j), Σ to 128", False,
            "right only for sigmoid", ("02",)),
    Formula("F6", "MSE 1/n Σ (y − ŷ)²", True, "right", ("03", "06")),
    Formula("F7", "½ Σ (y − ŷ)², ∂/∂W = (ŷ − y)·input", True, "right for a linear output",
            ("03", "06")),
    Formula("F8", "cross-entropy −Σ y log ŷ", True, "right; compute from logits", ("03",)),
    Formula("F9", "hinge max(0, 1 − y·ŷ)", True, "right", ("03",)),
    Formula("F10", "sigmoid, ReLU, tanh, softmax", True, "right; naive forms overflow",
            ("03",)),
    Formula("F11", "θ ← θ − α ∇J(θ)", True, "right", ("04", "06")),
    Formula("F12", "'Adam' printed as θ ← θ − α ∇L", False, "that is SGD", ("04",)),
    Formula("F13", "Adam without bias correction", False, "incomplete: it lacks m̂ and v̂", ("04",)),
    Formula("F14", "h_t = act(W·[x, h]) + b", False, "the bias belongs inside act", ("09",)),
    Formula("F15", "h_t = σ(W_h [x, h] + b_h)", True, "right", ("09",)),
    Formula("F16", "LSTM gates f, i, o, candidate, c_t, h_t", True, "right", ("09",)),
    Formula("F17", "GAN: −log D(G(z)); −log D(x) − log(1 − D(G(z)))", True,
            "right; compute from logits", ("10",)),
    Formula("F18", "worked example [1, 2, −1] → [0.7, 0.9]", False,
            "its shapes and arithmetic do not add up", ("02",)),
)
"""The eighteen formulas of the seed documents (SPEC §1), in SPEC's order."""

FOLDER = Path(__file__).resolve().parents[3] / "lessons"
"""Where the notebooks are: ``lessons/`` of the source checkout the package runs from."""
