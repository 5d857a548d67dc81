"""The ``minigrad`` command.

    minigrad                     train seed program P2 on the best data present
    minigrad train [RECIPE] [--dataset fashion-mnist|mnist|digits] [--epochs N | --steps N]
                   [--batch-size N] [--lr X] [--device cpu|cuda] [--out DIR] [--overwrite]
                   [--distributed]   (launched as mpiexec -n N minigrad train ... --distributed)
    minigrad recipes             the seed twins, their seed lines and claims
    minigrad gradcheck           the gradient check table of every op
    minigrad bench [PART ...] [--quick] [--out DIR | --save]   the benchmark suite
    minigrad demo                train a tiny network from raw Tensors, then gradcheck
    minigrad info                versions, devices, and which op families run as kernels
    minigrad gpu-check [--out DIR]   on a GPU machine: GPU tests, then the kernel benchmarks
    minigrad lessons [JUPYTER OPTIONS]   JupyterLab on the lessons folder
    minigrad exercises [check NOTEBOOK... | status]   the lessons' exercises; which you passed
    minigrad course build [--quick] [--out DIR] [--jobs N]   the lessons as a site to read
    minigrad export RUN_DIR [--format onnx] [--out FILE]   a trained run as an ONNX file
    minigrad predict MODEL INPUT...   a run folder or .onnx file on .npy/image inputs
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from .. import host_memory
from . import interrupt
from ..backend import normalize_device
from .opcheck import format_table, gradcheck_table
from ..serialization import save


# ----------------------------------------------------------------------------- subcommands


def demo(args) -> int:
    _positive_int("epochs", args.epochs)  # the same checks as train's options, before anything runs
    print("minigrad demo: a 2-16-16-2 MLP on two moons (400 points), raw Tensors, plain "
          "gradient descent")
    from .experiments.tiny_network import train_tiny_network
    losses, accuracy = train_tiny_network(args.epochs, progress=sys.stderr.isatty())
    print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f} after {len(losses)} epochs; "
          f"training accuracy {accuracy:.3f}\n")
    return gradcheck(args)


def gradcheck(args) -> int:
    print("Gradient check: backward vs float64 central differences, every op")
    rows = gradcheck_table()
    print(format_table(rows))
    failed = [r["op"] for r in rows if not r["ok"]]
    print(f"\n{len(rows) - len(failed)} of {len(rows)} ops pass"
          + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def recipes(args) -> int:
    from .experiments.recipes import RECIPES
    for recipe in RECIPES.values():
        print(f"{recipe.key:<5} {recipe.title} ({recipe.epochs} {recipe.unit})\n"
              f"      source {recipe.source}; claim: {recipe.claim}")
        if recipe.notes:
            print(f"      {recipe.notes}")
    return 0


def _save_outputs(result: dict, out: Path, recipe: str) -> None:
    """weights.npz, model.json (how to rebuild the model), history.json, metrics.json and the
    plots that fit the recipe."""
    from . import viz
    from .runs import write_spec
    out.mkdir(parents=True, exist_ok=True)
    save(result["state"], out / "weights.npz")
    if "model_spec" in result:
        write_spec(out, result["model_spec"], recipe)
    losses = result.get("losses", {})
    history = result["history"].history if "history" in result else \
        (losses if isinstance(losses, dict) else {"loss": losses})
    (out / "history.json").write_text(json.dumps(history, indent=1))
    (out / "metrics.json").write_text(json.dumps(result["metrics"], indent=1))
    figures = {}
    if "history" in result:
        if result["history"].epoch:  # stopped during the first epoch: no curve to draw
            figures["curves.png"] = viz.plot_history(result["history"])
    elif isinstance(losses, dict):
        figures["curves.png"] = viz.plot_curves(losses, "step", "loss")
        if "samples" in result:
            from .experiments.gan import GAN_LOSSES, mode_centers
            panels = {GAN_LOSSES[name]: s for name, s in result["samples"].items()}
            centers = mode_centers() if next(iter(panels.values())).shape[1] == 2 else None
            figures["samples.png"] = viz.plot_samples(panels, centers)
    else:
        figures["curves.png"] = viz.plot_curves({"MSE": losses}, "epoch", logy=True)
    if "predicted" in result:
        images = result["x_test"][:24].reshape((-1,) + result["image_shape"])
        figures["predictions.png"] = viz.plot_image_grid(
            images, result["y_test"][:24], result["predicted"][:24], result["class_names"])
        figures["confusion.png"] = viz.plot_confusion_matrix(result["confusion"],
                                                             result["class_names"])
    import matplotlib.pyplot as plt
    for name, figure in figures.items():
        figure.savefig(out / name, dpi=90)
        plt.close(figure)  # a long-lived process (tests, a notebook) keeps no figures


GPU_RECIPE_KINDS = ("classifier", "cnn", "rows", "text", "regression")  # those trained by fit

EXIT_USAGE, EXIT_FAILED = 2, 1
"""Exit codes: 0 done, 1 the job failed (a missing data set...), 2 an option it cannot take
(nothing was trained), 130 stopped by Ctrl-C (``minigrad.interrupt``; what was complete is
saved)."""


class UsageError(Exception):
    """An option this run cannot take: reported in one line, exit code 2, before training."""


def _positive_int(name: str, value):
    if value is not None and value < 1:
        raise UsageError(f"--{name} must be a positive integer, got {value}")
    return value


def _positive_float(name: str, value):
    if value is not None and not (math.isfinite(value) and value > 0):
        raise UsageError(f"--{name} must be a finite number > 0, got {value}")
    return value


def resolve_options(recipe, args) -> dict:
    """The options given on the command line (None: not given), checked, refused when the
    recipe cannot take them: the keyword arguments for ``run_recipe``."""
    given = {"dataset": args.dataset, "epochs": args.epochs, "steps": args.steps,
             "batch_size": args.batch_size, "lr": args.lr, "device": args.device,
             "distributed": getattr(args, "distributed", False) or None}
    for name, value in given.items():
        if value is not None and name not in recipe.options:
            flag = "--" + name.replace("_", "-")
            hint = f": it counts {recipe.unit}, use --{recipe.unit}" if name in ("epochs", "steps") \
                and recipe.unit in recipe.options else ""
            raise UsageError(f"recipe {recipe.key} does not take {flag}{hint} (it takes "
                             f"{', '.join('--' + o.replace('_', '-') for o in recipe.options)})")
    options = {"epochs": _positive_int(recipe.unit, given[recipe.unit]),
               "batch_size": _positive_int("batch-size", args.batch_size),
               "lr": _positive_float("lr", args.lr)}
    options = {k: v for k, v in options.items() if v is not None}
    device = _device_for(recipe, args.device or "cpu")
    if device != "cpu":
        options["device"] = device
    if given["distributed"]:
        options["distributed"] = True
    return options


def _join_process_group(device: str) -> int:
    """``--distributed``: join the job mpiexec started; returns this process's rank."""
    from .. import distributed as dist
    try:
        dist.init_process_group("nccl" if device == "cuda" else "mpi")
    except ImportError as error:
        raise UsageError(str(error)) from None
    return dist.get_rank()


def run_folder(out, key: str, overwrite: bool) -> Path:
    """The folder this run writes, made (and checked writable) before training: ``out/key``,
    or ``out/key-2``, ``-3``... when that one already holds a run, unless ``overwrite``."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is an existing file, not a folder")
    folder, number = out / key, 1
    while not overwrite and folder.exists() and any(folder.iterdir()):
        number += 1
        folder = out / f"{key}-{number}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".minigrad-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise UsageError(f"cannot write the run folder {folder}: {error.strerror or error}")
    return folder


def _device_for(recipe, device: str) -> str:
    """The device to train on, or a usage error saying why it cannot be."""
    from ..cuda import is_available
    try:
        device = normalize_device(device)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if device == "cuda" and not is_available():
        raise UsageError("--device cuda needs an NVIDIA GPU that CuPy sees (pip install "
                         "'minigrad[gpu]'); none here, use --device cpu")
    if device == "cuda" and recipe.kind not in GPU_RECIPE_KINDS:
        raise UsageError(f"recipe {recipe.key} runs on the CPU only; the ones trained by fit "
                         f"take --device cuda")
    return device


def train(args) -> int:
    from .experiments.recipes import RECIPES
    recipe = RECIPES[args.recipe]
    options = resolve_options(recipe, args)
    if not options.get("distributed"):
        return _train(args, recipe, options, rank=0)
    code = _train(args, recipe, options, _join_process_group(options.get("device", "cpu")))
    from .. import distributed as dist
    dist.destroy_process_group()  # (after an error the ranks are stopped instead: no wait)
    return code


def _train(args, recipe, options: dict, rank: int) -> int:
    """Train, report and save (with --distributed, every rank trains and rank 0 alone
    prints and writes the run folder)."""
    from ..data.mnist_sets import DatasetNotFound
    from .experiments.recipes import run_recipe
    print_ = print if rank == 0 else (lambda *_, **__: None)
    folder = run_folder(args.out, recipe.key, args.overwrite) if rank == 0 else None
    print_(f"{recipe.key.upper()}: {recipe.title}\n  source {recipe.source}; seed's claim: "
           f"{recipe.claim}")
    with interrupt.graceful():
        try:
            result = run_recipe(args.recipe, args.dataset, verbose=0 if args.quiet else 1,
                                **options)
        except DatasetNotFound as error:
            print(f"minigrad train: {str(error).splitlines()[0]} ({str(error).splitlines()[-1]})",
                  file=sys.stderr)
            return EXIT_FAILED
        except ValueError as error:  # e.g. P4 as printed: the shape mistake the seed makes
            print(f"  error: {error}", file=sys.stderr)
            return EXIT_USAGE
    print_(f"  data: {result['dataset']}")
    for name, value in result["metrics"].items():
        print_(f"  {name}: {value:.4f}")
    if rank == 0:
        _save_outputs(result, folder, recipe.key)
    print_(f"  saved weights, history, metrics and plots to {folder}/")
    if interrupt.requested():
        print_("  interrupted (Ctrl-C): saved the model as it was after its last whole step")
        return interrupt.EXIT_CODE
    return 0


def exercises(args) -> int:
    """List the exercises, or run lesson notebooks and say which of their exercises pass."""
    from .exercises import EXERCISES, notebook
    if args.action == "status":
        return exercise_status()
    if args.action == "list":
        for key, exercise in EXERCISES.items():
            print(f"  {key}  {exercise.title:<48} write {exercise.function}()")
        print(f"{len(EXERCISES)} exercises; check yours: minigrad exercises check "
              f"lessons/02_gradient_checking.ipynb")
        return 0
    if not args.notebooks:
        raise UsageError("exercises check: give the lesson notebooks to check")
    verdicts = {True: "✓ right", False: "✗ not yet right (run the lesson to see why)",
                None: "· not reached (an earlier cell failed)"}
    every = []
    for path in args.notebooks:
        if not Path(path).is_file():
            raise UsageError(f"exercises check: no notebook {path}")
        print(f"{path} (run in quick mode):")
        results = notebook.run(path)
        for key, passed in results.items():
            print(f"  {key}  {EXERCISES[key].title:<48} {verdicts[passed]}")
        every += list(results.values())
    return 0 if all(every) else EXIT_FAILED


def exercise_status() -> int:
    """Every exercise with its lesson and the learner's verdict so far (nothing is run)."""
    from .exercises import LESSONS, progress, status
    marks = {"passed": "✓", "not tried": "·"}
    rows = status()
    for exercise, state in rows:
        lesson = f"lesson {exercise.lesson} ({LESSONS[exercise.lesson]})"
        print(f"  {exercise.key}  {lesson:<42} {exercise.title:<48} "
              f"{marks.get(state, '✗')} {state}")
    passed = sum(state == "passed" for _, state in rows)
    print(f"{passed} of {len(rows)} passed; kept in {progress.path()}")
    return 0


def export(args) -> int:
    from .deploy import export_run
    from .runs import RunFolderError
    try:
        result = export_run(args.run, args.out)
    except (RunFolderError, ImportError) as error:
        print(f"minigrad export: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"  wrote {result['file']} ({result['bytes'] / 1024:.1f} KiB); onnxruntime vs "
          f"minigrad on a batch of 5: max difference {result['max_difference']:.2e}")
    return 0


def predict(args) -> int:
    from .deploy import predict as run_predict
    from .runs import RunFolderError
    try:
        rows = run_predict(args.model, args.inputs)
    except (RunFolderError, FileNotFoundError, ValueError, ImportError) as error:
        print(f"minigrad predict: {error}", file=sys.stderr)
        return EXIT_FAILED
    for k, row in enumerate(rows):
        values = " ".join(f"{v:.4g}" for v in row["output"].reshape(-1)[:10])
        label = f"  -> {row['class']}" if row["class"] is not None else ""
        print(f"  {k}: {values}{' ...' if row['output'].size > 10 else ''}{label}")
    return 0


BENCH_PARTS = {"overhead": ["bench_overhead.py"], "optim": ["bench_optim.py"],
               "lstm": ["bench_lstm.py"], "transformer": ["bench_transformer.py"],
               "recipes": ["bench_recipes.py", "--case", "all"], "kernels": ["bench_kernels.py"],
               "fusion": ["bench_fusion.py"], "autograd": ["bench_autograd.py"],
               "peers": ["bench_peers.py"], "deploy": ["bench_deploy.py"],
               "distributed": ["bench_distributed.py"]}


def _bench_skip_reason(part: str) -> str | None:
    """Why ``part`` cannot run on this machine, or None."""
    from ..data.mnist_sets import DatasetNotFound, fashion_mnist
    if part == "kernels":
        from ..cuda import is_available
        if not is_available():
            return "needs an NVIDIA GPU with CuPy and numba-cuda (pip install 'minigrad[gpu]')"
    if part == "deploy":
        import importlib.util
        if not all(importlib.util.find_spec(m) for m in ("onnx", "onnxruntime")):
            return "needs onnx and onnxruntime (pip install -e '.[deploy]')"
    if part == "distributed":
        import importlib.util
        from ..distributed import find_mpiexec
        if importlib.util.find_spec("mpi4py") is None or find_mpiexec() is None:
            return "needs mpi4py and mpiexec (pip install -e '.[dist]')"
    if part == "recipes":
        try:
            fashion_mnist(train=False, download=False)
        except DatasetNotFound:
            return "needs Fashion-MNIST (apt-get install dataset-fashion-mnist)"
    return None


def _bench_command(folder: Path, part: str, quick: bool, out) -> list:
    script, *options = BENCH_PARTS[part]
    if quick and part == "recipes":
        options = ["--case", "p2"]  # the quick suite trains one twin
    command = [sys.executable, str(folder / script), *options] + (["--quick"] if quick else [])
    return command + (["--out", str(out)] if out else [])


def bench_results_folder(args) -> Path | None:
    """Where ``minigrad bench`` writes: ``--out``, else ``runs/bench``; the committed
    ``benchmarks/results`` (None: the scripts' default) only with ``--save``."""
    if args.out:
        return Path(args.out)
    return None if args.save else Path("runs") / "bench"


def bench(args) -> int:
    """Run benchmark scripts from the repository's benchmarks/ folder, each in its own process."""
    folder = Path(__file__).resolve().parents[2] / "benchmarks"
    if not (folder / "common.py").is_file():
        print("minigrad bench: the benchmarks/ folder is not next to the package; run it from a "
              "source checkout (pip install -e .)", file=sys.stderr)
        return 2
    unknown = [p for p in args.parts if p not in BENCH_PARTS]
    if unknown:
        print(f"minigrad bench: unknown part(s) {unknown}; choose from {sorted(BENCH_PARTS)}",
              file=sys.stderr)
        return 2
    failed, results = [], bench_results_folder(args)
    if results is not None:
        results = results.resolve()
    with interrupt.graceful():  # Ctrl-C reaches the running script too: let it save and stop
        return _bench_parts(args, folder, results, failed)


def _bench_parts(args, folder: Path, results, failed: list) -> int:
    """Each part's script in turn; a part that exits 130 (Ctrl-C) ends the suite."""
    import subprocess
    for part in args.parts or list(BENCH_PARTS):
        reason = _bench_skip_reason(part)
        if reason:
            print(f"[{part}] skipped: {reason}", flush=True)
            continue
        command = _bench_command(folder, part, args.quick, results)
        print(f"[{part}] {Path(command[1]).name} {' '.join(command[2:])}", flush=True)
        code = subprocess.run(command, cwd=folder).returncode
        if code == interrupt.EXIT_CODE:
            print(f"[{part}] interrupted (Ctrl-C): the rounds so far are written; stopping",
                  flush=True)
            return interrupt.EXIT_CODE
        if code:
            failed.append(part)
    where = results if results is not None else folder / "results"
    print(f"benchmarks done, results in {where}" +
          (f"; FAILED: {', '.join(failed)}" if failed else "") +
          ("" if results is not None else
           ". Render README's tables with: python benchmarks/render_report.py"))
    return 1 if failed else 0


def lessons(args) -> int:
    """JupyterLab on the lessons folder of this source checkout (the ``lessons`` extra)."""
    import importlib.util
    import os
    import subprocess
    from .course.syllabus import FOLDER as folder
    if not folder.is_dir():
        print("minigrad lessons: the lessons/ folder is not next to the package; run it from a "
              "source checkout (pip install -e '.[lessons]')", file=sys.stderr)
        return EXIT_FAILED
    if importlib.util.find_spec("jupyterlab") is None:
        print("minigrad lessons: JupyterLab is not installed: pip install -e '.[lessons]'",
              file=sys.stderr)
        return EXIT_FAILED
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}",
               *args.jupyter_options]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in command:
        command.append("--allow-root")  # JupyterLab refuses root without it (containers)
    print(f"minigrad lessons: {' '.join(command)}\n  start with 00_start_here.ipynb; "
          f"Ctrl-C stops JupyterLab", flush=True)
    try:
        return subprocess.run(command).returncode
    except KeyboardInterrupt:  # JupyterLab asks to confirm its own shutdown; so do we not
        return interrupt.EXIT_CODE


def course(args) -> int:
    """Run every lesson and write them, outputs and figures in place, as a site to read."""
    _positive_int("jobs", args.jobs)
    try:
        from .course.execute import LessonFailed
        from .course.site import CourseError, build
    except ImportError as error:
        print(f"minigrad course: {error.name} is not installed: pip install -e '.[course]'",
              file=sys.stderr)
        return EXIT_FAILED
    try:
        build(args.out, quick=args.quick, jobs=args.jobs)
    except (CourseError, LessonFailed) as error:
        print(f"minigrad course: {error}", file=sys.stderr)
        return EXIT_FAILED
    return 0


def gpu_check(args) -> int:
    from .gpu_check import gpu_check as run
    return run(args.out)


def info(args) -> int:
    """Versions, devices, and which path each op family takes on each device."""
    import importlib.metadata as metadata
    from .. import __version__, cuda, kernels

    def version(package):
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"
    print(f"minigrad {__version__}; Python {sys.version.split()[0]}, " + ", ".join(
        f"{name} {version(name)}" for name in ("numpy", "numba", "numba-cuda", "cupy-cuda12x",
                                               "torch")))
    gpu = cuda.is_available()
    print("devices: cpu" + (f", cuda ({cuda.device_count()} GPU)" if gpu else
                             " (cuda: no GPU visible to CuPy)"))
    from minigrad_kernels.compile import cache_folder
    print(f"kernels: {kernels.kernels_mode()} (set_kernels / MINIGRAD_KERNELS); compiled "
          f"kernels cached in {cache_folder()}")
    print(f"{'op family':<24}{'cpu':<16}cuda")
    for family in kernels.FAMILIES:
        print(f"{family:<24}{kernels.path(family, 'cpu'):<16}{kernels.path(family, 'cuda')}")
    print(f"{'matmul':<24}{'BLAS (NumPy)':<16}cuBLAS (CuPy)")
    return 0


def main(argv=None) -> int:
    from .experiments.recipes import RECIPES
    parser = argparse.ArgumentParser(prog="minigrad", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    train_parser = commands.add_parser("train", help="train a seed twin")
    train_parser.add_argument("recipe", nargs="?", default="p2", choices=sorted(RECIPES))
    train_parser.add_argument("--dataset", choices=["fashion-mnist", "mnist", "digits"])
    train_parser.add_argument("--epochs", type=int, help="passes over the data")
    train_parser.add_argument("--steps", type=int, help="optimizer steps (GAN, attention)")
    train_parser.add_argument("--batch-size", type=int)
    train_parser.add_argument("--lr", type=float)
    train_parser.add_argument("--device", help="cpu (default) or cuda")
    train_parser.add_argument("--out", default="runs", help="runs go to OUT/RECIPE (then "
                                                            "OUT/RECIPE-2, -3... if taken)")
    train_parser.add_argument("--overwrite", action="store_true",
                              help="write into OUT/RECIPE even if it holds a run")
    train_parser.add_argument("--quiet", action="store_true")
    train_parser.add_argument("--distributed", action="store_true",
                              help="data parallel over the processes mpiexec starts: "
                                   "mpiexec -n 2 minigrad train p2 --distributed")
    commands.add_parser("recipes", help="list the seed twins")
    bench_parser = commands.add_parser("bench", help="run the benchmark suite (or some parts)")
    bench_parser.add_argument("parts", nargs="*", help=f"any of {', '.join(BENCH_PARTS)} "
                                                       f"(default: all)")
    bench_parser.add_argument("--quick", action="store_true", help="a short version")
    bench_parser.add_argument("--out", help="folder for the JSON results (default: "
                                            "runs/bench)")
    bench_parser.add_argument("--save", action="store_true", help="write into "
                              "benchmarks/results, the committed results README shows")
    commands.add_parser("gradcheck", help="gradient check table of every op")
    commands.add_parser("info", help="versions, devices, and the kernel choice per op family")
    check_parser = commands.add_parser("gpu-check", help="on a GPU machine: GPU tests and "
                                                         "kernel benchmarks")
    check_parser.add_argument("--out", default="gpu-results", help="folder for logs, JSON, PNG")
    exercises_parser = commands.add_parser("exercises", help="the lessons' exercises, and "
                                                             "which of yours pass")
    exercises_parser.add_argument("action", nargs="?", choices=["list", "check", "status"],
                                  default="list")
    exercises_parser.add_argument("notebooks", nargs="*", help="lesson notebooks to check")
    export_parser = commands.add_parser("export", help="a trained run folder as an ONNX file")
    export_parser.add_argument("run", help="a folder written by minigrad train")
    export_parser.add_argument("--format", choices=["onnx"], default="onnx")
    export_parser.add_argument("--out", help="the file (default: RUN/model.onnx)")
    predict_parser = commands.add_parser("predict", help="predict with a run folder or an "
                                                         ".onnx file")
    predict_parser.add_argument("model", help="a run folder (minigrad) or FILE.onnx "
                                              "(onnxruntime)")
    predict_parser.add_argument("inputs", nargs="+", help=".npy arrays or images")
    commands.add_parser("lessons", help="JupyterLab on the lessons (pip install -e "
                                        "'.[lessons]'); other options go to JupyterLab, e.g. "
                                        "--no-browser --port 8890")
    course_parser = commands.add_parser("course", help="build the course site: every lesson "
                                                       "run, with its outputs (the course extra)")
    course_parser.add_argument("action", choices=["build"])
    course_parser.add_argument("--quick", action="store_true",
                               help="run the lessons in quick mode (as the test suite does)")
    course_parser.add_argument("--out", default="site", help="the site's folder (default: site)")
    course_parser.add_argument("--jobs", type=int, default=1,
                               help="lessons run at the same time, each kernel given its "
                                    "share of the cores (default 1)")
    demo_parser = commands.add_parser("demo", help="train a tiny network, then gradcheck")
    demo_parser.add_argument("--epochs", type=int, default=300)
    args, unknown = parser.parse_known_args(argv)
    if args.command == "lessons":  # JupyterLab's own options pass through
        args.jupyter_options = unknown
    elif unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command is None:
        args = parser.parse_args(["train"])
    handlers = {"train": train, "recipes": recipes, "gradcheck": gradcheck, "demo": demo,
                "bench": bench, "info": info, "gpu-check": gpu_check, "export": export,
                "lessons": lessons, "course": course,
                "exercises": exercises,
                "predict": predict}
    if args.command in ("train", "demo", "bench"):
        host_memory.apply_default_policy()  # a training process: keep freed memory
    try:
        return handlers[args.command](args)
    except UsageError as error:
        print(f"minigrad {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # a second Ctrl-C: stop at once, without a traceback
        print(f"\nminigrad {args.command}: stopped (Ctrl-C)", file=sys.stderr)
        return interrupt.EXIT_CODE


if __name__ == "__main__":
    sys.exit(main())
