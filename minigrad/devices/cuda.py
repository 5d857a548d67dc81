"""An NVIDIA GPU: CuPy arrays, CuPy's random numbers, Numba's CUDA kernels."""
from __future__ import annotations

from .base import Backend


def _cupy():
    """Import CuPy, or explain why the "cuda" device is unavailable."""
    try:
        import cupy
    except ImportError as err:  # pragma: no cover - depends on the machine
        raise RuntimeError(
            "device 'cuda' needs CuPy and an NVIDIA GPU: pip install 'minigrad[gpu]'") from err
    return cupy


class CUDA(Backend):
    name = kernel_target = "cuda"

    def __init__(self):
        self._generator = None
        self._seed = None    # set by cuda.manual_seed, used when the generator is made

    @property
    def xp(self):
        return _cupy()

    def checked_xp(self):
        """CuPy, checked to see a GPU (CuPy imports fine on machines without one)."""
        cupy = _cupy()
        from ..cuda import device_count
        if device_count() == 0:
            raise RuntimeError("device 'cuda' needs an NVIDIA GPU, and CuPy sees none here "
                               "(minigrad.cuda.is_available() is False); use device='cpu'")
        return cupy

    def owns(self, array) -> bool:
        return type(array).__module__.startswith("cupy")

    def generator(self):
        """CuPy's generator, seeded by ``cuda.manual_seed`` or else from the default
        generator, the first time it is asked for after a seed was set."""
        if self._generator is None:
            from .. import random
            seed = self._seed
            seed = int(random.default_generator.numpy.integers(2 ** 63)) if seed is None else seed
            self._generator = self.checked_xp().random.default_rng(seed)
        return self._generator

    def seed(self, seed) -> None:
        """Seed this device's generator (made when first used: no GPU is touched here)."""
        self._seed, self._generator = int(seed) % 2 ** 64, None

    def reset(self) -> None:
        """Forget the seed and the generator (``manual_seed`` seeds everything anew)."""
        self._seed = self._generator = None

    def from_host(self, array):
        return self.checked_xp().asarray(array)

    def to_host(self, array):
        return array.get()

    def run_kernel(self, kernel, size: int, *args) -> None:
        """Through the cheap launch path, with a grid covering ``size`` items (the kernels
        loop grid-stride, so any grid works)."""
        from minigrad_kernels.launch import launch
        threads = 256
        launch(kernel, (max(1, min(1024, -(-size // threads))),), (threads,), *args)

    def erf(self, x):  # pragma: no cover - GPU only
        from cupyx.scipy.special import erf
        return erf(x)

    def scatter_add(self, target, index, values) -> None:  # pragma: no cover - GPU only
        import cupyx
        cupyx.scatter_add(target, index, values)

    def as_strided(self, array, shape: tuple, strides: tuple):  # pragma: no cover - GPU only
        from cupy.lib.stride_tricks import as_strided
        return as_strided(array, shape, strides)
