"""RNN and LSTM: outputs and every gradient equal PyTorch's with the same weights over 20
steps (float64), multi-layer and batch_first included, with the fused cell kernels and
without; gradcheck through a 3-step LSTM cell and through Keras' recurrent dropout."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from reference import assert_gradcheck, torch_or_skip

torch = torch_or_skip()


def copy_from_torch(ours, theirs):
    ours.double(), theirs.double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def compare(ours, theirs, inputs, torch_inputs, pick):
    """Same outputs (chosen by ``pick``) and gradients of inputs and all parameters."""
    out_m, out_t = pick(ours(*inputs)), pick(theirs(*torch_inputs))
    rng = np.random.default_rng(1)
    total_m, total_t = 0, 0
    for a, b in zip(out_m, out_t):
        np.testing.assert_allclose(a.array, b.detach().numpy(), atol=1e-10)
        w = rng.standard_normal(a.shape)
        total_m, total_t = total_m + (a * w).sum(), total_t + (b * torch.tensor(w)).sum()
    total_m.backward(), total_t.backward()
    for a, b in zip(inputs, torch_inputs):
        if isinstance(a, mg.Tensor) and a.requires_grad:
            np.testing.assert_allclose(a.grad.array, b.grad.numpy(), atol=1e-10)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.array, theirs_params[name].grad.numpy(), atol=1e-9,
                                   err_msg=name)


@pytest.fixture(params=["on", "off"])
def kernels_mode(request):
    """Each LSTM test twice: with the fused cell kernels and with the array formulas."""
    mg.set_kernels(request.param)
    yield request.param
    mg.set_kernels("auto")


def tensors(shape, seed):
    a = np.random.default_rng(seed).standard_normal(shape)
    return mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


@pytest.mark.parametrize("num_layers, batch_first, with_state", [(1, False, False), (2, True, True),
                                                                  (3, False, True)])
def test_lstm_matches_torch_over_20_steps(num_layers, batch_first, with_state,
                                          kernels_mode):
    ours = nn.LSTM(3, 4, num_layers=num_layers, batch_first=batch_first)
    theirs = torch.nn.LSTM(3, 4, num_layers=num_layers, batch_first=batch_first)
    copy_from_torch(ours, theirs)
    xm, xt = tensors((2, 20, 3) if batch_first else (20, 2, 3), 0)
    inputs, torch_inputs = [xm], [xt]
    if with_state:
        (hm, ht), (cm, ct) = tensors((num_layers, 2, 4), 2), tensors((num_layers, 2, 4), 3)
        inputs.append((hm, cm))
        torch_inputs.append((ht, ct))
    compare(ours, theirs, inputs, torch_inputs, lambda r: [r[0], r[1][0], r[1][1]])
    if with_state:
        np.testing.assert_allclose(hm.grad.array, ht.grad.numpy(), atol=1e-10)
        np.testing.assert_allclose(cm.grad.array, ct.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("num_layers, batch_first", [(1, False), (2, True)])
def test_rnn_matches_torch_over_20_steps(nonlinearity, num_layers, batch_first):
    ours = nn.RNN(3, 5, num_layers=num_layers, nonlinearity=nonlinearity, batch_first=batch_first)
    theirs = torch.nn.RNN(3, 5, num_layers=num_layers, nonlinearity=nonlinearity,
                          batch_first=batch_first)
    copy_from_torch(ours, theirs)
    xm, xt = tensors((2, 20, 3) if batch_first else (20, 2, 3), 0)
    hm, ht = tensors((num_layers, 2, 5), 1)
    compare(ours, theirs, [xm, hm], [xt, ht], lambda r: [r[0], r[1]])
    np.testing.assert_allclose(hm.grad.array, ht.grad.numpy(), atol=1e-10)


def test_cells_match_torch():
    for ours, theirs, state in [(nn.LSTMCell(3, 4), torch.nn.LSTMCell(3, 4), "pair"),
                                (nn.RNNCell(3, 4), torch.nn.RNNCell(3, 4), "single")]:
        copy_from_torch(ours, theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        xm, xt = tensors((2, 3), 0)
        (hm, ht), (cm, ct) = tensors((2, 4), 1), tensors((2, 4), 2)
        if state == "pair":
            compare(ours, theirs, [xm, (hm, cm)], [xt, (ht, ct)], lambda r: list(r))
        else:
            compare(ours, theirs, [xm, hm], [xt, ht], lambda r: [r])


def test_lstm_dropout_between_layers_only_in_training():
    mg.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = mg.randn(5, 2, 3)
    lstm.eval()
    a, b = lstm(x)[0], lstm(x)[0]
    np.testing.assert_array_equal(a.array, b.array)
    lstm.train()
    assert not np.array_equal(lstm(x)[0].array, lstm(x)[0].array)


def test_gradcheck_through_a_3_step_lstm_cell():
    cell = nn.LSTMCell(2, 3).double()
    rng = np.random.default_rng(0)
    params = [p.array.copy() for p in cell.parameters()]

    def three_steps(x, w_ih, w_hh, b_ih, b_hh):
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
                               (w_ih, w_hh, b_ih, b_hh)):
            cell._parameters[name] = value
        h = c = None
        for t in range(3):
            h, c = cell(x[t], None if h is None else (h, c))
        return h * c
    assert_gradcheck(three_steps, rng.standard_normal((3, 2, 2)), *params)


def test_wrong_input_is_a_clear_error():
    with pytest.raises(ValueError, match=r"LSTM\(input_size=3\): expected input of shape "
                                         r"\(T, B, features\) with 3 features, got \(5, 2, 4\)"):
        nn.LSTM(3, 4)(mg.ones(5, 2, 4))


def test_keras_lstm_uses_one_mask_per_sequence_and_gradchecks(kernels_mode):
    mg.manual_seed(0)
    layer = nn.KerasLSTM(3, 4, dropout=0.5, recurrent_dropout=0.5).double()
    x = np.random.default_rng(0).standard_normal((2, 5, 3))

    def with_fixed_masks(t):
        mg.manual_seed(1)  # the same masks at every call of the gradient check
        return layer(t)
    assert_gradcheck(with_fixed_masks, x)
    from minigrad.nn.recurrent import sequence_mask
    mask = sequence_mask(1000, 50, 0.2, mg.zeros(1))
    assert set(np.unique(mask).round(6)) == {0.0, 1.25} and abs((mask == 0).mean() - 0.2) < 0.02
    layer.eval()
    np.testing.assert_array_equal(layer(mg.tensor(x)).array, layer(mg.tensor(x)).array)


@pytest.mark.parametrize("make, state, message", [
    (lambda: nn.LSTM(3, 4), (mg.zeros(1, 1, 4), mg.zeros(1, 1, 4)),
     r"LSTM: h0 must have shape \(num_layers, batch, hidden_size\) = \(1, 2, 4\); got "
     r"\(1, 1, 4\)"),
    (lambda: nn.LSTM(3, 4), (mg.zeros(1, 2, 4), mg.zeros(2, 2, 4)),
     r"LSTM: c0 must have shape .* = \(1, 2, 4\); got \(2, 2, 4\)"),
    (lambda: nn.RNN(3, 4, num_layers=2), mg.zeros(1, 2, 4), r"RNN: h0 must have shape"),
    (lambda: nn.RNN(3, 4), mg.zeros(1, 2, 1), r"got \(1, 2, 1\)"),
])
def test_initial_states_of_the_wrong_shape_are_refused(make, state, message):
    with pytest.raises(RuntimeError, match=message):
        make()(mg.randn(5, 2, 3), state)


def test_cells_and_empty_sequences_are_checked():
    with pytest.raises(RuntimeError, match=r"LSTM: expected a sequence of at least one step"):
        nn.LSTM(3, 4)(mg.randn(0, 2, 3))
    with pytest.raises(RuntimeError, match=r"LSTMCell: h_0 must have shape \(batch, "
                                           r"hidden_size\) = \(2, 4\)"):
        nn.LSTMCell(3, 4)(mg.randn(2, 3), (mg.zeros(1, 4), mg.zeros(2, 4)))
    with pytest.raises(RuntimeError, match=r"RNNCell: hx must have shape"):
        nn.RNNCell(3, 4)(mg.randn(2, 3), mg.zeros(2, 5))


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_bidirectional_layers_match_pytorch(kind):
    torch = pytest.importorskip("torch")
    ours = getattr(nn, kind)(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    theirs = getattr(torch.nn, kind)(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict({k: torch.tensor(np.asarray(v.numpy()))
                            for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)
    output, state = ours(mg.tensor(x))
    expected, expected_state = theirs(torch.tensor(x))
    h_n = state[0] if isinstance(state, tuple) else state
    t_h_n = expected_state[0] if isinstance(expected_state, tuple) else expected_state
    assert output.shape == (2, 5, 8) and h_n.shape == (4, 2, 4)
    np.testing.assert_allclose(output.numpy(), expected.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(h_n.numpy(), t_h_n.detach().numpy(), atol=1e-5)
    (output.sum() + h_n.sum()).backward()
    (expected.sum() + t_h_n.sum()).backward()
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), atol=1e-4, err_msg=name)
