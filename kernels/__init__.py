"""minigrad_kernels: Numba CUDA kernels for minigrad's hot paths, written to be read.

This package is installed from the repository's ``kernels/`` folder under the name
``minigrad_kernels`` (the plain name ``kernels`` belongs to another distribution).

Families, each a module, each keeping its teaching progression next to its fastest version:

* ``matmul``      naive -> shared-memory tiled -> register-blocked -> ``matmul_fast``
* ``activations`` relu, leaky_relu, sigmoid, tanh, gelu: forward, backward, bias + activation
* ``softmax``     row softmax / log-softmax, softmax cross-entropy forward and backward
* ``reduce``      sums along an axis
* ``launch``      how a kernel is launched cheaply from Python (PTX through CuPy on a GPU)

and the fused kernels minigrad's ops run: ``formulas`` (the pointwise and optimizer formulas,
written once), ``compile`` (the formulas and the loops of ``loops_cpu`` / ``loops_cuda``
written out as one Numba module per target and dtype).  ``minigrad`` reaches them only
through its kernel door, ``minigrad.kernels``, which runs an op family as a kernel where
``minigrad.kernel_table`` records a measured gain (on the CPU today; on a GPU once a GPU
session has measured them), else the same formula on whole arrays.

Importing the package picks Numba's CUDA target: the real GPU when CuPy sees one, otherwise
the CUDA simulator (``runtime``), so every kernel runs anywhere — slowly without a GPU.
"""
from .runtime import use_simulator_unless_gpu

use_simulator_unless_gpu()  # must precede the first import of numba

KERNEL_FAMILIES: tuple[str, ...] = ("matmul", "activations", "softmax", "reduce")
"""The kernel modules, in the order lesson 11 teaches them."""
