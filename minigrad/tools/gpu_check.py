"""``minigrad gpu-check``: everything a machine with an NVIDIA GPU should prove, in one command.

It needs a source checkout (the tests and benchmarks), CuPy and numba-cuda already installed,
and no network.  Every step runs in its own process with ``MINIGRAD_REQUIRE_GPU=1`` (so
nothing falls back to the CUDA simulator or the CuPy stand-in unnoticed), writes its output to
``<out>/<step>.log``, and a failing step does not stop the later ones; the command exits 1 if
any failed.  The steps:

1. **probe** — versions and driver; the simulator is off; a Numba kernel compiled to a cubin
   and launched through CuPy from memory computes a known matrix product (the launch path no
   CPU test can reach); ``backward()`` on "cuda"; each fused kernel family once.
2. **tests** — the device catalogue (every op, layer, optimizer, training step) on CuPy, every
   CUDA kernel for real, the fused kernels against their formulas, second derivatives on CUDA.
3. **kernels** — ``benchmarks/bench_kernels.py``: each matmul kernel's TFLOPS against cuBLAS at
   512…8192, activation bandwidth against a copy, µs per launch, P2's step against PyTorch.
4. **fusion** — ``benchmarks/bench_fusion.py --device cuda``: each fused family against CuPy's
   array formula, and the ``kernel_table`` entries the measurement supports.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = r'''
import numpy as np
import cupy, numba, numba_cuda, minigrad as mg
from minigrad_kernels import launch, matmul, runtime
print("cupy", cupy.__version__, "numba", numba.__version__, "numba-cuda", numba_cuda.__version__,
      "driver", cupy.cuda.runtime.driverGetVersion(),
      "device", cupy.cuda.runtime.getDeviceProperties(0)["name"].decode())
assert not runtime.simulated(), "Numba's CUDA simulator is selected"
a, b = cupy.ones((33, 17), "f"), cupy.ones((17, 40), "f")
c = matmul.matmul(a, b, "tiled")
assert float(c[0, 0]) == 17.0 and isinstance(c, cupy.ndarray), "cubin launch through CuPy"
print("cubin launch through CuPy: ok", [k.name for k in launch._compiled.values()])
x = mg.randn(3, 4, device="cuda", requires_grad=True)
(x * x).sum().backward()
assert np.allclose(x.grad.cpu().numpy(), 2 * x.detach().cpu().numpy()), "backward on cuda"
mg.set_kernels("on")
y = mg.functional.sigmoid(x)
loss = mg.functional.cross_entropy(y, mg.tensor([0, 1, 2], device="cuda"))
loss.backward()
print("fused kernels on cuda: ok; loss", loss.item())
k = matmul.matmul_fast.compile("void(float32[:, ::1], float32[:, ::1], float32[:, ::1])")
print("matmul_fast registers / local / shared:", k.regs_per_thread, k.local_mem_per_thread,
      k.shared_mem_per_block)
'''

STEPS = {
    "probe": [sys.executable, "-c", PROBE],
    "tests": [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf",
              "tests/test_kernels.py", "tests/test_devices.py", "tests/test_fused_kernels.py",
              "tests/test_fake_cupy.py"],
    "kernels": [sys.executable, "benchmarks/bench_kernels.py", "--out", "{out}"],
    "fusion": [sys.executable, "benchmarks/bench_fusion.py", "--device", "cuda", "--out",
               "{out}"],
}


def gpu_check(out: str | None = None) -> int:
    """Run the steps (module docstring); 0 when all passed, 1 otherwise, 2 when they cannot
    run here at all."""
    from ..cuda import is_available
    if not (ROOT / "tests").is_dir() or not (ROOT / "benchmarks").is_dir():
        print("minigrad gpu-check: needs a source checkout (tests/ and benchmarks/ next to "
              "the package)", file=sys.stderr)
        return 2
    if not is_available():
        print("minigrad gpu-check: no NVIDIA GPU visible to CuPy here (install minigrad[gpu] "
              "on a GPU machine)", file=sys.stderr)
        return 2
    folder = Path(out or "gpu-results").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env["MINIGRAD_REQUIRE_GPU"] = "1"
    failed = []
    for name, command in STEPS.items():
        command = [part.replace("{out}", str(folder)) for part in command]
        start = time.perf_counter()
        with open(folder / f"{name}.log", "w") as log:
            code = subprocess.run(command, cwd=ROOT, env=env, stdout=log,
                                  stderr=subprocess.STDOUT).returncode
        seconds = time.perf_counter() - start
        print(f"[{name}] {'ok' if code == 0 else 'FAILED'} in {seconds:.0f} s "
              f"({folder / (name + '.log')})", flush=True)
        if code:
            failed.append(name)
    print(f"gpu-check: {'all passed' if not failed else 'FAILED: ' + ', '.join(failed)}; "
          f"results in {folder}")
    return 1 if failed else 0
