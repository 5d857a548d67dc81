"""Which op families run as fused kernels under ``set_kernels("auto")``, per device class.

A family is True on a device only where a committed benchmark measured its kernel clearly
faster (ratio below 0.95) than its array formula there: ``python benchmarks/bench_fusion.py``
times both, in the same run, and prints this table (its results are
``benchmarks/results/fusion.json``) — and no whole training step measured it slower.  No GPU
session has measured the CUDA kernels yet, so on "cuda" every family uses CuPy until one does
(``minigrad gpu-check`` runs the measurement and prints the table to commit).
"""

TABLE = {  # kernel ÷ array formula on a 2-core AVX-512 CPU, in bench_fusion's same-run ratios
    "pointwise": {"cpu": True, "cuda": False},              # 0.57: activation fwd+bwd
    "softmax_cross_entropy": {"cpu": False, "cuda": False},  # 1.38: scalar exp per class
    "optimizer": {"cpu": True, "cuda": False},              # 0.22: SGD, Adam, AdamW, RMSprop
    "lstm": {"cpu": True, "cuda": False},                   # 0.70: the cell step, fwd+bwd
    "max_pool": {"cpu": True, "cuda": False},               # 0.62: pool of a conv's output
    "bias_activation": {"cpu": False, "cuda": False},       # 0.87 alone, but P2's whole
    #   training step ran 3-4% slower with it (bench_overhead's step, A/B at 1 and 2 threads)
    "fold": {"cpu": True, "cuda": False},                   # 0.92: a conv with its col2im
    "where": {"cpu": True, "cuda": False},                  # 0.17: a random mask, fwd+bwd
}
