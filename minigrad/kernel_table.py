"""Which op families run as fused kernels under ``set_kernels("auto")``, per device class.

A family is True on a device only where a committed benchmark measured its kernel faster than
its array formula there: ``python benchmarks/bench_fusion.py`` times both, in the same run,
and prints this table (its results are ``benchmarks/results/fusion.json``).  No GPU session
has measured the CUDA kernels yet, so on "cuda" every family uses CuPy until one does
(``minigrad gpu-check`` runs the measurement and prints the table to commit).
"""

TABLE = {  # kernel ÷ array formula on a 2-core AVX-512 CPU, in bench_fusion's same-run ratios
    "pointwise": {"cpu": True, "cuda": False},              # 0.71: activation fwd+bwd
    "softmax_cross_entropy": {"cpu": True, "cuda": False},  # 0.92
    "optimizer": {"cpu": True, "cuda": False},              # 0.34: SGD, Adam, AdamW, RMSprop
    "lstm": {"cpu": False, "cuda": False},                  # 1.01: the GEMMs dominate a step
    "max_pool": {"cpu": False, "cuda": False},              # 1.14: the layout copies dominate
}
