"""PyTorch's ``torch.backends.cuda`` flags, accepted: ``matmul.allow_tf32`` (nanoGPT sets it)
changes nothing here, since minigrad's float32 matmuls are float32 throughout."""
from types import SimpleNamespace

matmul = SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                         allow_bf16_reduced_precision_reduction=True)


def is_built() -> bool:
    """Whether this build has CUDA support: minigrad's GPU path is CuPy, present or not."""
    from ... import cuda
    return cuda.is_available()
