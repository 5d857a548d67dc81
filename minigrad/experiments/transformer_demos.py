"""Two experiments for self-attention (seed 001:76-100 names it, with pre-training and
fine-tuning, as the core of large models).

1. ``reverse_task``: output a sequence of 32 tokens in reverse order.  Position i needs the
   token at position L-1-i, which a left-to-right LSTM has not read yet when it must answer,
   while attention can look anywhere.
2. ``pretrain_finetune``: pre-train a small encoder by masked-token prediction on the generated
   reviews (no labels), then fine-tune it on their sentiment labels, against the same encoder
   trained from scratch with the same fine-tuning budget.
"""
from __future__ import annotations

import numpy as np

from .. import functional as F, interrupt
from ..autograd import no_grad
from ..backend import manual_seed
from ..creation import tensor
from ..tensor import Tensor
from ..data import sentiment_sequences
from ..nn import (LSTM, Embedding, LearnedPositionalEncoding, Linear, Module, TransformerEncoder,
                 TransformerEncoderLayer)
from ..optim import Adam


class TokenEncoder(Module):
    """Embedding + learned positions + a stack of Transformer encoder layers (batch first)."""

    def __init__(self, vocabulary: int, length: int, d_model: int = 64, heads: int = 4,
                 layers: int = 2):
        super().__init__()
        self.embedding = Embedding(vocabulary, d_model)
        self.positions = LearnedPositionalEncoding(length, d_model)
        layer = TransformerEncoderLayer(d_model, heads, dim_feedforward=4 * d_model,
                                        dropout=0.0, batch_first=True)
        self.encoder = TransformerEncoder(layer, layers)

    def forward(self, tokens, padding=None):
        return self.encoder(self.positions(self.embedding(tokens)),
                            src_key_padding_mask=padding)


class TokenTagger(Module):
    """An encoder (Transformer, or a bidirectional LSTM) with a per-position classifier."""

    def __init__(self, vocabulary: int, length: int, kind: str = "transformer"):
        super().__init__()
        self.kind = kind
        if kind == "transformer":
            self.body = TokenEncoder(vocabulary, length)
            width = 64
        else:  # bidirectional: it reads the whole sequence too, so the race is about attention
            self.embedding = Embedding(vocabulary, 64)
            self.body = LSTM(64, 128, batch_first=True, bidirectional=True)
            width = 256
        self.head = Linear(width, vocabulary)

    def forward(self, tokens):
        if self.kind == "transformer":
            return self.head(self.body(tokens))
        return self.head(self.body(self.embedding(tokens))[0])


def reverse_batch(rng, batch: int, length: int, vocabulary: int):
    tokens = rng.integers(0, vocabulary, (batch, length))
    return tokens, tokens[:, ::-1].copy()


def train_tagger(model, steps: int, length: int = 32, vocabulary: int = 10, batch: int = 64,
                 lr: float = 3e-3, seed: int = 0) -> dict:
    """Train on fresh random sequences each step; returns per-step loss and the final
    per-token accuracy on 1,000 new sequences."""
    rng = np.random.default_rng(seed)

    def batch_loss():
        tokens, target = reverse_batch(rng, batch, length, vocabulary)
        logits = model(tensor(tokens))
        return F.cross_entropy(logits.reshape(-1, vocabulary), target.reshape(-1))
    losses = optimize(Adam(model.parameters(), lr=lr), steps, batch_loss)
    tokens, target = reverse_batch(rng, 1000, length, vocabulary)
    model.eval()
    with no_grad():
        predicted = model(tensor(tokens)).array.argmax(-1)
    model.train()
    return {"losses": losses, "accuracy": float((predicted == target).mean())}


def reverse_task(steps: int = 300, seed: int = 0) -> dict:
    """Transformer vs bidirectional LSTM on reversing 32-token sequences (10 symbols): token accuracy."""
    results = {}
    for kind in ("transformer", "lstm"):
        manual_seed(seed)
        model = TokenTagger(10, 32, kind)
        results[kind] = dict(train_tagger(model, steps, seed=seed), model=model)
    return results


# ----------------------------------------------------------------------------- pre-training

MASK = 1  # token id used for masked positions (0 is padding; the Tokenizer starts at 1)


class SentimentEncoder(Module):
    """TokenEncoder with two heads: masked-token prediction and sentiment classification
    (from the mean of the non-padding positions)."""

    def __init__(self, vocabulary: int, length: int):
        super().__init__()
        self.body = TokenEncoder(vocabulary, length)
        self.token_head = Linear(64, vocabulary)
        self.sentiment_head = Linear(64, 1)

    def forward(self, tokens):
        return self.body(tokens, padding=tokens == 0)

    def classify(self, tokens):
        """The sentiment logit (B, 1) of integer tokens (B, T): the sentiment head on the
        mean of the encoder's outputs over the non-padding positions (token 0 pads)."""
        tokens = tokens if isinstance(tokens, Tensor) else tensor(tokens)
        keep = (tokens != 0).to(self.sentiment_head.weight.dtype)[..., None]
        hidden = self(tokens)
        pooled = (hidden * keep).sum(dim=1) / keep.sum(dim=1)
        return self.sentiment_head(pooled)


class SentimentClassifier(Module):
    """A SentimentEncoder's classification path as a model of its own (``forward`` is
    ``classify``): what is exported and deployed after fine-tuning."""

    def __init__(self, encoder: SentimentEncoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, tokens):
        return self.encoder.classify(tokens)


def pretrain_finetune(pretrain_steps: int = 600, finetune_steps: int = 150, seed: int = 0,
                      samples: int = 6000, length: int = 24) -> dict:
    """Masked-token pre-training on the reviews' text, then sentiment fine-tuning; against
    the same model fine-tuned from a random start.  Returns losses and test accuracies."""
    sequences, labels, tokenizer = sentiment_sequences(samples, maxlen=length, seed=seed)
    sequences = sequences + 1                  # shift ids so that 1 can be the mask token
    sequences[sequences == 1] = 0              # (padding stays 0)
    vocabulary = len(tokenizer.word_index) + 2
    cut = int(0.8 * samples)
    rng = np.random.default_rng(seed)
    results = {}
    for start in ("pretrained", "scratch"):
        manual_seed(seed)
        model = SentimentEncoder(vocabulary, length)
        pre_losses = []
        if start == "pretrained":
            pre_losses = _masked_token_training(model, sequences[:cut], vocabulary,
                                                pretrain_steps, rng)
        tune_losses, accuracy = _fine_tune(model, sequences, labels, cut, finetune_steps, rng)
        results[start] = {"pretrain_losses": pre_losses, "finetune_losses": tune_losses,
                          "test_accuracy": accuracy, "model": model}
    return results


def optimize(optimizer, steps: int, batch_loss) -> list:
    """``steps`` optimizer steps on ``batch_loss()`` (a fresh batch each call); returns the
    losses.  Ctrl-C stops after the current step (``minigrad.interrupt``)."""
    losses = []
    with interrupt.graceful():
        for _ in range(steps):
            loss = batch_loss()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if interrupt.requested():
                break
    return losses


def _masked_token_training(model, sequences, vocabulary, steps, rng, batch: int = 64) -> list:
    def batch_loss():
        tokens = sequences[rng.integers(0, len(sequences), batch)]
        chosen = (rng.random(tokens.shape) < 0.15) & (tokens != 0)
        chosen[np.arange(batch), (tokens != 0).argmax(1)] = True   # at least one per row
        corrupted = np.where(chosen, MASK, tokens)
        logits = model.token_head(model(tensor(corrupted)))
        return F.cross_entropy(logits[tensor(chosen)], tokens[chosen])
    return optimize(Adam(model.parameters(), lr=1e-3), steps, batch_loss)


def _fine_tune(model, sequences, labels, cut, steps, rng, batch: int = 32):
    targets = labels.astype(np.float32)[:, None]

    def batch_loss():
        index = rng.integers(0, cut, batch)
        return F.binary_cross_entropy_with_logits(model.classify(sequences[index]),
                                                  targets[index])
    losses = optimize(Adam(model.parameters(), lr=5e-4), steps, batch_loss)
    model.eval()
    with no_grad():
        logits = model.classify(sequences[cut:]).array[:, 0]
    model.train()
    return losses, float(((logits > 0) == labels[cut:]).mean())
