"""PyTorch's cuDNN flags, accepted and ignored (minigrad does not call cuDNN)."""
benchmark = False
deterministic = False
enabled = True
allow_tf32 = True


def is_available() -> bool:
    return False
