"""Graph lifetime and in-place rules, as in PyTorch: backward frees saved values unless
retain_graph=True, version counters catch in-place changes of saved tensors, and grad mode is
per thread."""
import gc
import threading
import tracemalloc

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
from minigrad import nn, optim


# ----------------------------------------------------------------------------- retain_graph
def test_second_backward_through_freed_values_is_an_error_that_names_the_fix():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_keeps_it_and_gradients_accumulate():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [6.0, 12.0]


def test_nodes_that_save_nothing_can_run_again_like_torch():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    s = (x + 1).sum()
    s.backward()
    s.backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_a_shared_subgraph_freed_by_one_backward_is_an_error_for_the_other():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x.tanh()
    (h * 2).sum().backward()
    with pytest.raises(RuntimeError, match="TanhBackward: trying to backward through the graph "
                                           "a second time"):
        (h * 3).sum().backward()


def _mlp_step_memory(retain_graph: bool, steps: int = 12) -> float:
    """Bytes held per step when each step's loss is kept in a list (for a plot)."""
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10))
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.standard_normal((128, 784)).astype(np.float32))
    y = mg.tensor(rng.integers(0, 10, 128))
    losses, sizes = [], []
    tracemalloc.start()
    try:
        for _ in range(steps):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward(retain_graph=retain_graph)
            optimizer.step()
            losses.append(loss)
            gc.collect()
            sizes.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    return (sizes[-1] - sizes[2]) / (steps - 3)


def test_kept_losses_do_not_keep_their_steps_activations():
    """The measurement behind 'a graph keeps only what backward needs, and after backward not
    even that': P2's MLP, batch 128, every loss kept."""
    freed = _mlp_step_memory(retain_graph=False)
    kept = _mlp_step_memory(retain_graph=True)
    print(f"bytes held per kept step: {freed:.0f} after backward(), {kept:.0f} with "
          f"retain_graph=True")
    assert freed < 16_000          # the graph's skeleton only (PyTorch: about 7 KB)
    assert kept > 100_000          # the activations and softmax the nodes saved


def test_retain_grad_makes_no_reference_cycle():
    """An intermediate that asked for its gradient is freed, with its array, as soon as the
    last name for it goes: its node holds it weakly (a strong reference was a cycle that
    lived until the garbage collector ran).  While it lives, backward still fills .grad."""
    import weakref
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    gc.disable()
    try:
        hidden = x * 2
        hidden.retain_grad()
        loss = (hidden * hidden).sum()
        alive = weakref.ref(hidden)
        loss.backward(retain_graph=True)
        assert hidden.grad.tolist() == [4.0, 8.0, 12.0]
        del hidden
        assert alive() is None                  # freed at once, the graph still held by loss
        loss.backward()                          # and backward goes on without it
        assert x.grad.tolist() == [16.0, 32.0, 48.0]
    finally:
        gc.enable()


# ----------------------------------------------------------------------------- versions
def test_inplace_change_of_a_saved_leaf_is_caught():
    w = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (w * w).sum()
    with mg.no_grad():
        w.add_(1)
    assert w._version == 1
    with pytest.raises(RuntimeError, match=r"modified by an in-place operation: its input 0 "
                                           r"\(a tensor of shape \(3,\), saved by MulBackward\) "
                                           r"was changed after the forward pass"):
        y.backward()


def test_inplace_change_of_a_saved_constant_input_is_caught():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    x = mg.tensor([3.0, 4.0])
    y = (w * x).sum()
    x.mul_(5)
    with pytest.raises(RuntimeError, match=r"a value it saved \(a tensor of shape \(2,\), saved by MulBackward"):
        y.backward()


def test_inplace_change_of_a_saved_output_is_caught():
    x = mg.tensor([0.5, 1.0], requires_grad=True)
    z = x.exp()
    with mg.no_grad():
        z.mul_(2)
    with pytest.raises(RuntimeError, match="its output .*saved by ExpBackward"):
        z.sum().backward()


def test_inplace_change_through_detach_is_caught_and_unsaved_inputs_are_fine():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    w.detach().add_(1)   # detach shares the data and the version counter
    with pytest.raises(RuntimeError, match="in-place"):
        y.backward()
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    b = mg.tensor([1.0, 1.0])
    s = (a + b).sum()     # Add saves nothing: changing b cannot spoil its gradient
    b.add_(1)
    s.backward()
    assert a.grad.tolist() == [1.0, 1.0]


def test_an_optimizer_step_between_forward_and_backward_is_caught():
    """The GAN mistake: stepping one network's weights, then backpropagating a loss whose
    graph saved them."""
    model = nn.Linear(2, 1)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    loss = model(mg.ones(3, 2)).pow(2).sum()
    loss.backward(retain_graph=True)
    optimizer.step()
    with pytest.raises(RuntimeError, match="LinearBackward"):
        loss.backward()


# ----------------------------------------------------------------------------- threads
def test_grad_mode_is_per_thread():
    """One thread evaluates under no_grad while another records a training step."""
    entered, recorded = threading.Event(), threading.Event()
    seen = {}

    def evaluator():
        with mg.no_grad():
            entered.set()
            recorded.wait(5)
            seen["evaluator"] = mg.is_grad_enabled()

    def trainer():
        entered.wait(5)
        w = mg.ones(2, requires_grad=True)
        loss = (w * 3).sum()
        seen["trainer"] = loss.requires_grad
        loss.backward()
        seen["grad"] = w.grad.tolist()
        recorded.set()
    threads = [threading.Thread(target=evaluator), threading.Thread(target=trainer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"evaluator": False, "trainer": True, "grad": [3.0, 3.0]}
    assert mg.is_grad_enabled()


def test_set_grad_enabled_and_inference_mode():
    x = mg.ones(2, requires_grad=True)
    with mg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad
    with mg.inference_mode():
        assert not (x * 2).requires_grad
    mg.set_grad_enabled(False)
    try:
        assert not mg.is_grad_enabled()
    finally:
        mg.set_grad_enabled(True)
