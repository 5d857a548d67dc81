"""minigrad_kernels: Numba CUDA kernels for minigrad's hot paths.

This package is installed from the repository's ``kernels/`` folder under the name
``minigrad_kernels`` (the plain name ``kernels`` belongs to another distribution).

Each kernel family will keep its teaching progression next to its fastest version, e.g. matmul:
naive -> shared-memory tiled -> register-blocked -> tuned.  The kernels arrive with the GPU work;
until then this package only marks the place where they live, and ``minigrad`` never imports it
on the CPU path.
"""

KERNEL_FAMILIES: tuple[str, ...] = ()
"""Names of the kernel families shipped so far (none yet: the CPU engine needs none)."""
