"""The IDX file format of MNIST and Fashion-MNIST.

An IDX file is a 4-byte magic number — two zero bytes, a type code (0x08 = unsigned byte) and
the number of dimensions — then one big-endian uint32 per dimension, then the values in C
order.  ``load_idx`` reads one (plain or gzip-compressed) and checks that the data is exactly as
long as the header says: a truncated download is an error, never a silently short array.
"""
from __future__ import annotations

import gzip
import math
from pathlib import Path

import numpy as np

_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
          0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


class IDXError(ValueError):
    """A file that is not a complete IDX file."""


CHUNK = 1 << 20  # bytes read at a time from a gzip stream


def load_idx(path) -> np.ndarray:
    """The array stored in an IDX file (``.gz`` files are decompressed).  The header is read
    first and the data only up to the length it promises (plus one byte, to tell a file that
    is too long): a damaged or hostile file never makes this allocate more than that, nor more
    than a plain file's own size."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as file:
            head = file.read(4)
            ndim = head[3] if len(head) == 4 else 0
            head += file.read(4 * ndim)
            dtype, shape, expected = _header(head, str(path))
            if opener is open and path.stat().st_size != expected:
                raise IDXError(_length_message(str(path), shape, expected, path.stat().st_size))
            body = _read_at_most(file, expected - len(head) + 1)
    except (OSError, EOFError, gzip.BadGzipFile) as err:  # a truncated gzip stream ends here
        raise IDXError(f"{path}: cannot read the file ({err}); it may be truncated or "
                       f"corrupted: delete it and download it again") from None
    return parse_idx(head + body, str(path))


def _read_at_most(file, limit: int) -> bytes:
    """Up to ``limit`` bytes, read in chunks (never a whole stream of unknown length)."""
    parts, size = [], 0
    while size < limit:
        part = file.read(min(CHUNK, limit - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _header(raw: bytes, name: str):
    """(dtype, shape, total file length in bytes) from an IDX header, sizes in Python ints."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _TYPES:
        raise IDXError(f"{name}: not an IDX file (magic number {raw[:4].hex() or 'missing'}; "
                       f"expected 0000 followed by a type code and a dimension count)")
    dtype, ndim = np.dtype(_TYPES[raw[2]]), raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IDXError(f"{name}: truncated header ({len(raw)} bytes, need {header})")
    shape = tuple(int.from_bytes(raw[4 + 4 * k:8 + 4 * k], "big") for k in range(ndim))
    return dtype, shape, header + math.prod(shape) * dtype.itemsize


def _length_message(name: str, shape: tuple, expected: int, actual: int) -> str:
    return (f"{name}: the header promises shape {shape} ({expected} bytes) but the file has "
            f"{actual} bytes: it is {'truncated' if actual < expected else 'too long'}")


def parse_idx(raw: bytes, name: str = "IDX data") -> np.ndarray:
    """The array in the bytes of an IDX file, after checking magic number and length."""
    dtype, shape, expected = _header(raw, name)
    if len(raw) != expected:
        raise IDXError(_length_message(name, shape, expected, len(raw)))
    header = 4 + 4 * len(shape)
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def save_idx(array: np.ndarray, path) -> None:
    """Write ``array`` (uint8, int8, int16, int32, float32 or float64) as an IDX file."""
    codes = {np.dtype(v).newbyteorder("=").str: k for k, v in _TYPES.items()}
    code = codes.get(array.dtype.newbyteorder("=").str)
    if code is None:
        raise TypeError(f"save_idx: dtype {array.dtype} has no IDX type code")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    body = np.ascontiguousarray(array).astype(np.dtype(_TYPES[code])).tobytes()
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as file:
        file.write(header + body)
