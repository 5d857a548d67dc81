"""Attention: scaled_dot_product_attention, MultiheadAttention and TransformerEncoderLayer
outputs and all gradients equal PyTorch's with copied weights (float64), with and without
masks, batch_first both ways; gradcheck; masked rows never produce nan."""
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
from minigrad import nn
from reference import assert_gradcheck, assert_matches_torch, torch_or_skip

torch = torch_or_skip()
rng = np.random.default_rng(0)
Q, K, V = (rng.standard_normal((2, 3, 5, 4)) for _ in range(3))
ALLOWED = rng.random((5, 5)) > 0.3
np.fill_diagonal(ALLOWED, True)  # every query keeps at least one key


@pytest.mark.parametrize("mask", ["none", "bool", "float", "causal"])
def test_sdpa_matches_torch(mask):
    options = {"none": {}, "bool": {"attn_mask": ALLOWED},
               "float": {"attn_mask": rng.standard_normal((5, 5))},
               "causal": {"is_causal": True}}[mask]
    ours = {k: (mg.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in options.items()}
    theirs = {k: (torch.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in options.items()}
    assert_matches_torch(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **ours),
                         lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(
                             q, k, v, **theirs), Q, K, V)
    assert_gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **ours),
                     Q[:1, :2], K[:1, :2], V[:1, :2])


def test_fully_masked_rows_are_zero_not_nan():
    allowed = np.ones((5, 5), bool)
    allowed[2] = False
    q, k, v = (mg.tensor(a, requires_grad=True) for a in (Q, K, V))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mg.tensor(allowed))
        out.sum().backward()
    assert np.all(out.array[:, :, 2] == 0) and np.all(np.isfinite(q.grad.array))
    assert np.all(np.isfinite(k.grad.array)) and np.all(np.isfinite(v.grad.array))


def copy_weights(ours, theirs):
    ours.double(), theirs.double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def compare_module(ours, theirs, inputs, call_ours, call_theirs, atol=1e-9):
    xs_m = [mg.tensor(a, requires_grad=True) for a in inputs]
    xs_t = [torch.tensor(a, requires_grad=True) for a in inputs]
    out_m, out_t = call_ours(ours, *xs_m), call_theirs(theirs, *xs_t)
    np.testing.assert_allclose(out_m.array, out_t.detach().numpy(), atol=atol)
    w = rng.standard_normal(out_m.shape)
    (out_m * w).sum().backward()
    (out_t * torch.tensor(w)).sum().backward()
    for a, b in zip(xs_m, xs_t):
        np.testing.assert_allclose(a.grad.array, b.grad.numpy(), atol=atol)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.array, theirs_params[name].grad.numpy(), atol=atol,
                                   err_msg=name)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("masks", ["none", "padding", "attn_bool", "attn_float"])
def test_multihead_attention_matches_torch(batch_first, masks):
    ours = nn.MultiheadAttention(8, 2, batch_first=batch_first)
    theirs = torch.nn.MultiheadAttention(8, 2, batch_first=batch_first)
    copy_weights(ours, theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    shape = (3, 5, 8) if batch_first else (5, 3, 8)
    q, kv = rng.standard_normal(shape), rng.standard_normal(shape)
    padding = np.zeros((3, 5), bool)
    padding[:, -1] = True
    mask_np = {"none": None, "padding": None, "attn_bool": ~ALLOWED,
               "attn_float": rng.standard_normal((5, 5))}[masks]
    kpm = padding if masks == "padding" else None

    def call(lib):
        def run(module, query, key_value):
            wrap = torch.tensor if lib is torch else mg.tensor
            out, weights = module(query, key_value, key_value,
                                  key_padding_mask=None if kpm is None else wrap(kpm),
                                  attn_mask=None if mask_np is None else wrap(mask_np))
            return out
        return run
    compare_module(ours, theirs, [q, kv], call(mg), call(torch))
    _, w_ours = ours(mg.tensor(q), mg.tensor(kv), mg.tensor(kv))
    _, w_theirs = theirs(torch.tensor(q), torch.tensor(kv), torch.tensor(kv))
    np.testing.assert_allclose(w_ours.array, w_theirs.detach().numpy(), atol=1e-10)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_encoder_layer_matches_torch(norm_first, batch_first):
    ours = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0,
                                      batch_first=batch_first, norm_first=norm_first)
    theirs = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0,
                                              batch_first=batch_first, norm_first=norm_first)
    copy_weights(ours, theirs)
    padding = np.zeros((3, 5), bool)
    padding[0, -2:] = True
    x = rng.standard_normal((3, 5, 8) if batch_first else (5, 3, 8))
    compare_module(ours, theirs, [x],
                   lambda m, t: m(t, src_key_padding_mask=mg.tensor(padding)),
                   lambda m, t: m(t, src_key_padding_mask=torch.tensor(padding)))


def test_transformer_encoder_stacks_independent_copies():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True)
    encoder = nn.TransformerEncoder(layer, num_layers=2, norm=nn.LayerNorm(8))
    theirs = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True),
        num_layers=2, norm=torch.nn.LayerNorm(8), enable_nested_tensor=False)
    copy_weights(encoder, theirs)
    assert encoder.layers[0].linear1.weight is not encoder.layers[1].linear1.weight
    compare_module(encoder, theirs, [rng.standard_normal((2, 4, 8))],
                   lambda m, t: m(t), lambda m, t: m(t))


def test_positional_encodings():
    pe = nn.SinusoidalPositionalEncoding(6, max_len=10)
    out = pe(mg.zeros(1, 4, 6))
    assert np.allclose(out.array[0, 0], [0, 1, 0, 1, 0, 1])
    assert np.allclose(out.array[0, 3, 0], np.sin(3))
    learned = nn.LearnedPositionalEncoding(10, 6)
    y = learned(mg.zeros(2, 3, 6))
    y.sum().backward()
    assert learned.weight.grad.array[:3].tolist() == [[2.0] * 6] * 3
    assert np.all(learned.weight.grad.array[3:] == 0)


def test_transformer_reverses_sequences_that_an_lstm_cannot():
    from minigrad.experiments.transformer_demos import reverse_task
    race = reverse_task(steps=120)
    assert race["transformer"]["accuracy"] > 0.9 and race["lstm"]["accuracy"] < 0.5


def test_masked_token_pretraining_learns_and_fine_tuning_runs(review_fortunes):
    from minigrad.experiments.transformer_demos import FewLabelTask, pretrain_finetune
    task = FewLabelTask(review_fortunes, length=20, words=60)
    assert task.corpus.shape == (1500 - 300, 20)   # every quotation but the test ones
    assert task.tokens.max() < task.mask == task.vocabulary - 1
    study = pretrain_finetune((10, None), seeds=(0, 1), pretrain_steps=60, finetune_steps=20,
                              task=task)
    assert study["label_counts"] == [10, 1200]
    for losses in study["pretrain_losses"]:
        assert np.mean(losses[-10:]) < np.mean(losses[:10])
    for start in ("pretrained", "scratch"):
        assert all(len(study[start][count]) == 2 for count in study["label_counts"])
        assert all(0 <= a <= 1 for count in study["label_counts"] for a in study[start][count])


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("case, message", [
    (dict(key=(5, 2, 8), value=(6, 2, 8)), r"key \(.*\) and value \(.*\) must have the same "
                                           r"shape"),
    (dict(key=(5, 3, 8), value=(5, 3, 8)), r"query \(.*\) and key \(.*\) must have the same "
                                           r"batch"),
    (dict(key=(5, 2, 6), value=(5, 2, 6)), r"query, key and value must be 3-D with 8 features"),
    (dict(key_padding_mask=(2, 1)), r"key_padding_mask must have shape \(batch, source length\) "
                                    r"= \(2, 5\); got \(2, 1\)"),
    (dict(attn_mask=(1, 5)), r"attn_mask must have shape \(4, 5\) or \(4, 4, 5\); got \(1, 5\)"),
])
def test_multihead_attention_refuses_shapes_it_would_broadcast(batch_first, case, message):
    def shaped(shape):  # shapes are given sequence-first; swap for batch_first
        return mg.randn(*((shape[1], shape[0]) + shape[2:] if batch_first else shape))
    mha = nn.MultiheadAttention(8, 2, batch_first=batch_first)
    query = shaped((4, 2, 8))
    key, value = shaped(case.get("key", (5, 2, 8))), shaped(case.get("value", (5, 2, 8)))
    masks = {k: mg.tensor(np.zeros(case[k], bool)) for k in ("key_padding_mask", "attn_mask")
             if k in case}
    with pytest.raises(RuntimeError, match=r"MultiheadAttention\(embed_dim=8, num_heads=2\): "
                                           + message):
        mha(query, key, value, **masks)


@pytest.mark.parametrize("layer", [lambda: nn.SinusoidalPositionalEncoding(8, max_len=4),
                                   lambda: nn.LearnedPositionalEncoding(4, 8)])
def test_positional_encodings_refuse_positions_past_max_len(layer):
    encoding = layer()
    assert encoding(mg.randn(2, 4, 8)).shape == (2, 4, 8)
    with pytest.raises(RuntimeError, match=r"PositionalEncoding\(max_len=4, d_model=8\): "
                                           r"expected input \(B, T, 8\) with T <= 4; got "
                                           r"\(2, 6, 8\)"):
        encoding(mg.randn(2, 6, 8))
