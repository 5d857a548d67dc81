"""``minigrad train`` honours what was asked or refuses it in one line, before training (exit
code 2); runs never overwrite each other; Ctrl-C saves what is complete and exits 130."""
import os
import signal
import subprocess
import sys
import time

import pytest

from minigrad.cli import main
from minigrad.data import mnist_sets


@pytest.mark.parametrize("argv, message", [
    (["p6", "--epochs", "0"], "--epochs must be a positive integer, got 0"),
    (["p6", "--epochs", "-1"], "--epochs must be a positive integer, got -1"),
    (["p6", "--batch-size", "0"], "--batch-size must be a positive integer, got 0"),
    (["p6", "--lr", "0"], "--lr must be a finite number > 0, got 0.0"),
    (["p6", "--lr", "nan"], "--lr must be a finite number > 0, got nan"),
    (["p6", "--dataset", "digits"], "recipe p6 does not take --dataset"),
    (["reverse", "--lr", "0.1"], "recipe reverse does not take --lr"),
    (["reverse", "--batch-size", "8"], "recipe reverse does not take --batch-size"),
    (["gan-2d", "--epochs", "3"], "recipe gan-2d does not take --epochs: it counts steps, use "
                                  "--steps"),
    (["p2", "--steps", "3"], "recipe p2 does not take --steps: it counts epochs, use --epochs"),
    (["p6", "--device", "tpu"], "unknown device 'tpu'"),
])
def test_options_a_run_cannot_take_are_refused_before_training(argv, message, tmp_path, capsys):
    assert main(["train", *argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not any(tmp_path.iterdir())  # nothing trained, nothing written


def test_the_run_folder_is_checked_first_and_never_overwritten(tmp_path, capsys):
    a_file = tmp_path / "taken"
    a_file.write_text("not a folder")
    assert main(["train", "p6", "--epochs", "2", "--out", str(a_file)]) == 2
    assert "is an existing file, not a folder" in capsys.readouterr().err
    assert main(["train", "p6", "--epochs", "2", "--out", "/proc/minigrad-runs"]) == 2
    assert "cannot write the run folder" in capsys.readouterr().err
    for expected in ("p6", "p6-2", "p6-3"):
        assert main(["train", "p6", "--epochs", "2", "--quiet", "--out", str(tmp_path)]) == 0
        assert (tmp_path / expected / "weights.npz").is_file()
    assert main(["train", "p6", "--epochs", "2", "--quiet", "--overwrite",
                 "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p6", "p6-2", "p6-3", "taken"]


def test_a_missing_data_set_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(mnist_sets, "search_folders", lambda name, root=None: [tmp_path])

    def offline(*args):
        raise OSError("no network here")
    monkeypatch.setattr(mnist_sets, "_download", offline)
    assert main(["train", "p2", "--dataset", "mnist", "--out", str(tmp_path / "runs")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("minigrad train: mnist: train-images-idx3-ubyte(.gz) not found") and \
        len(err.strip().splitlines()) == 1


def _train_until(signals: int, tmp_path):
    """``minigrad train p2`` on digits for many epochs, sent ``signals`` Ctrl-C once it runs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "minigrad", "train", "p2", "--dataset", "digits", "--epochs",
         "100000", "--out", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    for line in process.stdout:
        if line.startswith("epoch 2/"):
            break
    for _ in range(signals):
        process.send_signal(signal.SIGINT)
        time.sleep(0.3)
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def test_ctrl_c_saves_the_run_and_exits_130(tmp_path):
    code, out, err = _train_until(1, tmp_path)
    assert code == 130 and "interrupted (Ctrl-C)" in out and "Traceback" not in err
    assert (tmp_path / "p2" / "weights.npz").is_file() and (tmp_path / "p2" /
                                                             "history.json").is_file()


def test_a_second_ctrl_c_stops_at_once_without_a_traceback(tmp_path):
    code, out, err = _train_until(2, tmp_path)
    assert code == 130 and "stopped (Ctrl-C)" in err and "Traceback" not in err


def test_bench_writes_to_runs_unless_saved(tmp_path):
    import argparse
    from minigrad.cli import _bench_command, bench_results_folder
    default = bench_results_folder(argparse.Namespace(out=None, save=False))
    assert default == tmp_path.__class__("runs") / "bench"
    assert bench_results_folder(argparse.Namespace(out=None, save=True)) is None
    assert bench_results_folder(argparse.Namespace(out=str(tmp_path), save=False)) == tmp_path
    command = _bench_command(tmp_path, "optim", True, default)
    assert command[-2:] == ["--out", "runs/bench"]


def test_a_benchmark_stopped_by_ctrl_c_writes_its_rounds_and_exits_130(tmp_path):
    """The first Ctrl-C ends the timing rounds after the one running; the JSON is written,
    marked interrupted."""
    import json
    from pathlib import Path
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_optim.py"
    process = subprocess.Popen([sys.executable, str(script), "--out", str(tmp_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=script.parent)
    time.sleep(4)                        # imported, warming up or timing
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 130, err
    written = json.loads((tmp_path / "optim.json").read_text())
    assert written["interrupted"] is True and "Traceback" not in err


def test_every_long_loop_stops_after_the_step_in_which_ctrl_c_came(monkeypatch):
    """The GAN, the Transformer demos' optimizer loop and P7's tape loop ask
    ``interrupt.requested()`` after each whole step (the signal itself is tested with fit)."""
    import numpy as np
    from minigrad import interrupt, nn, optim
    from minigrad.experiments import gan, recipes, transformer_demos
    asked = []

    def requested_on_third():
        asked.append(1)
        return len(asked) >= 3
    monkeypatch.setattr(interrupt, "requested", requested_on_third)
    history = gan.train_gan(gan.mixture_of_gaussians(64), gan.mlp_generator(2, 2),
                            gan.mlp_discriminator(2), latent=2, steps=50, batch_size=16)
    assert len(history["d_loss"]) == 3
    asked.clear()
    layer = nn.Linear(2, 1)
    losses = transformer_demos.optimize(optim.SGD(layer.parameters(), 0.1), 50,
                                        lambda: (layer(np.ones((4, 2), np.float32)) ** 2).mean())
    assert len(losses) == 3
    asked.clear()
    result = recipes.run_recipe("p7", verbose=0)
    assert len(result["losses"]) == 3
