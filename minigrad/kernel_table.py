"""Which op families run as fused kernels under ``set_kernels("auto")``, per device class.

A family is True on a device only where a committed benchmark measured its kernel faster than
its array formula there: ``python benchmarks/bench_fusion.py`` times both, in the same run,
and prints this table (its results are ``benchmarks/results/fusion.json``).  No GPU session
has measured the CUDA kernels yet, so on "cuda" every family uses CuPy until one does
(``minigrad gpu-check`` runs the measurement and prints the table to commit).
"""

TABLE = {
    # family                  cpu    cuda
    "pointwise":            {"cpu": True, "cuda": False},   # activation forward/backward
    "softmax_cross_entropy": {"cpu": True, "cuda": False},
    "optimizer":            {"cpu": True, "cuda": False},   # SGD, Adam, AdamW, RMSprop
    "lstm":                 {"cpu": True, "cuda": False},   # one cell step, forward/backward
    "max_pool":             {"cpu": True, "cuda": False},
}
