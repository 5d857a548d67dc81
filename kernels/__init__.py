"""minigrad_kernels: Numba CUDA kernels for minigrad's hot paths, written to be read.

This package is installed from the repository's ``kernels/`` folder under the name
``minigrad_kernels`` (the plain name ``kernels`` belongs to another distribution).

Families, each a module, each keeping its teaching progression next to its fastest version:

* ``matmul``      naive -> shared-memory tiled -> register-blocked -> ``matmul_fast``
* ``activations`` relu, leaky_relu, sigmoid, tanh, gelu: forward, backward, bias + activation
* ``softmax``     row softmax / log-softmax, softmax cross-entropy forward and backward
* ``reduce``      sums along an axis
* ``launch``      how a kernel is launched cheaply from Python (PTX through CuPy on a GPU)

Importing the package picks Numba's CUDA target: the real GPU when CuPy sees one, otherwise
the CUDA simulator (``runtime``), so every kernel runs anywhere — slowly without a GPU.
``minigrad`` itself never imports this package: on the GPU its ops use CuPy and cuBLAS unless
a benchmark shows a kernel here is faster (see ``minigrad.backend``).
"""
from .runtime import use_simulator_unless_gpu

use_simulator_unless_gpu()  # must precede the first import of numba

KERNEL_FAMILIES: tuple[str, ...] = ("matmul", "activations", "softmax", "reduce")
"""The kernel modules, in the order lesson 11 teaches them."""
