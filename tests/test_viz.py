"""Plots render (on the Agg backend) and show what they should."""
import matplotlib
import numpy as np

import minigrad as mg
import minigrad.functional as F
from minigrad import viz
from minigrad.train import History

matplotlib.use("Agg")


def test_graph_drawing_lists_ops_and_shapes():
    w = mg.randn(3, 2, requires_grad=True)
    loss = F.cross_entropy(F.relu(mg.randn(4, 3) @ w), [0, 1, 1, 0])
    nodes, edges = viz.graph_layers(loss)
    labels = sorted(label for _, label, _ in nodes)
    assert labels == ["CrossEntropy", "MatMul", "ReLU", "leaf"]
    assert (3, 2) in [shape for _, _, shape in edges]
    assert viz.plot_graph(loss).axes


def test_history_grid_confusion_and_derivative_plots():
    history = History()
    for epoch in range(3):
        history.append(epoch, {"loss": 1.0 / (epoch + 1), "accuracy": 0.5, "val_loss": 0.9,
                               "val_accuracy": 0.6})
    assert len(viz.plot_history(history).axes) == 2
    images = np.zeros((5, 8, 8))
    assert viz.plot_image_grid(images, [1, 2, 3, 4, 5], [1, 2, 0, 4, 5], rows=1, cols=5).axes
    assert viz.plot_confusion_matrix(np.eye(3, dtype=int) * 5).axes
    assert viz.plot_with_derivative({"tanh": F.tanh}).axes


def _neuron_graph():
    """Lesson 01's neuron, every intermediate keeping its gradient."""
    x = mg.tensor([1.0, 2.0, -1.0])
    w = mg.tensor([0.5, -0.3, 0.8], requires_grad=True)
    b = mg.tensor(0.1, requires_grad=True)
    s = (w * x).sum()
    z = s + b
    out = F.sigmoid(z)
    for t in (s, z, out):
        t.retain_grad()
    out.backward()
    return out, {"w": w, "b": b, "s": s, "z": z, "out": out}


def test_value_graph_labels_every_node_with_its_data_and_gradient():
    out, named = _neuron_graph()
    nodes, edges, leaves = viz.value_graph(out, named)
    labels = {label.split("\n")[0]: label for _, label, _ in nodes}
    assert labels["out"] == "out\nSigmoid\ndata 0.31\ngrad 1"
    assert labels["z"] == f"z\nAdd\ndata -0.8\ngrad {named['z'].grad.item():.4g}"
    assert labels["w"].startswith("w\ndata [ 0.5 -0.3  0.8] (3,)\ngrad [ 0.214  0.428 -0.214]")
    assert labels["Mul"] == "Mul"                       # not named: the op alone
    assert {label.split("\n")[0] for key, label, _ in nodes if key in leaves} == {"w", "b"}
    source = viz.dot_source(nodes, edges, leaves)
    assert source.startswith("digraph {") and source.count("->") == len(edges) == 5
    assert 'label="out\\nSigmoid\\ndata 0.31\\ngrad 1"' in source


def test_draw_dot_uses_graphviz_when_installed_else_matplotlib(monkeypatch):
    import shutil
    out, named = _neuron_graph()
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert viz.draw_dot(out, named).axes                # a matplotlib Figure
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/dot")
    drawing = viz.draw_dot(out, named)
    assert isinstance(drawing, viz.DotGraph) and "digraph" in drawing.source
