"""Plots for lessons and the command line (matplotlib).  Each function returns the Figure so a
notebook shows it and a script can save it."""
from __future__ import annotations

import numpy as np

from .tensor import Tensor


def _pyplot():
    """matplotlib.pyplot, imported on first use (it picks a headless backend by itself)."""
    import matplotlib.pyplot as plt
    return plt


def plot_with_derivative(functions: dict, low: float = -5.0, high: float = 5.0, points: int = 401):
    """One panel per function: f(x) and f'(x), the derivative computed by minigrad's backward
    (so the plot is also a visual check of each backward formula)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(functions), figsize=(3.2 * len(functions), 3), squeeze=False)
    for ax, (name, fn) in zip(axes[0], functions.items()):
        x = Tensor(np.linspace(low, high, points), requires_grad=True)
        y = fn(x)
        y.sum().backward()  # element i of y depends only on x_i, so this is f'(x_i)
        ax.plot(x.data, y.data, label="f(x)")
        ax.plot(x.data, x.grad.data, "--", label="f'(x) by backward")
        ax.set_title(name)
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_curves(curves: dict, xlabel: str = "step", ylabel: str = "loss", logy: bool = False):
    """Several named sequences (e.g. loss per epoch) on one axis."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.2))
    for name, values in curves.items():
        ax.plot(np.arange(1, len(values) + 1), values, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_decision_boundary(predict, x: np.ndarray, y: np.ndarray, steps: int = 200):
    """The class that ``predict`` (a function of an (n, 2) array returning labels) assigns to
    each point of the plane, with the data points on top."""
    plt = _pyplot()
    pad = 0.5
    gx, gy = np.meshgrid(np.linspace(x[:, 0].min() - pad, x[:, 0].max() + pad, steps),
                         np.linspace(x[:, 1].min() - pad, x[:, 1].max() + pad, steps))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
    fig, ax = plt.subplots(figsize=(4, 3.5))
    ax.contourf(gx, gy, predict(grid).reshape(gx.shape), alpha=0.3, cmap="coolwarm")
    ax.scatter(x[:, 0], x[:, 1], c=y, s=8, cmap="coolwarm")
    fig.tight_layout()
    return fig
