"""README's results section is rendered from the committed JSON, deterministically."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_renderer():
    spec = importlib.util.spec_from_file_location("render_report",
                                                  ROOT / "benchmarks" / "render_report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_render_is_deterministic_and_readme_is_current():
    renderer = load_renderer()
    results = renderer.load_results()
    assert {"overhead", "optim", "recipes_p2"} <= set(results)
    first, second = renderer.render(results), renderer.render(renderer.load_results())
    assert first == second and "| P2 MLP 784-128-64-10 |" in first
    assert renderer.update_readme(first) == (ROOT / "README.md").read_text()


def test_gpu_kernels_render_from_a_results_file_or_say_they_are_missing():
    renderer = load_renderer()
    assert "not measured yet" in "\n".join(renderer.kernels_section(None))
    result = {"device": "NVIDIA H100", "command": "python3 bench_kernels.py",
              "matmul_tflops": {"512": {"cublas": 20.0, "naive": 1.0, "fast": 9.0},
                                "8192": {"cublas": 50.0, "fast": 31.0}},
              "best_vs_cublas_at_4096": 0.62,
              "elementwise": {"relu_GBps": 2900.0, "fraction_of_copy": 0.9},
              "launch": {"minigrad_launch_us": 9.0, "numba_dispatch_us": 80.0,
                         "cupy_elementwise_us": 14.0},
              "p2_step": {"minigrad_ms": 1.2, "torch_ms": 1.5, "ratio_vs_torch": 0.8}}
    text = "\n".join(renderer.kernels_section(result))
    assert "| n | cublas | naive | fast |" in text
    assert "| 8192 | 50 | — | 31 |" in text
    assert "0.62× of cuBLAS" in text and "0.80× (target ≤ 1.0×)" in text
