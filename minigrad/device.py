"""``minigrad.device``: PyTorch's device object, and ``minigrad.accelerator``.

A ``device`` is a string ("cpu", "cuda", "cuda:0") that also answers PyTorch's questions
(``.type``, ``.index``): it compares equal to its string, so code that writes
``x.device == "cpu"`` and code that writes ``x.device.type == "cpu"`` both work, and it goes
wherever a device name goes (``tensor.to(device)``, ``zeros(..., device=device)``).
"""
from __future__ import annotations

from . import backend


class device(str):  # noqa: N801 - PyTorch's name
    """``device("cuda")``, ``device("cuda:0")``, ``device("cuda", 0)``, ``device("cpu")``."""

    def __new__(cls, type_or_name, index: int | None = None):
        if isinstance(type_or_name, device) and index is None:
            return type_or_name
        name = str(type_or_name)
        kind, _, number = name.partition(":")
        if index is not None:
            if number:
                raise ValueError(f"device: give the index once, not in {name!r} and as {index}")
            number = str(index)
        backend.normalize_device(kind)  # an unknown device type is an error naming it
        if number and not number.isdigit():
            raise ValueError(f"device: invalid index in {name!r}")
        text = f"{kind}:{number}" if number else kind
        value = super().__new__(cls, text)
        value.type, value.index = kind, int(number) if number else None
        return value

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"
