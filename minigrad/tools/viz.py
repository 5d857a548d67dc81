"""Plots for lessons and the command line (matplotlib).  Each function returns the Figure so a
notebook shows it and a script can save it."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor


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
        ax.plot(x.array, y.array, label="f(x)")
        ax.plot(x.array, x.grad.array, "--", label="f'(x) by backward")
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


def plot_history(history, keys=None):
    """Training curves from a ``fit`` History: loss and accuracy, training and validation."""
    plt = _pyplot()
    logs = history.history
    groups = [k for k in ("loss", "accuracy") if k in logs] if keys is None else keys
    fig, axes = plt.subplots(1, len(groups), figsize=(4.5 * len(groups), 3.2), squeeze=False)
    for ax, key in zip(axes[0], groups):
        epochs = np.arange(1, len(logs[key]) + 1)
        ax.plot(epochs, logs[key], "o-", label=f"training {key}")
        if f"val_{key}" in logs:
            ax.plot(epochs, logs[f"val_{key}"], "s--", label=f"validation {key}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_image_grid(images, true_labels, predicted_labels, class_names=None, rows: int = 4,
                    cols: int = 6):
    """A grid of images titled 'predicted (true)', red where the prediction is wrong
    (the seed's P2 step 2.7)."""
    plt = _pyplot()
    fig, axes = plt.subplots(rows, cols, figsize=(1.7 * cols, 1.9 * rows))
    name = (lambda c: class_names[c]) if class_names is not None else str
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= len(images):
            continue
        ax.imshow(images[i], cmap="gray_r")
        right = predicted_labels[i] == true_labels[i]
        ax.set_title(f"{name(predicted_labels[i])}\n({name(true_labels[i])})", fontsize=7,
                     color="black" if right else "red")
    fig.tight_layout()
    return fig


def plot_confusion_matrix(matrix: np.ndarray, class_names=None):
    """Counts of (true class, predicted class), with the numbers written in the cells."""
    plt = _pyplot()
    n = len(matrix)
    names = class_names if class_names is not None else [str(i) for i in range(n)]
    fig, ax = plt.subplots(figsize=(0.55 * n + 2.5, 0.55 * n + 2))
    ax.imshow(matrix, cmap="Blues")
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(j, i, str(value), ha="center", va="center", fontsize=7,
                color="white" if value > matrix.max() / 2 else "black")
    ax.set_xticks(range(n), names, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(n), names, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    fig.tight_layout()
    return fig


def _walk(root: Tensor) -> tuple[dict, list]:
    """The nodes of ``root``'s graph, {id: (op node or leaf tensor, label, depth)} with depth =
    the distance from the root, and the edges (parent id, child id, the parent's shape)."""
    nodes, edges, depth = {}, [], {}
    start = root.grad_fn or root
    depth[id(start)] = 0
    stack = [start]
    while stack:
        node = stack.pop()
        if id(node) in nodes:
            continue
        leaf = isinstance(node, Tensor)
        label = "leaf" if leaf else node.name.replace("Backward", "")
        nodes[id(node)] = (node, label, depth[id(node)])
        for parent in (() if leaf else node.parents):
            if parent is None:
                continue
            shape = parent.shape if isinstance(parent, Tensor) else parent.out_shape
            edges.append((id(parent), id(node), tuple(shape)))
            depth[id(parent)] = max(depth.get(id(parent), 0), depth[id(node)] + 1)
            stack.append(parent)
    return nodes, edges


def graph_layers(root: Tensor) -> tuple[list, list]:
    """The nodes of ``root``'s graph (ops and leaves) and the edges between them, each node
    with a depth = its distance from the root, for drawing."""
    nodes, edges = _walk(root)
    return [(k, label, d) for k, (_, label, d) in nodes.items()], edges


def plot_graph(root: Tensor):
    """A drawing of the computation graph that produced ``root``: ops as boxes, leaves as
    circles, arrows from inputs to ops labelled with the input's shape."""
    nodes, edges = graph_layers(root)
    return _draw_layers(nodes, edges)


def _brief(array) -> str:
    """A value for a graph label: the number, or a few of the numbers and the shape."""
    if array is None:
        return "—"
    array = np.asarray(array.numpy() if isinstance(array, Tensor) else array)
    if array.size == 1:
        return f"{array.item():.4g}"
    text = np.array2string(array.reshape(-1)[:4], precision=3, separator=" ")
    return text[:-1] + (" …]" if array.size > 4 else "]") + f" {tuple(array.shape)}"


def value_graph(root: Tensor, tensors: dict | None = None) -> tuple[list, list, set]:
    """micrograd's view of ``root``'s graph, for ``draw_dot``: ``graph_layers``'s nodes with
    labels that carry values — every leaf with its data and gradient, and every op whose
    output is one of ``tensors`` ({name: tensor}) with that output's name, data and gradient
    (call ``retain_grad()`` on an intermediate before ``backward()`` to keep its gradient) —,
    the edges, and the keys of the leaves."""
    nodes, edges = _walk(root)
    named = {id(t.grad_fn if t.grad_fn is not None else t): (name, t)
             for name, t in (tensors or {}).items()}
    labelled = []
    for key, (node, label, depth) in nodes.items():
        name, tensor = named.get(key, (None, node if label == "leaf" else None))
        lines = ([name] if name else []) + ([] if label == "leaf" and name else [label])
        if tensor is not None:
            lines += [f"data {_brief(tensor)}", f"grad {_brief(tensor.grad)}"]
        labelled.append((key, "\n".join(lines), depth))
    return labelled, edges, {key for key, (_, label, _) in nodes.items() if label == "leaf"}


class DotGraph:
    """A graph in Graphviz's DOT language; a notebook shows it as SVG (drawn by ``dot``)."""

    def __init__(self, source: str):
        self.source = source

    def svg(self) -> str:
        import subprocess
        return subprocess.run(["dot", "-Tsvg"], input=self.source, capture_output=True,
                              text=True, check=True).stdout

    def _repr_svg_(self) -> str:
        return self.svg()


def dot_source(nodes: list, edges: list, leaves: set) -> str:
    """DOT text for ``nodes`` (key, label, depth) and ``edges`` (source, target, text): ops
    as boxes, ``leaves`` as grey rounded boxes, the inputs on the left."""
    def quoted(text) -> str:
        return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace(
            "\n", "\\n") + '"'
    lines = ["digraph {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];']
    for key, label, _ in nodes:
        style = 'shape=box, style="rounded,filled", fillcolor=lightgrey' if key in leaves \
            else "shape=box"
        lines.append(f"  n{key} [label={quoted(label)}, {style}];")
    for source, target, text in edges:
        lines.append(f"  n{source} -> n{target} [label={quoted(text)}, fontsize=8];")
    return "\n".join(lines + ["}"])


def draw_dot(root: Tensor, tensors: dict | None = None):
    """The computation graph of ``root`` with each node's value and gradient, as micrograd's
    ``draw_dot`` draws it (``value_graph``): through Graphviz when its ``dot`` program is
    installed (``apt-get install graphviz``; a notebook shows the SVG), else with
    matplotlib (a Figure)."""
    import shutil
    nodes, edges, leaves = value_graph(root, tensors)
    if shutil.which("dot"):
        return DotGraph(dot_source(nodes, edges, leaves))
    return _draw_layers(nodes, edges, leaves)


def onnx_graph_layers(model) -> tuple[list, list]:
    """The graph inputs and nodes of an ONNX model (a ModelProto or a file), each with a
    depth = its distance from the inputs and a label with the number of weights it reads
    (initializer values; int64 ones are shapes and axes, not weights), and the edges."""
    import onnx
    model = model if isinstance(model, onnx.ModelProto) else onnx.load(str(model))
    graph = model.graph
    sizes = {i.name: int(np.prod(i.dims)) for i in graph.initializer
             if i.data_type != onnx.TensorProto.INT64}
    made, depth, nodes, edges = {}, {}, [], []
    for value in graph.input:
        made[value.name], depth[value.name] = value.name, 0
        nodes.append((value.name, value.name, 0))
    for k, node in enumerate(graph.node):
        key = f"node{k}"
        sources = [made[i] for i in node.input if i in made]
        depth[key] = 1 + max((depth[s] for s in sources), default=0)
        weights = sum(sizes.get(i, 0) for i in node.input)
        nodes.append((key, node.op_type + (f"\n{weights:,} w" if weights else ""), depth[key]))
        edges.extend((source, key, "") for source in dict.fromkeys(sources))
        for output in node.output:
            made[output] = key
    return nodes, edges


def plot_onnx_graph(model):
    """A drawing of an exported ONNX graph: inputs as circles, nodes as boxes (with the
    count of weights each reads), arrows along the data flow, the inputs on top."""
    nodes, edges = onnx_graph_layers(model)
    return _draw_layers(nodes, edges, leaves={key for key, label, _ in nodes if key == label})


def _draw_layers(nodes: list, edges: list, leaves=None):
    """Boxes for ``nodes`` (key, label, depth) placed in rows by depth (row 0 on top), and
    arrows for ``edges`` (source, target, text); ``leaves`` (keys) drawn as circles."""
    plt = _pyplot()
    levels: dict = {}
    for key, label, d in nodes:
        levels.setdefault(d, []).append(key)
    where = {key: (i - (len(keys) - 1) / 2, -d) for d, keys in levels.items()
             for i, key in enumerate(keys)}
    fig, ax = plt.subplots(figsize=(max(4, 1.8 * max(len(k) for k in levels.values())),
                                    1.1 * len(levels) + 1))
    for source, target, text in edges:
        (x0, y0), (x1, y1) = where[source], where[target]
        down = 1 if y1 < y0 else -1
        ax.annotate("", (x1, y1 + 0.18 * down), (x0, y0 - 0.18 * down),
                    arrowprops=dict(arrowstyle="->", color="grey"))
        ax.text((x0 + x1) / 2, (y0 + y1) / 2, str(text), fontsize=7, color="tab:blue")
    for key, label, _ in nodes:
        leaf = key in leaves if leaves is not None else label in ("leaf", "constant")
        ax.text(*where[key], label, ha="center", va="center", fontsize=8,
                bbox=dict(boxstyle="circle" if leaf and "\n" not in label else "round",
                          fc="lightgrey" if leaf else "lightyellow"))
    xs, ys = [x for x, _ in where.values()], [y for _, y in where.values()]
    ax.set_xlim(min(xs) - 1, max(xs) + 1)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.axis("off")
    fig.tight_layout()
    return fig


def plot_samples(panels: dict, centers: np.ndarray | None = None):
    """GAN samples, one panel per {title: samples}: 2-D points as a scatter (with the true
    mode ``centers`` marked, when given), 64-pixel images as an 8×8 grid."""
    plt = _pyplot()
    samples = next(iter(panels.values()))
    if samples.shape[1] == 2:
        fig, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 4), squeeze=False)
        for ax, (title, points) in zip(axes[0], panels.items()):
            ax.scatter(points[:, 0], points[:, 1], s=2, alpha=0.4)
            if centers is not None:
                ax.scatter(centers[:, 0], centers[:, 1], marker="x", color="red", s=40,
                           label="true mode centres")
                ax.legend(fontsize=7, loc="upper right")
            ax.set_title(title, fontsize=9)
            ax.set_xlim(-3, 3)
            ax.set_ylim(-3, 3)
            ax.set_aspect("equal")
        fig.tight_layout()
        return fig
    side = int(round(np.sqrt(samples.shape[1])))
    fig, axes = plt.subplots(len(panels), 1, figsize=(8, 4.4 * len(panels)), squeeze=False)
    for ax, (title, images) in zip(axes[:, 0], panels.items()):
        grid = images[:64].reshape(8, 8, side, side).transpose(0, 2, 1, 3).reshape(8 * side, -1)
        ax.imshow(grid, cmap="gray_r")
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    return fig
