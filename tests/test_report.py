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
