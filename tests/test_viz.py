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
