"""fit / evaluate / predict, callbacks, interruption, determinism; the recipes and the CLI."""
import json

import os
import signal

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.cli import main
from minigrad.data import digits
from minigrad.experiments.recipes import RECIPES, run_recipe
from minigrad.train import Callback, EarlyStopping, ModelCheckpoint, evaluate, fit, predict


def digits_split():
    x, y = digits()
    x = (x / 16).reshape(len(x), -1).astype(np.float32)
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order], y[order]
    return x[:1400], y[:1400], x[1400:], y[1400:]


def small_mlp():
    mg.manual_seed(0)
    return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


def test_fit_on_digits_reaches_95_percent():
    x, y, xt, yt = digits_split()
    model = small_mlp()
    history = fit(model, x, y, loss=nn.CrossEntropyLoss(), optimizer="adam", epochs=25,
                  batch_size=32, validation_split=0.2, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.epoch) == 25 and history.history["loss"][-1] < history.history["loss"][0]
    scores = evaluate(model, xt, yt, loss=nn.CrossEntropyLoss())
    assert scores["accuracy"] >= 0.95
    assert (predict(model, xt).argmax(1) == yt).mean() == pytest.approx(scores["accuracy"])


def test_keras_names_with_probability_outputs():
    x, y, _, _ = digits_split()
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10), nn.Softmax(dim=1))
    one_hot = np.eye(10, dtype=np.float32)[y]
    for loss, target in (("sparse_categorical_crossentropy", y), ("categorical_crossentropy",
                                                                    one_hot)):
        history = fit(model, x, target, loss=loss, optimizer="rmsprop", epochs=4, verbose=0)
        assert history.history["accuracy"][-1] > 0.5
    with pytest.raises(ValueError, match="unknown loss 'hinge_squared'"):
        fit(model, x, y, loss="hinge_squared")
    with pytest.raises(ValueError, match="unknown optimizer 'adagrad'"):
        fit(model, x, y, loss="mse", optimizer="adagrad")


def test_validation_split_takes_the_last_fraction():
    seen = []

    class Spy(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = nn.Linear(1, 1)

        def forward(self, x):
            if not self.training:
                seen.extend(x.array[:, 0].tolist())
            return self.layer(x)
    x = np.arange(10, dtype=np.float32)[:, None]
    fit(Spy(), x, x, loss="mse", optimizer="sgd", epochs=1, validation_split=0.3, metrics=(),
        verbose=0)
    assert seen == [7.0, 8.0, 9.0]


def test_same_seed_same_history():
    x, y, _, _ = digits_split()
    runs = [fit(small_mlp(), x[:300], y[:300], loss=nn.CrossEntropyLoss(), epochs=2,
                verbose=0, seed=4).history for _ in range(2)]
    assert runs[0] == runs[1]


def test_early_stopping_and_checkpoint(tmp_path):
    x, y, _, _ = digits_split()
    model = small_mlp()
    weights_after = {}

    class Snapshot(Callback):
        def on_epoch_end(self, epoch, logs, model):
            weights_after[epoch] = model[0].weight.array.copy()

    stopper = EarlyStopping(monitor="loss", patience=0, min_delta=10.0, restore_best_weights=True)
    path = tmp_path / "best.npz"
    history = fit(model, x, y, loss=nn.CrossEntropyLoss(), epochs=10, verbose=0,
                  callbacks=[Snapshot(), stopper, ModelCheckpoint(path, monitor="loss")])
    assert len(history.epoch) == 2 and stopper.stopped_epoch == 1
    np.testing.assert_array_equal(model[0].weight.array, weights_after[0])  # restored best
    saved = mg.load(path)  # the checkpoint kept the lowest loss: epoch 1's weights
    np.testing.assert_array_equal(saved["0.weight"].array, weights_after[1])


def test_ctrl_c_stops_cleanly_and_keeps_the_weights(tmp_path):
    x, y, _, _ = digits_split()

    class Interrupt(Callback):
        def on_epoch_end(self, epoch, logs, model):
            if epoch == 1:
                os.kill(os.getpid(), signal.SIGINT)   # a real Ctrl-C

    path = tmp_path / "weights.npz"
    model = small_mlp()
    history = fit(model, x, y, loss=nn.CrossEntropyLoss(), epochs=5, verbose=0,
                  callbacks=[Interrupt(), ModelCheckpoint(path, save_best_only=False)])
    assert history.interrupted and len(history.epoch) == 2
    saved = mg.load(path)
    np.testing.assert_array_equal(saved["0.weight"].array, model[0].weight.array)
    with pytest.raises(KeyError, match="monitor 'nope' is not among the logs"):
        fit(model, x, y, loss=nn.CrossEntropyLoss(), verbose=0,
            callbacks=[ModelCheckpoint(path, monitor="nope")])


def test_ctrl_c_in_the_middle_of_an_epoch_finishes_the_step_and_a_second_one_stops_at_once():
    """The first Ctrl-C lets the optimizer step that is running finish (the model never mixes
    two steps) and stops after it; the second raises KeyboardInterrupt at once."""
    x, y, _, _ = digits_split()
    calls, before = [], signal.getsignal(signal.SIGINT)  # SIG_IGN when started in background

    class Counting(nn.Module):
        def __init__(self, interrupts: int):
            super().__init__()
            self.inner, self.interrupts = small_mlp(), interrupts

        def forward(self, inputs):
            calls.append(1)
            if len(calls) == 3:                              # during the third step
                for _ in range(self.interrupts):
                    os.kill(os.getpid(), signal.SIGINT)
            return self.inner(inputs)

    model = Counting(1)
    optimizer = mg.optim.Adam(model.parameters())
    history = fit(model, x, y, loss=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=3,
                  batch_size=16, verbose=0)
    steps = optimizer.state[id(model.inner[0].weight)]["step"]
    assert history.interrupted and len(calls) == 3 and steps == 3
    calls.clear()
    with pytest.raises(KeyboardInterrupt):
        fit(Counting(2), x, y, loss=nn.CrossEntropyLoss(), epochs=3, batch_size=16, verbose=0)
    assert signal.getsignal(signal.SIGINT) is before  # restored


def test_p6_recovers_the_generating_line():
    result = run_recipe("p6", verbose=0)  # the full 1000 epochs
    assert result["metrics"]["weight"] == pytest.approx(2.5, abs=0.15)
    assert result["metrics"]["bias"] == pytest.approx(1.0, abs=0.1)
    assert result["metrics"]["test_mse"] < 0.03


def test_p7_tape_loop_learns():
    result = run_recipe("p7", epochs=400, verbose=0)
    assert result["metrics"]["final_mse"] < 0.7 * result["metrics"]["first_mse"]


def test_every_recipe_cites_its_seed():
    for recipe in RECIPES.values():
        assert ":" in recipe.source and recipe.claim


def test_cli_train_writes_weights_history_metrics_and_plots(tmp_path, capsys):
    assert main(["train", "p2", "--dataset", "digits", "--epochs", "20", "--out", str(tmp_path),
                 "--quiet"]) == 0
    out = tmp_path / "p2"
    for name in ("weights.npz", "history.json", "metrics.json", "curves.png", "predictions.png",
                 "confusion.png"):
        assert (out / name).is_file(), name
    metrics = json.loads((out / "metrics.json").read_text())
    assert 0.5 < metrics["test_accuracy"] <= 1
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10))
    model.load_state_dict(mg.load(out / "weights.npz"))
    assert "0.9801" in capsys.readouterr().out  # the seed's claim is printed next to ours


def test_cli_recipes_and_regression(tmp_path, capsys):
    assert main(["recipes"]) == 0
    assert "002:147-231" in capsys.readouterr().out
    assert main(["train", "p6", "--epochs", "50", "--out", str(tmp_path), "--quiet"]) == 0
    assert (tmp_path / "p6" / "weights.npz").is_file()


def test_p4_as_printed_fails_with_both_sizes(capsys):
    from minigrad.experiments.recipes import SimpleCNN
    with pytest.raises(ValueError, match=r"in_features=1568.*\(64, 5408\) has 5408 features, "
                                         r"expected 1568"):
        SimpleCNN(flat_features=32 * 7 * 7)(mg.zeros(64, 1, 28, 28))
    assert SimpleCNN()(mg.zeros(2, 1, 28, 28)).shape == (2, 10)  # the fixed twin runs


def test_cli_reports_errors_without_a_traceback(capsys):
    assert main(["train", "p5", "--dataset", "digits", "--epochs", "1"]) == 2
    assert "need 28×28 images" in capsys.readouterr().err


def test_p8_lstm_reads_word_order_where_bag_of_words_cannot(review_fortunes):
    import dataclasses
    from minigrad.experiments.recipes import run_text
    recipe = dataclasses.replace(RECIPES["p8"], extra={"categories": review_fortunes})
    result = run_text(recipe, maxlen=30, epochs=3, verbose=0)
    assert result["metrics"]["test_accuracy"] >= 0.9
    assert result["metrics"]["bag_of_words_test_accuracy"] < 0.7


def test_row_lstm_learns_digits():
    result = run_recipe("lstm-rows", "digits", epochs=15, batch_size=32, verbose=0)
    assert result["metrics"]["test_accuracy"] > 0.8


def test_gan_on_gaussians_runs_every_loss_and_reports_coverage():
    result = run_recipe("gan-2d", epochs=600, verbose=0)
    metrics = result["metrics"]
    for name in ("non_saturating", "minimax", "wgan_gp"):
        assert {f"{name}_modes_covered", f"{name}_mean_distance_to_mode"} <= set(metrics)
        assert result["samples"][name].shape == (5000, 2)
    assert np.isfinite(metrics["final_d_loss"])
    radius = np.linalg.norm(result["samples"]["non_saturating"], axis=1)
    assert abs(np.median(radius) - 2.0) < 0.5  # samples have moved onto the ring of modes
