"""The `minigrad` command and the benchmark script run end to end (tiny settings)."""
import json
import subprocess
import sys
from pathlib import Path

from minigrad.cli import main
from minigrad.experiments.tiny_network import train_tiny_network

ROOT = Path(__file__).resolve().parent.parent


def test_demo_trains_and_prints_gradcheck_table(capsys):
    assert main(["demo", "--epochs", "120"]) == 0
    out = capsys.readouterr().out
    assert "training accuracy" in out and "cross_entropy" in out
    assert "ops pass" in out and "FAILED" not in out


def test_tiny_network_learns_the_moons():
    losses, accuracy = train_tiny_network(epochs=200, progress=False)
    assert losses[-1] < 0.2 * losses[0] and accuracy > 0.95


def test_same_seed_same_result():
    assert train_tiny_network(20, progress=False) == train_tiny_network(20, progress=False)


def test_console_script_entry_point():
    result = subprocess.run([sys.executable, "-m", "minigrad", "gradcheck"],
                            capture_output=True, text=True, check=True)
    assert "matmul" in result.stdout


def test_bench_quick_runs_the_suite_and_writes_json(tmp_path, capsys):
    assert main(["bench", "--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    written = {p.stem for p in tmp_path.glob("*.json")}
    assert {"overhead", "optim", "lstm", "transformer"} <= written
    import minigrad  # the GPU part runs where there is a GPU, and says it is skipped elsewhere
    if minigrad.cuda.is_available():
        assert "kernels" in written
    else:
        assert "[kernels] skipped: needs an NVIDIA GPU" in out
    result = json.loads((tmp_path / "overhead.json").read_text())
    assert set(result["tiny_ops"]) == {"add", "mul", "matmul_8x8", "relu", "sum"}
    assert result["p2_step"]["minigrad_ms"] > 0 and result["environment"]["numpy"]
    assert main(["bench", "nonsense"]) == 2


def test_mpiexec_is_found_beside_the_running_python_before_path(tmp_path, monkeypatch):
    """A virtual environment's programs run without activating it: its bin/ (where the
    ``dist`` extra's mpich wheel puts mpiexec) is not on PATH, and bench --quick must still
    find it there instead of skipping the distributed part."""
    import importlib.util
    from minigrad.cli import _bench_skip_reason
    from minigrad.distributed import find_mpiexec
    environment = tmp_path / "venv" / "bin"
    environment.mkdir(parents=True)
    beside = environment / "mpiexec"
    beside.write_text("#!/bin/sh\n")
    beside.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(environment / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find_mpiexec() == str(beside)
    if importlib.util.find_spec("mpi4py") is not None:
        assert _bench_skip_reason("distributed") is None
    beside.unlink()
    assert find_mpiexec() is None
    assert _bench_skip_reason("distributed") == "needs mpi4py and mpiexec (pip install -e '.[dist]')"


def test_minigrad_lessons_starts_jupyterlab_on_the_lessons_folder(monkeypatch, capsys):
    """It says which command it runs, passes JupyterLab's own options through, and says how
    to install JupyterLab when it is missing (the `lessons` extra)."""
    import importlib.util
    import subprocess
    ran = []
    monkeypatch.setattr(subprocess, "run", lambda command: ran.append(command) or
                        subprocess.CompletedProcess(command, 0))
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: object() if name == "jupyterlab" else
                        real_find_spec(name, *a))
    assert main(["lessons", "--no-browser", "--port", "8890"]) == 0
    command = ran[0]
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={ROOT / 'lessons'}" in command
    assert command[4:7] == ["--no-browser", "--port", "8890"]
    assert "minigrad lessons: " + " ".join(command) in capsys.readouterr().out
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    assert main(["lessons"]) == 1
    assert "pip install -e '.[lessons]'" in capsys.readouterr().err
    import pytest
    with pytest.raises(SystemExit):            # other commands still refuse unknown options
        main(["recipes", "--no-browser"])
