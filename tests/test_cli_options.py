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


def _lines_until(lines, start: str) -> list:
    """Read a running command's output up to and including the line that starts with
    ``start`` (the state a test waits for, instead of sleeping a fixed time)."""
    read = []
    for line in lines:
        read.append(line)
        if line.startswith(start):
            return read
    raise AssertionError(f"the command ended before printing {start!r}:\n{''.join(read)}")


HOLD_BEFORE_SAVING = ("import time, minigrad.cli as cli; save = cli._save_outputs; "
                      "cli._save_outputs = lambda *a: (time.sleep(60), save(*a)); ")
"""Run first in a process whose second Ctrl-C is tested: the run holds for a minute before
saving, so the second Ctrl-C surely comes while it still runs."""


def _run_interrupted(tmp_path, argv: list, second: bool = False, env=None):
    """``minigrad ARGV``, sent Ctrl-C once its second epoch begins; with ``second``, Ctrl-C
    again once the first was taken.  Returns (exit code, everything it printed, seconds from
    the last Ctrl-C to the exit)."""
    prelude = HOLD_BEFORE_SAVING if second else ""
    process = subprocess.Popen(
        [sys.executable, "-c", f"import sys; {prelude}from minigrad.cli import main; "
                               f"sys.exit(main(sys.argv[1:]))", *argv, "--out", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
    lines = iter(process.stdout.readline, "")
    printed = _lines_until(lines, "epoch 2/")
    process.send_signal(signal.SIGINT)
    if second:
        printed += _lines_until(lines, "interrupt: finishing the current step")
        process.send_signal(signal.SIGINT)
    signalled = time.monotonic()
    out, _ = process.communicate(timeout=120)
    return process.returncode, "".join(printed) + out, time.monotonic() - signalled


P2_FOR_LONG = ["train", "p2", "--dataset", "digits", "--epochs", "100000"]


def test_ctrl_c_saves_the_run_and_exits_130(tmp_path):
    code, out, _ = _run_interrupted(tmp_path, P2_FOR_LONG)
    assert code == 130 and "interrupted (Ctrl-C)" in out and "Traceback" not in out
    assert (tmp_path / "p2" / "weights.npz").is_file() and (tmp_path / "p2" /
                                                             "history.json").is_file()


def test_a_second_ctrl_c_stops_at_once_without_a_traceback(tmp_path):
    code, out, after = _run_interrupted(tmp_path, P2_FOR_LONG, second=True)
    assert code == 130 and "stopped (Ctrl-C)" in out and "Traceback" not in out
    assert after < 50                         # it did not wait out the 60 s held save


def test_ctrl_c_ends_the_whole_command_not_just_its_phase(tmp_path):
    """P8 trains an LSTM, then a bag-of-words baseline: a Ctrl-C during the LSTM saves it and
    exits 130; the baseline is never trained."""
    from conftest import write_fortune_files
    from minigrad.data import sentiment_corpus
    texts, labels = sentiment_corpus(400, seed=0)
    write_fortune_files(tmp_path / "fortunes", {
        "computers": [t for t, y in zip(texts, labels) if y == 0],
        "men-women": [t for t, y in zip(texts, labels) if y == 1]})
    code, out, _ = _run_interrupted(tmp_path / "runs", ["train", "p8", "--epochs", "1000"],
                                 env={"MINIGRAD_FORTUNES": str(tmp_path / "fortunes")})
    assert code == 130 and "interrupted (Ctrl-C)" in out and "Traceback" not in out, out
    assert out.count("epoch 1/") == 1 and "bag_of_words" not in out
    assert (tmp_path / "runs" / "p8" / "weights.npz").is_file()


def test_demo_checks_its_options_like_train(capsys):
    for epochs in ("0", "-2"):
        assert main(["demo", "--epochs", epochs]) == 2
        err = capsys.readouterr().err
        assert err.strip() == f"minigrad demo: --epochs must be a positive integer, got {epochs}"


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
    """The first Ctrl-C ends the timing rounds after the one running and starts no other
    measurement (no more worker processes); the JSON is written, marked interrupted."""
    import json
    from pathlib import Path
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_optim.py"
    process = subprocess.Popen([sys.executable, str(script), "--out", str(tmp_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=script.parent, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    _lines_until(iter(process.stdout.readline, ""), "optimizer")  # its table has begun
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 130, err
    written = json.loads((tmp_path / "optim.json").read_text())
    assert written["interrupted"] is True and "Traceback" not in err
    assert list(written["optimizers"]) == ["SGD"]   # the first optimizer only


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
    asked.clear()
    result = recipes.run_recipe("gan-2d", epochs=50, verbose=0)
    assert list(result["samples"]) == ["non_saturating"]    # no objective after the Ctrl-C
    assert len(result["losses"]["d_loss"]) == 3


def test_phases_start_none_after_ctrl_c(monkeypatch):
    from minigrad import interrupt
    pressed = []
    monkeypatch.setattr(interrupt, "requested", lambda: bool(pressed))
    walked = []
    for phase in interrupt.phases("abc"):
        walked.append(phase)
        pressed.append(1)                      # Ctrl-C during the first phase
    assert walked == ["a"]
    assert list(interrupt.phases("abc")) == []
    assert list(interrupt.phases("abc", first_always=True)) == ["a"]
