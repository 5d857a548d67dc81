"""cupy.cuda as far as minigrad uses it: one device, synchronize, the runtime's queries."""
from . import runtime  # noqa: F401


class Device:
    def __init__(self, device=None):
        self.id = 0 if device is None else int(device)

    def synchronize(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def is_available() -> bool:
    return True
