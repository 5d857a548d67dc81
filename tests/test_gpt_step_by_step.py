"""A small decoder-only GPT — written once, run by both libraries — trains step for step as
PyTorch's from the same weights: the pieces nanoGPT and minGPT combine (a ModuleDict of
embeddings and blocks, a causal mask as a non-persistent buffer, weight tying, GELU, AdamW
with decayed and undecayed groups, cross-entropy with ignore_index, top-k sampling)."""
import math

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

VOCAB, BLOCK, EMBD, HEADS = 11, 8, 16, 2


def make_gpt(lib):
    nn, F = lib.nn, lib.nn.functional

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.ln_2 = nn.LayerNorm(EMBD), nn.LayerNorm(EMBD)
            self.c_attn, self.c_proj = nn.Linear(EMBD, 3 * EMBD), nn.Linear(EMBD, EMBD)
            self.c_fc, self.c_out = nn.Linear(EMBD, 4 * EMBD), nn.Linear(4 * EMBD, EMBD)
            self.register_buffer("bias", lib.tril(lib.ones(BLOCK, BLOCK)).view(
                1, 1, BLOCK, BLOCK), persistent=False)

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(self.ln_1(x)).split(EMBD, dim=2)
            q, k, v = (t.view(B, T, HEADS, C // HEADS).transpose(1, 2) for t in (q, k, v))
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = F.softmax(att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf")), dim=-1)
            y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
            x = x + self.c_proj(y)
            return x + self.c_out(F.gelu(self.c_fc(self.ln_2(x))))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(VOCAB, EMBD), wpe=nn.Embedding(BLOCK, EMBD),
                h=nn.ModuleList([Block() for _ in range(2)]), ln_f=nn.LayerNorm(EMBD)))
            self.lm_head = nn.Linear(EMBD, VOCAB, bias=False)
            self.transformer.wte.weight = self.lm_head.weight  # weight tying

        def forward(self, idx, targets=None):
            pos = lib.arange(0, idx.size(1), dtype=lib.long)
            x = self.transformer.wte(idx) + self.transformer.wpe(pos)
            for block in self.transformer.h:
                x = block(x)
            logits = self.lm_head(self.transformer.ln_f(x))
            if targets is None:
                return logits, None
            return logits, F.cross_entropy(logits.view(-1, VOCAB), targets.view(-1),
                                           ignore_index=-1)

        def optimizer(self, lr):
            params = [p for p in self.parameters() if p.requires_grad]
            groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.1},
                      {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
            return lib.optim.AdamW(groups, lr=lr, betas=(0.9, 0.95))

    return GPT()


def test_a_small_gpt_trains_step_for_step_as_torchs():
    torch.manual_seed(0)
    theirs = make_gpt(torch).double()
    ours = make_gpt(mg).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert ours.lm_head.weight is ours.transformer.wte.weight
    assert "transformer.h.0.bias" not in ours.state_dict()
    rng = np.random.default_rng(1)
    batches = []
    for _ in range(3):
        x = rng.integers(0, VOCAB, (4, BLOCK))
        y = np.roll(x, -1, axis=1)
        y[:, -1] = -1  # the last position has no target: ignored
        batches.append((x, y))
    batches = batches * 3  # three passes over three batches: the loss must fall
    losses = []
    for lib, model in ((torch, theirs), (mg, ours)):
        optimizer, seen = model.optimizer(3e-3), []
        for x, y in batches:
            _, loss = model(lib.tensor(x), lib.tensor(y))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            seen.append(loss.item())
        losses.append(seen)
    assert np.allclose(losses[0], losses[1], rtol=1e-9, atol=1e-12), losses
    assert all(late < early for late, early in zip(losses[1][-3:], losses[1][:3]))
    for name, value in theirs.state_dict().items():
        assert np.allclose(ours.state_dict()[name].numpy(), value.detach().numpy(),
                           rtol=1e-8, atol=1e-10), name


def test_sampling_with_temperature_and_top_k():
    mg.manual_seed(0)
    model = make_gpt(mg)
    idx = mg.zeros((2, 1), dtype=mg.long)
    with mg.no_grad():
        for _ in range(BLOCK - 1):
            logits, _ = model(idx)
            logits = logits[:, -1, :] / 0.8
            v, _ = mg.topk(logits, 3)
            logits[logits < v[:, [-1]]] = -float("inf")  # keep the 3 likeliest
            probs = mg.nn.functional.softmax(logits, dim=-1)
            allowed = [set(np.flatnonzero(row > 0)) for row in probs.numpy()]
            idx_next = mg.multinomial(probs, num_samples=1)
            assert all(int(t) in keep for t, keep in zip(idx_next.numpy()[:, 0], allowed))
            assert all(len(keep) == 3 for keep in allowed)
            idx = mg.cat((idx, idx_next), dim=1)
    assert idx.shape == (2, BLOCK) and idx.dtype == mg.int64
