"""Keras-style training on top of Module and Optimizer: ``fit``, ``evaluate``, ``predict``.

    history = fit(model, x, y, loss="sparse_categorical_crossentropy", optimizer="adam",
                  epochs=5, batch_size=128, validation_split=0.2)

String names follow Keras: losses take *probabilities* (a softmax/sigmoid output) like Keras'
defaults; to train on logits — numerically better — pass a loss module such as
``nn.CrossEntropyLoss()``.  Optimizer names give Keras' defaults.  Each epoch shows a progress
bar (when ``verbose`` and the output is a terminal); Ctrl-C stops training cleanly after the
current batch, and ``fit`` returns the History so far (``history.interrupted`` is True).
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

import numpy as np

from .. import functional as F, host_memory
from . import interrupt
from ..autograd import no_grad
from ..backend import array_module_of, device_of, manual_seed, normalize_device, to_device
from ..nn import Module
from ..nn.loss import BCEWithLogitsLoss
from ..optim import SGD, Adam, Optimizer, RMSprop
from ..serialization import save
from ..tensor import Tensor

_EPS = 1e-7  # Keras' clipping of probabilities before the log


def _keras_categorical(p: Tensor, target) -> Tensor:
    """-Σ y log p per sample, mean; p clipped to [1e-7, 1 - 1e-7] (Keras)."""
    return -(target * p.clamp(_EPS, 1 - _EPS).log()).sum(dim=1).mean()


def _keras_sparse_categorical(p: Tensor, target) -> Tensor:
    return F.nll_loss(p.clamp(_EPS, 1 - _EPS).log(), target)


def _keras_binary(p: Tensor, target) -> Tensor:
    return F.binary_cross_entropy(p.clamp(_EPS, 1 - _EPS), target.reshape(p.shape))


LOSSES = {
    "mse": F.mse_loss, "mean_squared_error": F.mse_loss,
    "categorical_crossentropy": _keras_categorical,
    "sparse_categorical_crossentropy": _keras_sparse_categorical,
    "binary_crossentropy": _keras_binary,
}
OPTIMIZERS = {  # Keras' default hyper-parameters
    "adam": lambda params: Adam(params, lr=1e-3, eps=1e-7),
    "sgd": lambda params: SGD(params, lr=0.01),
    "rmsprop": lambda params: RMSprop(params, lr=1e-3, alpha=0.9, eps=1e-7),
}


def resolve_loss(loss):
    """A loss callable from a Keras name, a loss module, or a function."""
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}: expected one of {sorted(LOSSES)} or a "
                             f"callable such as nn.CrossEntropyLoss()")
        return LOSSES[loss]
    return loss


def resolve_optimizer(optimizer, model: Module) -> Optimizer:
    if isinstance(optimizer, str):
        if optimizer.lower() not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {optimizer!r}: expected one of "
                             f"{sorted(OPTIMIZERS)} or an Optimizer")
        return OPTIMIZERS[optimizer.lower()](model.parameters())
    return optimizer


# ----------------------------------------------------------------------------- metrics


def _predicted_labels(output, threshold: float):
    if output.ndim >= 2 and output.shape[-1] > 1:
        return output.argmax(axis=-1)
    return (output.reshape(len(output)) > threshold).astype(np.int64)


def _true_labels(target):
    if target.ndim >= 2 and target.shape[-1] > 1:  # one-hot rows
        return target.argmax(axis=-1)
    return target.reshape(len(target)).astype(np.int64)


def batch_correct(output, target, threshold: float):
    """Number of samples whose predicted class equals the target class (a 0-d array on the
    outputs' device: reading it is left to the caller, once per epoch)."""
    return (_predicted_labels(output, threshold) == _true_labels(target)).sum()


# ----------------------------------------------------------------------------- history, callbacks


@dataclass
class History:
    """Per-epoch logs, Keras-style: ``history.history["val_loss"][-1]``."""

    history: dict = field(default_factory=dict)
    epoch: list = field(default_factory=list)
    interrupted: bool = False

    def append(self, epoch: int, logs: dict) -> None:
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)


class Callback:
    """Hooks called by ``fit``; set ``self.stop_training = True`` to end after this epoch."""

    stop_training = False

    def on_epoch_end(self, epoch: int, logs: dict, model: Module) -> None:
        pass

    def on_train_end(self, history: History, model: Module) -> None:
        pass


def _monitor_improved(value: float, best: float, mode: str, min_delta: float) -> bool:
    return value < best - min_delta if mode == "min" else value > best + min_delta


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs; with
    ``restore_best_weights`` put the best epoch's weights back at the end."""

    def __init__(self, monitor: str = "val_loss", patience: int = 0, min_delta: float = 0.0,
                 mode: str = "min", restore_best_weights: bool = False):
        self.monitor, self.patience, self.min_delta, self.mode = monitor, patience, min_delta, mode
        self.restore_best_weights = restore_best_weights
        self.best, self.wait, self.best_weights, self.stopped_epoch = None, 0, None, None

    def on_epoch_end(self, epoch, logs, model):
        value = logs[self.monitor]
        if self.best is None or _monitor_improved(value, self.best, self.mode, self.min_delta):
            self.best, self.wait = value, 0
            if self.restore_best_weights:
                self.best_weights = {k: v.array.copy() for k, v in model.state_dict().items()}
            return
        self.wait += 1
        if self.wait > self.patience:
            self.stop_training, self.stopped_epoch = True, epoch

    def on_train_end(self, history, model):
        if self.restore_best_weights and self.best_weights is not None:
            model.load_state_dict(self.best_weights)


class ModelCheckpoint(Callback):
    """Save ``model.state_dict()`` to ``path`` (.npz) after each epoch, or only when
    ``monitor`` improves (``save_best_only``).  When training is interrupted (Ctrl-C), the
    weights so far are saved too — unless a best-only checkpoint already holds a better one."""

    def __init__(self, path, monitor: str = "val_loss", save_best_only: bool = True,
                 mode: str = "min"):
        self.path, self.monitor, self.save_best_only, self.mode = path, monitor, save_best_only, mode
        self.best, self.saved = None, False

    def on_epoch_end(self, epoch, logs, model):
        if self.save_best_only and self.monitor not in logs:
            raise KeyError(f"ModelCheckpoint: monitor {self.monitor!r} is not among the logs "
                           f"({', '.join(logs)})")
        value = logs.get(self.monitor)
        if not self.save_best_only or self.best is None or \
                _monitor_improved(value, self.best, self.mode, 0.0):
            self.best = value
            self._save(model)

    def _save(self, model) -> None:
        """Save (on rank 0 only, when training is distributed: one writer per file)."""
        from ..distributed import get_rank
        if get_rank() == 0:
            save(model.state_dict(), self.path)
        self.saved = True

    def on_train_end(self, history, model):
        if history.interrupted and (not self.save_best_only or not self.saved):
            self._save(model)


# ----------------------------------------------------------------------------- the loops


def _as_array(values):
    """Data as an array where it already lives (a Tensor's, a CuPy array as is, else NumPy)."""
    if isinstance(values, Tensor):
        return values.array
    return values if device_of(values) != "cpu" else np.asarray(values)


def _device(model: Module, device) -> str:
    """Where training runs: ``device`` (the model is moved there), else where the model is."""
    if device is not None:
        model.to(device)
        return normalize_device(device)
    return next((p.device for p in model.parameters()), "cpu")


def _on(device: str, array) -> Tensor:
    """One batch as a Tensor on the training device (one transfer, when it is elsewhere)."""
    return Tensor._wrap(to_device(array, device), None)


def _read(total) -> float:
    """A device total as a Python number (the host waits here: once per epoch)."""
    return float(to_device(total, "cpu")) if hasattr(total, "shape") else float(total)


def _batches(n: int, batch_size: int, order=None):
    order = np.arange(n) if order is None else order
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def _split(x, y, validation_split: float):
    """Keras' rule: the *last* fraction of the samples (before shuffling) is held out."""
    if not 0 <= validation_split < 1:
        raise ValueError(f"validation_split must be in [0, 1), got {validation_split}")
    cut = len(x) - int(math.floor(len(x) * validation_split))
    return (x[:cut], y[:cut]), ((x[cut:], y[cut:]) if cut < len(x) else None)


def _progress(total: int, description: str, verbose: int):
    from tqdm import tqdm
    return tqdm(total=total, desc=description, leave=True, unit="batch",
                disable=not verbose or not sys.stderr.isatty())


def fit(model: Module, x, y, loss, optimizer="adam", epochs: int = 1, batch_size: int = 32,
        validation_split: float = 0.0, validation_data=None, metrics=("accuracy",),
        shuffle: bool = True, callbacks=None, verbose: int = 1, seed: int = 0,
        device=None, distributed: bool = False) -> History:
    """Train ``model`` on (x, y); returns a History with loss, metrics and their val_ forms.
    ``device`` ("cpu", "cuda"): where to train (the model is moved there; default: where it
    is); the data may live anywhere, and each batch is moved once.  Losses and accuracies are
    summed on the device and read back once per epoch.
    ``distributed``: data parallel over the process group (``minigrad.distributed``, launched
    with mpiexec): every rank takes its slice of each global batch of ``batch_size`` samples,
    gradients are averaged (``DistributedDataParallel``) so each step equals the
    single-process step on the whole global batch; only rank 0 prints."""
    host_memory.apply_default_policy()  # no page faults per step (minigrad.host_memory)
    device = _device(model, device)
    x, y = _as_array(x), _as_array(y)
    if len(x) != len(y):
        raise ValueError(f"fit: x has {len(x)} samples but y has {len(y)}")
    loss_fn, optimizer = resolve_loss(loss), resolve_optimizer(optimizer, model)
    threshold = 0.0 if isinstance(loss_fn, BCEWithLogitsLoss) else 0.5
    (x_train, y_train), held_out = _split(x, y, validation_split)
    if len(x_train) == 0:
        raise ValueError(f"fit: there are no training samples (x has {len(x)}, "
                         f"validation_split={validation_split} keeps {len(x_train)} to train on)")
    if not (isinstance(batch_size, (int, np.integer)) and batch_size >= 1):
        raise ValueError(f"fit: batch_size must be a positive integer, got {batch_size!r}")
    if not (isinstance(epochs, (int, np.integer)) and epochs >= 0):
        raise ValueError(f"fit: epochs must be a non-negative integer, got {epochs!r}")
    if validation_data is not None:
        held_out = tuple(_as_array(v) for v in validation_data)
    manual_seed(seed)
    order_rng = np.random.default_rng(seed)
    history, callbacks = History(), list(callbacks or [])
    parallel = _DataParallel(model) if distributed else None
    verbose = verbose if parallel is None or parallel.rank == 0 else 0
    with interrupt.graceful():
        for epoch in range(epochs):
            logs = _train_epoch(model, x_train, y_train, loss_fn, optimizer, batch_size,
                                order_rng.permutation(len(x_train)) if shuffle else None,
                                metrics, threshold, f"epoch {epoch + 1}/{epochs}", verbose,
                                device, parallel)
            if held_out is not None:
                scores = evaluate(model, *held_out, loss=loss_fn, metrics=metrics,
                                  batch_size=max(batch_size, 256), threshold=threshold,
                                  device=device)
                logs.update({f"val_{k}": v for k, v in scores.items()})
            history.append(epoch, logs)
            if verbose:
                print(f"epoch {epoch + 1}/{epochs}: " +
                      ", ".join(f"{k} {v:.4f}" for k, v in logs.items()), flush=True)
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs, model)
            stopped = interrupt.requested() if parallel is None else parallel.any_stopped()
            if any(c.stop_training for c in callbacks) or stopped:  # (every rank decides
                break                                                # the same)
    if parallel is not None:
        parallel.close()
    if interrupt.requested():
        history.interrupted = True
        if verbose:
            print(f"interrupted: stopped after {len(history.epoch)} epochs (the last one "
                  f"possibly partial, every optimizer step whole)", flush=True)
    for callback in callbacks:
        callback.on_train_end(history, model)
    return history


class _DataParallel:
    """fit's distributed part: this rank's slice of each global batch, the loss weight that
    makes the averaged gradient the global batch's, and the per-epoch totals summed over the
    ranks (so every rank logs, and decides, the same)."""

    def __init__(self, model: Module):
        from .. import distributed as dist
        from ..nn.ddp import DistributedDataParallel
        if not dist.is_initialized():
            raise RuntimeError("fit(distributed=True): call minigrad.distributed."
                               "init_process_group() first, and launch with mpiexec -n N")
        self.dist, self.model = dist, DistributedDataParallel(model)
        self.rank, self.world = dist.get_rank(), dist.get_world_size()

    def local(self, index):
        return np.array_split(index, self.world)[self.rank]

    def weight(self, local, index) -> float:
        """Each rank's loss is a mean over its slice; scaled by len(slice)·N/len(batch), the
        ranks' average gradient is the gradient of the mean over the whole batch (uneven
        slices included)."""
        return len(local) * self.world / len(index)

    def sum(self, *values) -> list:
        totals = np.array([_read(v) for v in values], np.float64)
        self.dist.all_reduce(totals)
        return totals.tolist()

    def any_stopped(self) -> bool:
        """Ctrl-C on any rank stops every rank after the same step."""
        return self.sum(float(interrupt.requested()))[0] > 0

    def close(self) -> None:
        self.model.remove_hooks()


def _train_epoch(model, x, y, loss_fn, optimizer, batch_size, order, metrics, threshold,
                 description, verbose, device, parallel=None) -> dict:
    model.train()
    runner = model if parallel is None else parallel.model
    total_loss, correct, seen = 0.0, 0, 0
    with _progress(math.ceil(len(x) / batch_size), description, verbose) as bar:
        for index in _batches(len(x), batch_size, order):
            local = index if parallel is None else parallel.local(index)
            if len(local):
                xb, yb = _on(device, x[local]), _on(device, y[local])
                output = runner(xb)
                batch_loss = loss_fn(output, yb)
                optimizer.zero_grad()
                weight = 1.0 if parallel is None else parallel.weight(local, index)
                (batch_loss if weight == 1.0 else batch_loss * weight).backward()
                total_loss = total_loss + batch_loss.array * len(local)  # stays on the device
                if "accuracy" in metrics:
                    correct = correct + batch_correct(output.array, yb.array, threshold)
            else:  # more ranks than samples in this batch: contribute zero gradients
                optimizer.zero_grad()
                parallel.model.sync_gradients()
            optimizer.step()
            seen += len(local)
            bar.update()
            if not bar.disable and bar.n % 20 == 0:  # a read: only when someone is watching
                bar.set_postfix(loss=f"{_read(total_loss) / max(seen, 1):.4f}", refresh=False)
            if interrupt.requested() if parallel is None else parallel.any_stopped():
                break  # Ctrl-C: stop after this whole step
    if parallel is not None:
        total_loss, correct, seen = parallel.sum(total_loss, correct, seen)
    logs = {"loss": _read(total_loss) / seen}
    if "accuracy" in metrics:
        logs["accuracy"] = _read(correct) / seen
    return logs


def predict(model: Module, x, batch_size: int = 256, device=None) -> np.ndarray:
    """The model's outputs for x, in evaluation mode, as one NumPy array (computed on
    ``device``, default: where the model is)."""
    device, x = _device(model, device), _as_array(x)
    model.eval()
    with no_grad():
        outputs = [model(_on(device, x[i])).array for i in _batches(len(x), batch_size)]
    xp = array_module_of(outputs[0])
    return to_device(xp.concatenate(outputs), "cpu")


def evaluate(model: Module, x, y, loss="mse", metrics=("accuracy",), batch_size: int = 256,
             threshold: float = 0.5, device=None) -> dict:
    """Mean loss (and metrics) over (x, y) in evaluation mode, on ``device`` (default: where
    the model is); the totals are read back once."""
    device = _device(model, device)
    loss_fn, x, y = resolve_loss(loss), _as_array(x), _as_array(y)
    if len(x) == 0:
        raise ValueError("evaluate: there are no samples (x is empty)")
    model.eval()
    total, correct = 0.0, 0
    with no_grad():
        for index in _batches(len(x), batch_size):
            output, target = model(_on(device, x[index])), _on(device, y[index])
            total = total + loss_fn(output, target).array * len(index)
            if "accuracy" in metrics:
                correct = correct + batch_correct(output.array, target.array, threshold)
    scores = {"loss": _read(total) / len(x)}
    if "accuracy" in metrics:
        scores["accuracy"] = _read(correct) / len(x)
    return scores


__all__ = ["fit", "evaluate", "predict", "History", "Callback", "EarlyStopping",
           "ModelCheckpoint"]
