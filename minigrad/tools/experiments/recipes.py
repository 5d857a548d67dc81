"""The seed programs (SPEC §2) as runnable minigrad twins.

Each ``Recipe`` records where the seed lists the program, what the seed claims, and the recipe
(model, loss, optimizer, epochs, batch size, validation split).  ``run_recipe`` trains it on a
data set and returns test metrics next to the claim.

The seeds' Keras models end in ``Dense(10, activation='softmax')`` with a cross-entropy loss on
the probabilities.  The twins output logits and use the fused ``nn.CrossEntropyLoss`` instead:
the same function (softmax then cross-entropy), computed stably from logits (SPEC F8).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ... import functional as F
from .. import interrupt
from ...backend import manual_seed
from ...creation import randn, tensor, zeros
from ...data import (bag_of_words, digits, fashion_mnist, fortune_sequences, house_prices,
                     mnist, to_categorical)
from ...data.mnist_sets import DatasetNotFound, FASHION_CLASSES
from ..metrics import accuracy, confusion_matrix, f1_score, precision, recall
from ...nn import (LSTM, BCEWithLogitsLoss, Conv2d, CrossEntropyLoss, Embedding, Flatten,
                   KerasLSTM, Linear, MaxPool2d, Module, MSELoss, ReLU, Sequential)
from ...optim import SGD, Adam
from ..train import evaluate, fit, predict


def mlp(in_features: int, hidden: tuple, classes: int) -> Sequential:
    """Linear-ReLU layers of the given widths, then a Linear to the class logits; fused
    (``Sequential.fuse``: each Linear-ReLU one node where the kernels run)."""
    layers, width = [], in_features
    for size in hidden:
        layers += [Linear(width, size), ReLU()]
        width = size
    return Sequential(*layers, Linear(width, classes)).fuse()


class SimpleCNN(Module):
    """Seed 001's SimpleCNN (P4): Conv2d(1, 32, 3, 1) - ReLU - MaxPool2d(2) - Linear - ReLU -
    Linear(128, 10).  The seed sizes fc1 for a 7×7 map (``flat_features=32*7*7``), but a 3×3
    convolution and 2×2 pooling turn 28×28 into 13×13: the fixed twin uses 32*13*13."""

    def __init__(self, flat_features: int = 32 * 13 * 13):
        super().__init__()
        self.conv1 = Conv2d(1, 32, 3, 1)
        self.relu = ReLU()
        self.maxpool = MaxPool2d(2)
        self.fc1 = Linear(flat_features, 128)
        self.fc2 = Linear(128, 10)

    def forward(self, x):
        x = self.maxpool(self.relu(self.conv1(x)))
        x = x.view(x.size(0), -1)
        x = self.relu(self.fc1(x))
        return self.fc2(x)


def p5_cnn() -> Sequential:
    """Seed 003's Keras CNN (P5): Conv(32, 3×3)-Pool-Conv(64, 3×3)-Pool-Conv(64, 3×3)-Flatten-
    Dense(64)-Dense(10), ReLU after each conv and the first Dense; 28→26→13→11→5→3.  Fused
    (``Sequential.fuse``): each ReLU-MaxPool pair pooled first, the Dense-ReLU one node."""
    return Sequential(Conv2d(1, 32, 3), ReLU(), MaxPool2d(2), Conv2d(32, 64, 3), ReLU(),
                      MaxPool2d(2), Conv2d(64, 64, 3), ReLU(), Flatten(), Linear(64 * 3 * 3, 64),
                      ReLU(), Linear(64, 10)).fuse()


class SentimentLSTM(Module):
    """Seed 004's P8: Embedding(V+1, 64) - LSTM(128, dropout 0.2, recurrent_dropout 0.2) -
    Dense(1).  It outputs a logit; the seed's sigmoid lives in BCEWithLogitsLoss (stable).
    With ``outputs`` = C > 1 it is the multi-class variant: C logits for cross-entropy."""

    def __init__(self, vocabulary: int, embed: int = 64, units: int = 128,
                 dropout: float = 0.2, recurrent_dropout: float = 0.2, outputs: int = 1):
        super().__init__()
        self.embedding = Embedding(vocabulary + 1, embed, padding_idx=0)
        self.lstm = KerasLSTM(embed, units, dropout, recurrent_dropout)
        self.dense = Linear(units, outputs)

    def forward(self, tokens):
        return self.dense(self.lstm(self.embedding(tokens)))


CNN_MODELS = {"p4": SimpleCNN, "p4-printed": lambda: SimpleCNN(32 * 7 * 7), "p5": p5_cnn}


@dataclass
class Recipe:
    key: str
    short: str                # a few words for tables
    title: str
    source: str               # where the seed documents list it (file:lines)
    claim: str                # what the seed says it achieves
    kind: str = "classifier"  # 'classifier' | 'regression' | 'tape'
    hidden: tuple = ()
    one_hot: bool = False     # categorical (one-hot) targets instead of class indices
    epochs: int = 5
    batch_size: int = 32
    validation_split: float = 0.0
    lr: float = 1e-3
    notes: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def unit(self) -> str:
        """What ``epochs`` counts for this recipe: passes over the data, or optimizer steps
        (the GAN and attention experiments draw a fresh batch each step)."""
        return "steps" if self.kind in ("gan", "attention") else "epochs"

    @property
    def options(self) -> tuple:
        """The command-line options this recipe can take (others are refused, not ignored)."""
        return {"classifier": ("dataset", "epochs", "batch_size", "lr", "device", "distributed"),
                "cnn": ("dataset", "epochs", "batch_size", "lr", "device", "distributed"),
                "rows": ("dataset", "epochs", "batch_size", "lr", "device", "distributed"),
                "text": ("epochs", "batch_size", "lr", "device", "distributed"),
                "regression": ("epochs", "batch_size", "lr", "device", "distributed"),
                "tape": ("epochs", "lr"),
                "gan": ("steps", "batch_size", "lr"),
                "attention": ("steps",)}[self.kind]


RECIPES = {r.key: r for r in [
    Recipe("p1", "MLP 784-128-10", "MLP 784-128-10, ReLU, softmax, Adam, sparse categorical cross-entropy",
           "000:98-159", "none stated", hidden=(128,), epochs=5, batch_size=32),
    Recipe("p2", "MLP 784-128-64-10", "MLP 784-128-64-10, Adam, categorical cross-entropy, batch 128, 5 epochs, "
           "validation_split 0.2", "000:332-395", "test accuracy 0.9801 on MNIST (000:436-446)",
           hidden=(128, 64), one_hot=True, epochs=5, batch_size=128, validation_split=0.2),
    Recipe("p3a", "MLP 784-256-128-10", "MLP 784-256-128-10, Adam, batch 128, 10 epochs", "003:143-180",
           "none stated", hidden=(256, 128), epochs=10, batch_size=128),
    Recipe("p3b", "MLP 784-128-64-10", "MLP 784-128-64-10, Adam, batch 128, 10 epochs", "003:251-282",
           "none stated", hidden=(128, 64), epochs=10, batch_size=128),
    Recipe("p4", "SimpleCNN, fixed", "SimpleCNN Conv2d(1,32,3)-ReLU-MaxPool(2)-Linear(32·13·13,128)-ReLU-"
           "Linear(128,10), CE, Adam 1e-3, batch 64, 10 epochs, Normalize(0.5, 0.5)",
           "001:206-289", "none stated; as printed it cannot run (Linear(32·7·7) after a 13×13 "
           "map)", kind="cnn", epochs=10, batch_size=64, extra={"normalize": True}),
    Recipe("p4-printed", "SimpleCNN as printed", "P4 exactly as printed: Linear(32·7·7, 128) after the 13×13 map",
           "001:206-289", "fails: fc1 expects 1568 features, gets 5408", kind="cnn",
           epochs=10, batch_size=64, extra={"normalize": True}),
    Recipe("p5", "CNN 32-64-64", "CNN Conv32-Pool-Conv64-Pool-Conv64-Dense64-Dense10, Adam, batch 128, "
           "10 epochs", "003:321-366", "none stated", kind="cnn", epochs=10, batch_size=128),
    Recipe("p8", "Embedding-LSTM text classifier", "text classifier: Tokenizer, pad_sequences(maxlen=100), Embedding(V+1, 64), "
           "LSTM(128, dropout 0.2, recurrent_dropout 0.2), Dense(1, sigmoid), BCE, Adam, "
           "batch 32, 10 epochs, validation_split 0.2", "004:383-437", "90% test accuracy",
           kind="text", epochs=10, batch_size=32, validation_split=0.2,
           notes="data: real quotations, 'computers' vs 'men-women' (Debian's fortunes)",
           extra={"categories": ("computers", "men-women")}),
    Recipe("p8-topics", "Embedding-LSTM, 5 topics", "P8's model with Dense(5, softmax) and "
           "cross-entropy: which of 5 fortune categories a quotation comes from",
           "004:383-437 (P8, multi-class variant)", "none stated (P8 claims 90% on 2 classes)",
           kind="text", epochs=10, batch_size=32, validation_split=0.2,
           notes="data: real quotations from 5 fortune categories",
           extra={"categories": ("computers", "men-women", "politics", "science",
                                 "songs-poems")}),
    Recipe("lstm-rows", "LSTM over image rows", "LSTM(28, 128) reading a 28×28 image row by row, then Linear(128, 10); "
           "Adam, batch 128, 3 epochs", "004:177-181 (the LSTM it uses, F16)",
           "none (a sequence view of the P2 data; compare with the MLP)",
           kind="rows", epochs=3, batch_size=128),
    Recipe("gan-2d", "GAN, 8 Gaussians", "GAN: MLP generator and discriminator on a 2-D mixture of 8 Gaussians, "
           "non-saturating generator loss (F17), Adam(1e-3, betas 0.5/0.999), batch 256",
           "004:199-200, 004:297-298", "none stated", kind="gan", epochs=3000, batch_size=256,
           extra={"data": "gaussians", "wgan_lr": 1e-3}),
    Recipe("gan-digits", "GAN, 8×8 digits", "GAN on scikit-learn's 8×8 digits: MLP generator (tanh output) and "
           "discriminator, non-saturating loss, batch 64", "004:199-200, 004:297-298",
           "none stated", kind="gan", epochs=4000, batch_size=64, extra={"data": "digits"}),
    Recipe("reverse", "Transformer vs bidirectional LSTM, reverse 32 tokens", "Transformer encoder (2 layers, "
           "d 64, 4 heads, learned positions) vs bidirectional LSTM(64→2×128), reversing 32-token "
           "sequences, "
           "Adam 3e-3, batch 64", "001:76-82 (self-attention, Transformer)", "none stated",
           kind="attention", epochs=300),
    Recipe("pretrain", "Transformer pre-train, then fine-tune", "masked-token pre-training of a "
           "small Transformer encoder on all the fortune quotations (no labels), then fine-tuning "
           "on 25 to all of P8's labels, vs the same fine-tuning from a random start",
           "001:84-100 (pre-training and fine-tuning)", "none stated", kind="attention",
           epochs=150, extra={"pretrain_steps": 1500, "label_counts": (25, 100, 400, None),
                              "data": "fortunes"}),
    Recipe("p6", "linear regression", "linear regression y = w·x + b, Dense(1), SGD, MSE, 1000 epochs, 100 samples",
           "002:147-231", "test MSE 0.0126", kind="regression", epochs=1000, batch_size=32,
           lr=0.01, notes="data: generated house prices y = 2.5x + 1 + N(0, 0.1²)"),
    Recipe("p7", "3-2-1 MLP, explicit tape", "3-2-1 MLP, ReLU, MSE, Adam lr 1e-3, explicit gradient tape", "004:303-358",
           "none stated (its loss_fn is a tensor later called as a function: a bug)",
           kind="tape", epochs=3000, lr=1e-3,
           notes="data: generated y = x1 - 2 x2 + 0.5 x3 + noise"),
]}


# ----------------------------------------------------------------------------- data


def classification_data(dataset: str):
    """(x_train, y_train, x_test, y_test, image_shape, class_names) with flattened float32
    images scaled to [0, 1] (the seeds' ``x / 255.0``)."""
    if dataset in ("fashion-mnist", "mnist"):
        load = fashion_mnist if dataset == "fashion-mnist" else mnist
        (x_train, y_train), (x_test, y_test) = load(train=True), load(train=False)
        names = FASHION_CLASSES if dataset == "fashion-mnist" else tuple(map(str, range(10)))
        scale, shape = 255.0, (28, 28)
    elif dataset == "digits":
        images, labels = digits()
        order = np.random.default_rng(0).permutation(len(images))
        cut = int(0.8 * len(images))
        x_train, y_train = images[order[:cut]], labels[order[:cut]]
        x_test, y_test = images[order[cut:]], labels[order[cut:]]
        names, scale, shape = tuple(map(str, range(10))), 16.0, (8, 8)
    else:
        raise ValueError(f"unknown dataset {dataset!r}: fashion-mnist, mnist or digits")
    flat = lambda a: (a.reshape(len(a), -1) / np.float32(scale)).astype(np.float32)  # noqa
    return flat(x_train), y_train, flat(x_test), y_test, shape, names


def best_dataset() -> str:
    """Fashion-MNIST when its files are found (no download attempted), else digits."""
    try:
        fashion_mnist(train=False, download=False)
        return "fashion-mnist"
    except DatasetNotFound:
        return "digits"


# ----------------------------------------------------------------------------- running


def image_data(dataset: str, normalize_half: bool):
    """The classification data as (N, 1, H, W) images; ``normalize_half`` applies
    torchvision's ``Normalize((0.5,), (0.5,))`` after ``ToTensor()``: [0, 1] → [-1, 1]."""
    x_train, y_train, x_test, y_test, shape, names = classification_data(dataset)
    images = lambda a: a.reshape(len(a), 1, *shape)  # noqa: E731
    x_train, x_test = images(x_train), images(x_test)
    if normalize_half:
        x_train, x_test = (x_train - 0.5) / 0.5, (x_test - 0.5) / 0.5
    return x_train, y_train, x_test, y_test, shape, names


def build_classifier(recipe: Recipe, in_features: int, classes: int) -> Module:
    return CNN_MODELS[recipe.key]() if recipe.kind == "cnn" else \
        mlp(in_features, recipe.hidden, classes)


def run_classifier(recipe: Recipe, dataset: str, epochs=None, batch_size=None, lr=None,
                   seed: int = 0, verbose: int = 1, callbacks=None, device="cpu",
                   distributed: bool = False) -> dict:
    if recipe.kind == "cnn":
        if dataset not in ("fashion-mnist", "mnist"):
            raise ValueError(f"{recipe.key}: the CNN twins need 28×28 images (fashion-mnist or "
                             f"mnist), not {dataset}")
        data = image_data(dataset, recipe.extra.get("normalize", False))
    else:
        data = classification_data(dataset)
    x_train, y_train, x_test, y_test, shape, names = data
    manual_seed(seed)
    model = build_classifier(recipe, x_train[0].size, len(names))
    targets = to_categorical(y_train, len(names)) if recipe.one_hot else y_train
    history = fit(model, x_train, targets, loss=CrossEntropyLoss(),
                  optimizer=Adam(model.parameters(), lr=lr or recipe.lr),
                  epochs=epochs or recipe.epochs, batch_size=batch_size or recipe.batch_size,
                  validation_split=recipe.validation_split, verbose=verbose, seed=seed,
                  callbacks=callbacks, device=device, distributed=distributed)
    logits = predict(model, x_test)
    predicted = logits.argmax(axis=1)
    test = evaluate(model, x_test, y_test, loss=CrossEntropyLoss())
    spec = model_spec(recipe.key, (1, 28, 28), classes=names) if recipe.kind == "cnn" else \
        model_spec("mlp", (x_train[0].size,), classes=names, in_features=x_train[0].size,
                   hidden=list(recipe.hidden), classes_count=len(names))
    return {"state": model.state_dict(), "model": model, "model_spec": spec,
            "history": history, "logits": logits, "predicted": predicted,
            "x_test": x_test, "y_test": y_test, "image_shape": shape, "class_names": names,
            "metrics": {"test_accuracy": accuracy(y_test, predicted), "test_loss": test["loss"],
                        "macro_precision": precision(y_test, predicted, "macro"),
                        "macro_recall": recall(y_test, predicted, "macro"),
                        "macro_f1": f1_score(y_test, predicted, "macro")},
            "confusion": confusion_matrix(y_test, predicted, len(names))}


def run_regression(recipe: Recipe, epochs=None, batch_size=None, lr=None, seed: int = 0,
                   verbose: int = 1, device="cpu", distributed: bool = False, **_) -> dict:
    """P6: Dense(1) on 100 generated house prices, tested on 20 more."""
    x, y = house_prices(120, seed=seed)
    manual_seed(seed)
    model = Linear(1, 1)
    history = fit(model, x[:100], y[:100], loss=MSELoss(),
                  optimizer=SGD(model.parameters(), lr=lr or recipe.lr),
                  epochs=epochs or recipe.epochs, batch_size=batch_size or recipe.batch_size,
                  metrics=(), verbose=0, seed=seed, device=device, distributed=distributed)
    test = evaluate(model, x[100:], y[100:], loss=MSELoss(), metrics=())
    if verbose:
        print(f"final training MSE {history.history['loss'][-1]:.4f}")
    return {"state": model.state_dict(), "model": model, "history": history, "x": x, "y": y,
            "model_spec": model_spec("linear", (1,), in_features=1, out_features=1),
            "metrics": {"test_mse": test["loss"], "weight": model.weight.item(),
                        "bias": model.bias.item()}}


def tape_data(seed: int = 0):
    """P7's data (the seed gives none): 256 samples of y = x₁ - 2x₂ + 0.5x₃ + N(0, 0.1²)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((256, 3)).astype(np.float32)
    y = (x @ np.array([1.0, -2.0, 0.5], np.float32))[:, None] + \
        0.1 * rng.standard_normal((256, 1)).astype(np.float32)
    return x, y


def run_tape(recipe: Recipe, epochs=None, lr=None, seed: int = 0, verbose: int = 1, **_) -> dict:
    """P7 as the seed writes it: raw weights, a forward function, the loss, backward (the
    "tape"), and Adam applying the gradients; the loss printed every 100 epochs."""
    x, y = (tensor(a) for a in tape_data(seed))
    manual_seed(seed)
    W1, b1 = randn(3, 2, requires_grad=True), zeros(2, requires_grad=True)
    W2, b2 = randn(2, 1, requires_grad=True), zeros(1, requires_grad=True)

    def model(inputs):
        return F.relu(inputs @ W1 + b1) @ W2 + b2

    def loss_fn(predictions, targets):
        return ((predictions - targets) ** 2).mean()

    optimizer = Adam([W1, b1, W2, b2], lr=lr or recipe.lr)
    losses = []
    with interrupt.graceful():
        for epoch in range(epochs or recipe.epochs):
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if verbose and epoch % 100 == 0:
                print(f"Epoch {epoch}: Loss = {losses[-1]:.4f}")
            if interrupt.requested():  # Ctrl-C: stop after this whole step
                break
    return {"state": {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, "losses": losses,
            "metrics": {"final_mse": losses[-1], "first_mse": losses[0]}}


def text_head(classes: int):
    """P8's output for ``classes`` categories: (outputs, loss, targets(labels),
    decide(logits)).  Two classes: one logit with binary cross-entropy, as the seed's
    Dense(1, sigmoid); more: one logit per class with cross-entropy."""
    if classes == 2:
        return (1, BCEWithLogitsLoss(), lambda labels: labels.astype(np.float32)[:, None],
                lambda logits: (logits[:, 0] > 0).astype(np.int64))
    return classes, CrossEntropyLoss(), lambda labels: labels, lambda logits: logits.argmax(1)


def run_text(recipe: Recipe, epochs=None, batch_size=None, lr=None, seed: int = 0,
             verbose: int = 1, maxlen: int = 100, device="cpu", distributed: bool = False,
             **_) -> dict:
    """P8 on real text: which fortune category (``recipe.extra['categories']``) a quotation
    comes from, 80% of the quotations to train and 20% to test (the split is the same for
    every seed), next to a bag-of-words linear classifier trained the same way
    (``text_head``: binary for two categories, softmax over more)."""
    sequences, labels, tokenizer, names = fortune_sequences(recipe.extra["categories"], maxlen)
    cut, vocabulary = int(0.8 * len(labels)), len(tokenizer.word_index)
    outputs, loss, targets, decide = text_head(len(names))
    results = {}
    for name, build, x in interrupt.phases((
            ("lstm", lambda: SentimentLSTM(vocabulary, outputs=outputs), sequences),
            ("bag_of_words", lambda: Linear(vocabulary, outputs),
             bag_of_words(sequences, vocabulary))), first_always=True):
        manual_seed(seed)  # before building: the seed sets the initial weights too
        model = build()
        history = fit(model, x[:cut], targets(labels[:cut]), loss=loss,
                      optimizer=Adam(model.parameters(), lr=lr or recipe.lr),
                      epochs=epochs or recipe.epochs, batch_size=batch_size or recipe.batch_size,
                      validation_split=recipe.validation_split, verbose=verbose, seed=seed,
                      device=device, distributed=distributed)
        results[name] = {"model": model, "history": history,
                         "accuracy": accuracy(labels[cut:], decide(predict(model, x[cut:])))}
    lstm = results["lstm"]
    metrics = {"test_accuracy": lstm["accuracy"]}
    if "bag_of_words" in results:  # not after a Ctrl-C during the LSTM
        metrics["bag_of_words_test_accuracy"] = results["bag_of_words"]["accuracy"]
    metrics["majority_class_test_accuracy"] = float(np.bincount(labels[cut:]).max() /
                                                    (len(labels) - cut))
    return {"state": lstm["model"].state_dict(), "model": lstm["model"],
            "model_spec": model_spec("sentiment_lstm", (maxlen,), "int64", classes=names,
                                     vocabulary=vocabulary, outputs=outputs),
            "history": lstm["history"], "tokenizer": tokenizer, "metrics": metrics}


class RowLSTM(Module):
    """Reads an image as a sequence of its rows: LSTM over H steps of W pixels, then a linear
    classifier on the last hidden state."""

    def __init__(self, width: int = 28, hidden: int = 128, classes: int = 10):
        super().__init__()
        self.lstm = LSTM(width, hidden, batch_first=True)
        self.head = Linear(hidden, classes)

    def forward(self, images):
        _, (h_n, _) = self.lstm(images)
        return self.head(h_n[-1])


def run_rows(recipe: Recipe, dataset: str, epochs=None, batch_size=None, lr=None,
             seed: int = 0, verbose: int = 1, device="cpu", distributed: bool = False,
             **_) -> dict:
    x_train, y_train, x_test, y_test, shape, names = classification_data(dataset)
    rows = lambda a: a.reshape(len(a), *shape)  # noqa: E731  (N, H, W): H steps of W pixels
    manual_seed(seed)
    model = RowLSTM(shape[1], 128, len(names))
    history = fit(model, rows(x_train), y_train, loss=CrossEntropyLoss(),
                  optimizer=Adam(model.parameters(), lr=lr or recipe.lr),
                  epochs=epochs or recipe.epochs, batch_size=batch_size or recipe.batch_size,
                  verbose=verbose, seed=seed, device=device, distributed=distributed)
    predicted = predict(model, rows(x_test)).argmax(axis=1)
    return {"state": model.state_dict(), "model": model, "history": history,
            "model_spec": model_spec("row_lstm", tuple(shape), classes=names, width=shape[1],
                                     hidden=128, classes_count=len(names)),
            "metrics": {"test_accuracy": accuracy(y_test, predicted)}}


def run_gan(recipe: Recipe, epochs=None, batch_size=None, lr=None, seed: int = 0,
            verbose: int = 1, **_) -> dict:
    """Train a GAN on the recipe's data with each objective: F17's two generator losses
    (non-saturating, the result, and minimax) and, on the 8 Gaussians, WGAN-GP (a third of the
    generator steps, each after 5 critic steps; learning rate ``recipe.extra['wgan_lr']``)."""
    from .gan import (distance_to_modes, mixture_of_gaussians, mlp_discriminator, mlp_generator,
                      mode_coverage, sample, train_gan)
    gaussians = recipe.extra["data"] == "gaussians"
    if gaussians:
        data, latent, squash = mixture_of_gaussians(20000, seed=seed), 2, False
    else:
        images, _ = digits()
        data, latent, squash = (images.reshape(len(images), -1) / 8.0 - 1).astype(np.float32), 16, True
    steps = epochs or recipe.epochs
    runs = {}
    for loss in interrupt.phases(("non_saturating", "minimax") +
                                 (("wgan_gp",) if gaussians else ()), first_always=True):
        manual_seed(seed)
        generator = mlp_generator(latent, data.shape[1], squash=squash)
        discriminator = mlp_discriminator(data.shape[1])
        wgan = loss == "wgan_gp"
        losses = train_gan(data, generator, discriminator, latent,
                           steps=max(1, steps // 3) if wgan else steps,
                           batch_size=batch_size or recipe.batch_size,
                           lr=recipe.extra["wgan_lr"] if wgan else lr or recipe.lr,
                           loss=loss, seed=seed)
        runs[loss] = {"generator": generator, "losses": losses,
                      "samples": sample(generator, latent, 5000)}
    main = runs["non_saturating"]
    metrics = {"final_d_loss": float(np.mean(main["losses"]["d_loss"][-100:])),
               "final_g_loss": float(np.mean(main["losses"]["g_loss"][-100:]))}
    if gaussians:
        for name, run in runs.items():
            covered, near = mode_coverage(run["samples"])
            metrics[f"{name}_modes_covered"], metrics[f"{name}_share_near_a_mode"] = covered, near
            metrics[f"{name}_mean_distance_to_mode"] = float(distance_to_modes(run["samples"])
                                                             .mean())
    if verbose:
        print("  " + ", ".join(f"{k} {v:.3f}" for k, v in metrics.items()))
    return {"state": main["generator"].state_dict(), "losses": main["losses"],
            "model_spec": model_spec("gan_generator", (latent,), latent=latent,
                                     out=data.shape[1], squash=squash),
            "samples": {name: run["samples"] for name, run in runs.items()},
            "variant_losses": {name: run["losses"] for name, run in runs.items()},
            "metrics": metrics}


def run_attention(recipe: Recipe, epochs=None, seed: int = 0, verbose: int = 1, **_) -> dict:
    """The self-attention experiments of ``minigrad.experiments.transformer_demos``."""
    from .transformer_demos import SentimentClassifier, pretrain_finetune, reverse_task
    if recipe.key == "reverse":
        runs = reverse_task(epochs or recipe.epochs, seed)
        metrics = {f"{kind}_token_accuracy": run["accuracy"] for kind, run in runs.items()}
        losses = {name: r["losses"] for name, r in runs.items()}
        model = runs["transformer"]["model"]
        spec = model_spec("token_tagger", (32,), "int64", vocabulary=10, length=32)
    else:
        counts = recipe.extra["label_counts"]
        study = pretrain_finetune(counts, (seed,), recipe.extra["pretrain_steps"],
                                  epochs or recipe.epochs)
        metrics = {f"{start}_{'all' if given is None else given}_labels": study[start][count][0]
                   for start in ("pretrained", "scratch")
                   for given, count in zip(counts, study["label_counts"])
                   if study[start][count]}  # (after a Ctrl-C, the runs that were made)
        losses = {"pretrain": study["pretrain_losses"][0]}
        model, task = SentimentClassifier(study["model"]), study["task"]
        spec = model_spec("sentiment_classifier", (task.length,), "int64", classes=task.names,
                          vocabulary=task.vocabulary, length=task.length)
    if verbose:
        print("  " + ", ".join(f"{k} {v:.3f}" for k, v in metrics.items()))
    return {"state": model.state_dict(), "model": model, "model_spec": spec, "losses": losses,
            "metrics": metrics}


RUNNERS = {  # kind -> (the function that trains it, what it trains on: None = a data set)
    "classifier": (lambda r, d, **o: run_classifier(r, d, **o), None),
    "cnn": (lambda r, d, **o: run_classifier(r, d, **o), None),
    "rows": (lambda r, d, **o: run_rows(r, d, **o), None),
    "gan": (lambda r, d, **o: run_gan(r, **o), "generated"),
    "attention": (lambda r, d, **o: run_attention(r, **o), "generated"),
    "text": (lambda r, d, **o: run_text(r, **o), "fortune quotations"),
    "regression": (lambda r, d, **o: run_regression(r, **o), "house prices (generated)"),
    "tape": (lambda r, d, **o: run_tape(r, **o), "generated 3-feature regression"),
}
"""Each recipe kind's runner: a Recipe is data (its settings, ``options``, ``unit``) plus the
runner of its kind."""


def model_spec(builder: str, input_shape: tuple, input_dtype: str = "float32",
               classes=None, **arguments) -> dict:
    """How to rebuild a trained model from its run folder (``model.json``): the entry of
    ``MODEL_BUILDERS`` and its arguments, one sample's input shape and dtype (the batch axis
    comes first), and the class names when the model is a classifier."""
    return {"builder": builder, "arguments": arguments, "input_shape": list(input_shape),
            "input_dtype": input_dtype,
            "classes": [str(c) for c in classes] if classes is not None else None}


def _builders() -> dict:
    from .gan import mlp_generator
    from .transformer_demos import SentimentClassifier, SentimentEncoder, TokenTagger
    return {
        "mlp": lambda in_features, hidden, classes_count: mlp(in_features, tuple(hidden),
                                                              classes_count),
        **{key: (lambda build: lambda: build())(build) for key, build in CNN_MODELS.items()},
        "row_lstm": lambda width, hidden, classes_count: RowLSTM(width, hidden, classes_count),
        "sentiment_lstm": lambda vocabulary, outputs=1: SentimentLSTM(vocabulary,
                                                                     outputs=outputs),
        "linear": Linear,
        "gan_generator": lambda latent, out, squash: mlp_generator(latent, out, squash=squash),
        "token_tagger": lambda vocabulary, length: TokenTagger(vocabulary, length),
        "sentiment_classifier": lambda vocabulary, length: SentimentClassifier(
            SentimentEncoder(vocabulary, length)),
    }


def build_model(spec: dict) -> Module:
    """A fresh (untrained) model as ``model_spec`` describes it."""
    builders = _builders()
    if spec["builder"] not in builders:
        raise ValueError(f"unknown model builder {spec['builder']!r}: expected one of "
                         f"{sorted(builders)}")
    return builders[spec["builder"]](**spec["arguments"])


def run_recipe(key: str, dataset: str | None = None, **options) -> dict:
    """Train recipe ``key`` (see ``RECIPES``) with the options it takes (``Recipe.options``);
    returns its results."""
    if key not in RECIPES:
        raise ValueError(f"unknown recipe {key!r}: expected one of {sorted(RECIPES)}")
    recipe = RECIPES[key]
    run, data = RUNNERS[recipe.kind]
    if data is None:
        dataset = dataset or best_dataset()
    result = run(recipe, dataset, **options)
    result["dataset"] = dataset if data is None else \
        {"gaussians": "8 Gaussians (generated)", "digits": "8×8 digits",
         "fortunes": "fortune quotations"}.get(
            recipe.extra.get("data"), data)
    result["recipe"] = recipe
    return result
