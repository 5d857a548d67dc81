"""Two experiments for self-attention (seed 001:76-100 names it, with pre-training and
fine-tuning, as the core of large models).

1. ``reverse_task``: output a sequence of 32 tokens in reverse order.  Position i needs the
   token at position L-1-i, which a left-to-right LSTM has not read yet when it must answer,
   while attention can look anywhere.
2. ``pretrain_finetune``: pre-train a small encoder by masked-token prediction on real text
   (every fortune quotation, no labels), then fine-tune it on a few labelled quotations of
   P8's two-category task, against the same encoder trained from a random start with the same
   fine-tuning budget, for several numbers of labels.
"""
from __future__ import annotations

import copy

import numpy as np

from ... import functional as F
from .. import interrupt
from ...autograd import no_grad
from ...backend import manual_seed
from ...creation import tensor
from ...tensor import Tensor
from ...nn import (LSTM, Embedding, LearnedPositionalEncoding, Linear, Module, TransformerEncoder,
                   TransformerEncoderLayer)
from ...optim import Adam


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
    for kind in interrupt.phases(("transformer", "lstm"), first_always=True):
        manual_seed(seed)
        model = TokenTagger(10, 32, kind)
        results[kind] = dict(train_tagger(model, steps, seed=seed), model=model)
    return results


# ----------------------------------------------------------------------------- pre-training

PRETRAIN_TASK = ("computers", "men-women")  # P8's two fortune categories
PRETRAIN_WORDS = 8000  # vocabulary: the most frequent words of the pre-training text


class FewLabelTask:
    """Pre-training text and a labelled task built from the fortune quotations.

    The labelled task is P8's: which of two categories a quotation comes from, 80% of its
    quotations to draw labels from and 20% to test on.  The pre-training text is *every*
    fortune quotation (about 15,000, all categories) except the test ones, read without labels.
    Words are numbered by a Tokenizer fitted on the pre-training text and limited to its
    ``words`` most frequent: id 0 pads, 1 is an unknown word, and the extra id ``mask`` stands
    for a hidden word."""

    def __init__(self, categories=PRETRAIN_TASK, length: int = 40,
                 words: int = PRETRAIN_WORDS):
        from ...data import Tokenizer, fortunes, pad_sequences
        texts, labels, self.names = fortunes(categories)
        order = np.random.default_rng(0).permutation(len(texts))
        texts, self.labels = [texts[i] for i in order], labels[order]
        self.cut = int(0.8 * len(texts))
        held_out = set(texts[self.cut:])
        corpus = [text for text in fortunes()[0] if text not in held_out]
        tokenizer = Tokenizer(num_words=words, oov_token="<unknown>")
        tokenizer.fit_on_texts(corpus)

        def encode(batch):
            return pad_sequences(tokenizer.texts_to_sequences(batch), maxlen=length,
                                 padding="post", truncating="post", dtype="int64")
        self.corpus, self.tokens = encode(corpus), encode(texts)
        self.mask, self.vocabulary, self.length = words, words + 1, length
        self.tokenizer = tokenizer

    def labelled(self, count, rng):
        """``count`` labelled training quotations drawn at random (all of them for None)."""
        index = np.arange(self.cut) if count is None else rng.choice(self.cut, count,
                                                                      replace=False)
        return self.tokens[index], self.labels[index]

    def test(self):
        return self.tokens[self.cut:], self.labels[self.cut:]


def pretrain_finetune(label_counts=(25, 100, 400, None), seeds=(0,),
                      pretrain_steps: int = 1500, finetune_steps: int = 150,
                      task: FewLabelTask | None = None) -> dict:
    """For each seed: pre-train one encoder by masked-token prediction on the unlabelled
    quotations; then, for each number of labels, fine-tune a copy of it, and a fresh encoder
    from a random start, with the same budget on the same labelled quotations.  Returns
    ``{"label_counts", "pretrained": {count: [test accuracy per seed]}, "scratch": {...},
    "pretrain_losses": [per seed], "finetune_losses": {start: {count: [per seed]}}, "model",
    "task"}``, where "model" is the last seed's pre-trained encoder fine-tuned on the most
    labels (after a Ctrl-C: the runs completed so far, the last pre-trained encoder as it
    stopped)."""
    task = task or FewLabelTask()
    counts = [task.cut if c is None else c for c in label_counts]
    study = {"label_counts": counts, "pretrain_losses": [], "task": task,
             "pretrained": {c: [] for c in counts}, "scratch": {c: [] for c in counts},
             "finetune_losses": {"pretrained": {c: [] for c in counts},
                                 "scratch": {c: [] for c in counts}}}
    for seed in interrupt.phases(seeds, first_always=True):
        manual_seed(seed)
        rng = np.random.default_rng(seed)
        pretrained = study["model"] = SentimentEncoder(task.vocabulary, task.length)
        study["pretrain_losses"].append(
            _masked_token_training(pretrained, task.corpus, task.mask, pretrain_steps, rng))
        for count in interrupt.phases(counts):
            tokens, labels = task.labelled(count, np.random.default_rng([seed, count]))
            for start in interrupt.phases(("pretrained", "scratch")):
                manual_seed(seed + 1)
                model = copy.deepcopy(pretrained) if start == "pretrained" else \
                    SentimentEncoder(task.vocabulary, task.length)
                losses = _fine_tune(model, tokens, labels, finetune_steps,
                                    np.random.default_rng(seed))
                study["finetune_losses"][start][count].append(losses)
                study[start][count].append(accuracy_on(model, *task.test()))
                if start == "pretrained":
                    study["model"] = model
    return study


class SentimentEncoder(Module):
    """TokenEncoder with two heads: masked-token prediction, and a two-class classifier
    (sentiment, or which of two topics) on the mean of the non-padding positions."""

    def __init__(self, vocabulary: int, length: int):
        super().__init__()
        self.body = TokenEncoder(vocabulary, length)
        self.token_head = Linear(64, vocabulary)
        self.sentiment_head = Linear(64, 1)

    def forward(self, tokens):
        return self.body(tokens, padding=tokens == 0)

    def classify(self, tokens):
        """The class logit (B, 1) of integer tokens (B, T): the classification head on the
        mean of the encoder's outputs over the non-padding positions (token 0 pads).  A
        quotation that is all padding pools to zeros (its count is taken as at least 1), not
        0/0: one such row would otherwise make the whole batch's gradient NaN."""
        tokens = tokens if isinstance(tokens, Tensor) else tensor(tokens)
        keep = (tokens != 0).to(self.sentiment_head.weight.dtype)[..., None]
        hidden = self(tokens)
        pooled = (hidden * keep).sum(dim=1) / keep.sum(dim=1).clamp(min=1)
        return self.sentiment_head(pooled)


class SentimentClassifier(Module):
    """A SentimentEncoder's classification path as a model of its own (``forward`` is
    ``classify``): what is exported and deployed after fine-tuning."""

    def __init__(self, encoder: SentimentEncoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, tokens):
        return self.encoder.classify(tokens)


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


def _masked_token_training(model, sequences, mask: int, steps, rng, batch: int = 64) -> list:
    """Hide 15% of the words (at least one per quotation) behind the id ``mask`` and train
    the encoder and its token head to predict them: cross-entropy at the hidden positions."""
    def batch_loss():
        tokens = sequences[rng.integers(0, len(sequences), batch)]
        chosen = (rng.random(tokens.shape) < 0.15) & (tokens != 0)
        chosen[np.arange(batch), (tokens != 0).argmax(1)] = True   # at least one per row
        corrupted = np.where(chosen, mask, tokens)
        hidden = model(tensor(corrupted))[tensor(chosen)]   # only the hidden positions
        return F.cross_entropy(model.token_head(hidden), tokens[chosen])
    return optimize(Adam(model.parameters(), lr=1e-3), steps, batch_loss)


def _fine_tune(model, tokens, labels, steps, rng, batch: int = 32) -> list:
    """``steps`` Adam steps of binary cross-entropy on mini-batches of the labelled
    quotations (all of them when there are fewer than ``batch``)."""
    targets = labels.astype(np.float32)[:, None]

    def batch_loss():
        index = rng.choice(len(tokens), min(batch, len(tokens)), replace=False)
        return F.binary_cross_entropy_with_logits(model.classify(tokens[index]),
                                                  targets[index])
    return optimize(Adam(model.parameters(), lr=5e-4), steps, batch_loss)


def accuracy_on(model, tokens, labels) -> float:
    """The share of quotations whose classification logit has the sign of their label (1 =
    the second category)."""
    model.eval()
    with no_grad():
        logits = model.classify(tokens).array[:, 0]
    model.train()
    return float(((logits > 0) == labels).mean())
