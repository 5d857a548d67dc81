"""Data: the IDX parser, MNIST/Fashion-MNIST lookup and download, generated sets, batching."""
import gzip
import hashlib

import numpy as np
import pytest

from minigrad.data import (DataLoader, DatasetNotFound, IDXError, TensorDataset, digits,
                           house_prices, load_idx, moons, normalize, random_split, save_idx,
                           spirals, to_categorical)
from minigrad.data import mnist_sets as mnist_module


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.float32])
def test_idx_round_trip(tmp_path, suffix, dtype):
    array = (np.arange(2 * 3 * 4) % 200).astype(dtype).reshape(2, 3, 4)
    path = tmp_path / f"data{suffix}"
    save_idx(array, path)
    loaded = load_idx(path)
    assert loaded.dtype == np.dtype(dtype) and np.array_equal(loaded, array)


def test_idx_truncated_and_wrong_magic_are_errors(tmp_path):
    path = tmp_path / "images"
    save_idx(np.zeros((10, 28, 28), np.uint8), path)
    raw = path.read_bytes()
    path.write_bytes(raw[:-100])
    with pytest.raises(IDXError, match=r"promises shape \(10, 28, 28\).*truncated"):
        load_idx(path)
    path.write_bytes(b"\x01\x02\x08\x03" + raw[4:])
    with pytest.raises(IDXError, match="not an IDX file"):
        load_idx(path)
    path.write_bytes(raw + b"\x00")
    with pytest.raises(IDXError, match="too long"):
        load_idx(path)
    gz = tmp_path / "images.gz"
    gz.write_bytes(gzip.compress(raw)[:-50])
    with pytest.raises(IDXError, match="truncated or corrupted"):
        load_idx(gz)


def fake_mnist_files(folder, n_train=12, n_test=5):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        save_idx(rng.integers(0, 256, (n, 28, 28)).astype(np.uint8),
                 folder / f"{prefix}-images-idx3-ubyte.gz")
        save_idx(rng.integers(0, 10, n).astype(np.uint8), folder / f"{prefix}-labels-idx1-ubyte.gz")


def test_loader_finds_files_in_root_and_environment(tmp_path, monkeypatch):
    fake_mnist_files(tmp_path / "mnist")
    x, y = mnist_module.mnist(root=tmp_path, download=False)
    assert x.shape == (12, 28, 28) and x.dtype == np.uint8 and y.dtype == np.int64
    monkeypatch.setenv("MINIGRAD_DATA", str(tmp_path))
    assert mnist_module.mnist(train=False, download=False)[0].shape == (5, 28, 28)


def test_missing_data_error_lists_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist_module, "CACHE", tmp_path / "cache")
    with pytest.raises(DatasetNotFound) as info:
        mnist_module.mnist(root=tmp_path, download=False)
    message = str(info.value)
    assert str(tmp_path / "mnist") in message and "/usr/share/datasets" in message
    assert "download=False" in message and "MINIGRAD_DATA" in message


def test_download_verifies_checksums(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    fake_mnist_files(mirror)
    md5 = {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in mirror.iterdir()}
    spec = {"mirrors": [f"file://{tmp_path}/missing/", f"file://{mirror}/"], "md5": md5,
            "hint": "test"}
    monkeypatch.setitem(mnist_module.DATASETS, "mnist", spec)
    monkeypatch.setattr(mnist_module, "CACHE", tmp_path / "cache")
    x, y = mnist_module.mnist()
    assert x.shape == (12, 28, 28)
    assert (tmp_path / "cache" / "mnist" / "train-images-idx3-ubyte.gz").is_file()
    bad = dict(spec, md5={k: "0" * 32 for k in md5})
    monkeypatch.setitem(mnist_module.DATASETS, "mnist", bad)
    monkeypatch.setattr(mnist_module, "CACHE", tmp_path / "cache2")
    with pytest.raises(DatasetNotFound, match="checksum"):
        mnist_module.mnist(train=False)
    assert not (tmp_path / "cache2" / "mnist" / "t10k-images-idx3-ubyte.gz").exists()


def test_fashion_mnist_from_debian_package_when_installed():
    try:
        x, y = mnist_module.fashion_mnist(train=False, download=False)
    except DatasetNotFound:
        pytest.skip("dataset-fashion-mnist is not installed")
    assert x.shape == (10000, 28, 28) and set(np.unique(y)) == set(range(10))


def test_digits_and_generated_sets():
    x, y = digits()
    assert x.shape == (1797, 8, 8) and x.max() == 16 and y.shape == (1797,)
    x, y = house_prices(500, noise=0.1, seed=3)
    w, b = np.polyfit(x[:, 0], y[:, 0], 1)
    assert abs(w - 2.5) < 0.05 and abs(b - 1.0) < 0.05
    for make in (moons, spirals):
        points, labels = make(300)
        assert points.shape == (300, 2) and points.dtype == np.float32
        assert np.array_equal(make(300)[0], points)  # same seed, same data


def test_dataloader_batches_shuffles_and_repeats():
    data = TensorDataset(np.arange(10), np.arange(10) * 2)
    batches = list(DataLoader(data, batch_size=4))
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    assert batches[0][1].tolist() == [0, 2, 4, 6]
    assert len(DataLoader(data, batch_size=4, drop_last=True)) == 2
    first = [b[0].tolist() for b in DataLoader(data, 3, shuffle=True, seed=5)]
    again = [b[0].tolist() for b in DataLoader(data, 3, shuffle=True, seed=5)]
    assert first == again and sorted(sum(first, [])) == list(range(10))
    loader = DataLoader(data, 10, shuffle=True, seed=5)
    assert next(iter(loader))[0].tolist() != next(iter(loader))[0].tolist()  # new order per epoch
    with pytest.raises(ValueError, match="same length"):
        TensorDataset(np.arange(3), np.arange(4))


def test_random_split():
    data = TensorDataset(np.arange(10))
    a, b = random_split(data, [7, 3], seed=1)
    assert len(a) == 7 and len(b) == 3
    assert sorted(a.indices.tolist() + b.indices.tolist()) == list(range(10))
    assert [len(s) for s in random_split(data, [0.5, 0.5])] == [5, 5]
    with pytest.raises(ValueError, match="do not add up"):
        random_split(data, [4, 4])


def test_preprocessing():
    assert np.allclose(normalize(np.array([0, 255, 127.5])), [-1, 1, 0])
    assert to_categorical([2, 0], 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    with pytest.raises(ValueError, match="labels must be in 0..2"):
        to_categorical([3], 3)


def test_idx_reading_is_bounded_by_the_header(tmp_path):
    """A gzip stream far longer than its header promises (a 'zip bomb') is refused after
    reading one byte more than promised, not after inflating all of it."""
    import gzip
    import tracemalloc
    from minigrad.data import idx
    bomb = tmp_path / "bomb-idx1-ubyte.gz"
    with gzip.open(bomb, "wb") as file:
        file.write(bytes([0, 0, 0x08, 1]) + (10).to_bytes(4, "big"))
        for _ in range(64):
            file.write(bytes(1 << 20))            # 64 MiB of zeros, ~64 KiB compressed
    tracemalloc.start()
    with pytest.raises(IDXError, match=r"promises shape \(10,\) \(18 bytes\) but the file has "
                                       r"19 bytes: it is too long"):
        idx.load_idx(bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4 << 20


def test_idx_header_sizes_are_python_ints_and_checked_against_the_file(tmp_path):
    huge = tmp_path / "huge-idx3-ubyte"
    huge.write_bytes(bytes([0, 0, 0x08, 3]) + (2**32 - 1).to_bytes(4, "big") * 3 + b"\0" * 8)
    with pytest.raises(IDXError, match=r"promises shape \(4294967295, 4294967295, 4294967295\) "
                                       r"\(79228162458924105385300197391 bytes\) but the file has "
                                       r"24 bytes: it is truncated"):
        load_idx(huge)


def test_mnist_files_with_the_wrong_dtype_or_labels_are_refused(tmp_path, monkeypatch):
    from minigrad.data import mnist_sets
    monkeypatch.setattr(mnist_sets, "search_folders", lambda name, root=None: [tmp_path])
    save_idx(np.zeros((3, 28, 28), np.uint8), tmp_path / "t10k-images-idx3-ubyte")
    save_idx(np.array([1, 2, 12], np.uint8), tmp_path / "t10k-labels-idx1-ubyte")
    with pytest.raises(ValueError, match="labels must be classes 0..9; .* holds values up to 12"):
        mnist_sets.load_split("mnist", train=False, download=False)
    save_idx(np.zeros((3, 28, 28), np.float32), tmp_path / "t10k-images-idx3-ubyte")
    with pytest.raises(ValueError, match="expected uint8 images and labels, got float32"):
        mnist_sets.load_split("mnist", train=False, download=False)
