"""What a backend answers (``minigrad.devices``)."""
from __future__ import annotations


class Backend:
    """A device: its arrays, their module, its random numbers, its kernels' target."""

    name: str = ""             # the device name: "cpu", "cuda"
    kernel_target: str = ""    # minigrad_kernels.compile's target, kernel_table's column

    @property
    def xp(self):
        """The array module (``exp``, ``matmul``, ``zeros``...) of this device's arrays."""
        raise NotImplementedError

    def checked_xp(self):
        """The array module, checked to be usable here (a GPU present): for new arrays."""
        raise NotImplementedError

    def owns(self, array) -> bool:
        """Whether ``array`` is one of this device's arrays (decided without importing the
        array library: an array of a library not imported yet cannot exist)."""
        raise NotImplementedError

    def generator(self):
        """The random generator that draws on this device."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget any seed of this device's own generator (``manual_seed`` seeds anew)."""

    def from_host(self, array):
        """A NumPy array copied onto this device."""
        raise NotImplementedError

    def to_host(self, array):
        """One of this device's arrays copied into a NumPy array."""
        raise NotImplementedError

    def run_kernel(self, kernel, size: int, *args) -> None:
        """Run a compiled kernel (``minigrad_kernels.compile``) over ``size`` items."""
        raise NotImplementedError

    def erf(self, x):
        """The error function, elementwise (NumPy has none)."""
        raise NotImplementedError

    def scatter_add(self, target, index, values) -> None:
        """``target[index] += values`` where repeated indices all add up."""
        raise NotImplementedError

    def as_strided(self, array, shape: tuple, strides: tuple):
        """A read-only view with the given shape and byte strides (no copy)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<minigrad backend {self.name!r}>"
