"""Samplers, a lazy DataLoader and Generators, as PyTorch has them: the order a loader visits a
data set in (the same batches as torch.utils.data for the deterministic samplers), endless
samplers that never build their order (makemore's and minGPT's loaders), and seeded
generators that repeat their draws."""
import itertools
import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad.utils.data import (BatchSampler, DataLoader, RandomSampler, SequentialSampler,
                                 TensorDataset, random_split)

def _torch():
    """PyTorch for the tests that compare with it (skipped without it)."""
    return pytest.importorskip("torch")


# ----------------------------------------------------------------------------- samplers


@given(n=st.integers(0, 40), batch_size=st.integers(1, 9), drop_last=st.booleans())
def test_sequential_batches_are_torchs(n, batch_size, drop_last):
    torch = _torch()
    ours = BatchSampler(SequentialSampler(range(n)), batch_size, drop_last)
    theirs = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(n)),
                                           batch_size, drop_last)
    assert list(ours) == list(theirs) and len(ours) == len(theirs)


@given(n=st.integers(1, 30), num_samples=st.one_of(st.none(), st.integers(1, 100)),
       replacement=st.booleans())
def test_random_sampler_counts_and_values(n, num_samples, replacement):
    torch = _torch()
    ours = RandomSampler(range(n), replacement, num_samples, mg.Generator().manual_seed(1))
    theirs = torch.utils.data.RandomSampler(range(n), replacement, num_samples)
    drawn = list(ours)
    assert len(drawn) == len(ours) == len(theirs) == len(list(theirs))
    assert all(isinstance(i, int) and 0 <= i < n for i in drawn)
    if not replacement:  # each full pass a permutation, then a part of one
        for start in range(0, len(drawn) - n + 1, n):
            assert sorted(drawn[start:start + n]) == list(range(n))
        assert len(set(drawn[len(drawn) // n * n:])) == len(drawn) % n


def test_random_sampler_refuses_what_torch_refuses():
    with pytest.raises(ValueError, match="num_samples"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(TypeError, match="replacement"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="batch_size"):
        BatchSampler(range(3), 0, False)


def test_a_generator_repeats_the_order_and_manual_seed_repeats_the_default():
    def order(generator=None):
        return list(RandomSampler(range(50), generator=generator))
    assert order(mg.Generator().manual_seed(7)) == order(mg.Generator().manual_seed(7))
    assert order(mg.Generator().manual_seed(7)) != order(mg.Generator().manual_seed(8))
    mg.manual_seed(3)
    first = order()
    mg.manual_seed(3)
    assert order() == first and sorted(first) == list(range(50))


# ----------------------------------------------------------------------------- the loader


def test_an_endless_sampler_gives_batches_at_once_without_growing_memory():
    """makemore's InfiniteDataLoader: RandomSampler(replacement=True, num_samples=10**10)."""
    data = TensorDataset(mg.arange(1000), mg.arange(1000) * 2)
    sampler = RandomSampler(data, replacement=True, num_samples=10 ** 10)
    loader = DataLoader(data, batch_size=32, sampler=sampler)
    assert len(loader) == -(-10 ** 10 // 32)  # ceil, as torch
    tracemalloc.start()
    try:
        batches = list(itertools.islice(iter(loader), 2000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(batches) == 2000 and peak < 20e6  # the 10^10 indices alone would be 80 GB
    x, y = batches[-1]
    assert x.shape == (32,) and np.array_equal(y.numpy(), 2 * x.numpy())


def test_a_sampler_without_a_length_iterates_and_len_says_why_not():
    class Endless:
        def __iter__(self):
            return itertools.count()
    data = TensorDataset(mg.arange(10 ** 6))
    loader = DataLoader(data, batch_size=4, sampler=Endless())
    assert next(iter(loader))[0].tolist() == [0, 1, 2, 3]
    with pytest.raises(TypeError, match="no length"):
        len(loader)


def test_batch_sampler_decides_the_batches_and_excludes_the_other_options():
    data = TensorDataset(mg.arange(10))
    batches = BatchSampler(SequentialSampler(data), 4, drop_last=True)
    loader = DataLoader(data, batch_sampler=batches)
    assert [b[0].tolist() for b in loader] == [[0, 1, 2, 3], [4, 5, 6, 7]] and len(loader) == 2
    for options in ({"batch_size": 2}, {"shuffle": True}, {"drop_last": True},
                    {"sampler": SequentialSampler(data)}):
        with pytest.raises(ValueError, match="batch_sampler"):
            DataLoader(data, batch_sampler=batches, **options)


def test_shuffling_with_a_generator_or_a_seed_repeats_each_epoch_differently():
    data = TensorDataset(mg.arange(20))

    def epochs(loader):
        return [[b[0].tolist() for b in loader] for _ in range(2)]
    a = epochs(DataLoader(data, 5, shuffle=True, generator=mg.Generator().manual_seed(4)))
    b = epochs(DataLoader(data, 5, shuffle=True, generator=mg.Generator().manual_seed(4)))
    assert a == b and a[0] != a[1]
    assert epochs(DataLoader(data, 5, shuffle=True, seed=2)) == \
        epochs(DataLoader(data, 5, shuffle=True, seed=2))


def test_torchs_module_paths():
    from minigrad.utils.data.dataloader import DataLoader as loader
    from minigrad.utils.data.dataset import Dataset, random_split as split  # noqa: F401
    from minigrad.utils.data.sampler import DistributedSampler, RandomSampler as sampler  # noqa
    assert loader is DataLoader and sampler is RandomSampler and split is random_split


def test_random_split_with_a_generator():
    data = TensorDataset(mg.arange(10))
    parts = [random_split(data, [7, 3], generator=mg.Generator().manual_seed(5))
             for _ in range(2)]
    assert [list(p.indices) for p in parts[0]] == [list(p.indices) for p in parts[1]]
    assert sorted(np.concatenate([p.indices for p in parts[0]])) == list(range(10))


# ----------------------------------------------------------------------------- generators


def test_generator_seeds_and_repeats():
    g = mg.Generator()
    assert g.manual_seed(42) is g and g.initial_seed() == 42
    first = mg.randn(5, generator=g)
    g.manual_seed(42)
    assert np.array_equal(mg.randn(5, generator=g).numpy(), first.numpy())
    other = mg.Generator().manual_seed(42)
    mg.randn(3)  # draws from the default generator do not move g's sequence
    assert np.array_equal(mg.randn(5, generator=other).numpy(), first.numpy())
    assert mg.manual_seed(9) is mg.default_generator and mg.initial_seed() == 9
    assert isinstance(g.seed(), int) and g.initial_seed() != 42
    with pytest.raises(TypeError, match="integer"):
        g.manual_seed(1.5)
    with pytest.raises(TypeError, match="Generator"):
        mg.rand(2, generator=3)


def test_every_random_function_takes_a_generator():
    def draws(g):
        return [mg.rand(3, generator=g), mg.randn(2, 2, generator=g),
                mg.randint(10, (4,), generator=g), mg.randperm(6, generator=g),
                mg.multinomial(mg.tensor([0.2, 0.3, 0.5]), 2, generator=g),
                mg.zeros(3).normal_(generator=g), mg.zeros(3).uniform_(generator=g)]
    first, again = draws(mg.Generator().manual_seed(1)), draws(mg.Generator().manual_seed(1))
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(first, again))


def test_randint_takes_torchs_signatures():
    torch = _torch()
    for args, kwargs in [((10, (3, 2)), {}), ((5, 8, (4,)), {}), ((3,), {"size": (2, 2)}),
                         ((2, 4), {"size": [5]})]:
        ours, theirs = mg.randint(*args, **kwargs), torch.randint(*args, **kwargs)
        assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == "int64"
        low, high = (0, args[0]) if len(args) == 1 or (len(args) == 2 and not kwargs) \
            else args[:2]
        assert low <= ours.numpy().min() and ours.numpy().max() < high
    assert mg.randint(0, 3, (50,), dtype=mg.float32).dtype == mg.float32
    with pytest.raises(ValueError, match="randint: low"):
        mg.randint(5, 5, (2,))
    with pytest.raises(TypeError, match="randint"):
        mg.randint(5)


def test_randperm_is_a_permutation():
    torch = _torch()
    ours = mg.randperm(12)
    assert sorted(ours.tolist()) == list(range(12)) and ours.dtype == mg.int64
    assert ours.shape == tuple(torch.randperm(12).shape)
    assert mg.randperm(0).shape == (0,)
    with pytest.raises(ValueError, match="randperm"):
        mg.randperm(-1)


def test_multinomial_draws_in_proportion_and_never_a_zero_weight():
    torch = _torch()
    weights = mg.tensor([1.0, 0.0, 3.0, 4.0])
    g = mg.Generator().manual_seed(0)
    drawn = mg.multinomial(weights, 40_000, replacement=True, generator=g).numpy()
    frequencies = np.bincount(drawn, minlength=4) / drawn.size
    assert frequencies[1] == 0 and np.allclose(frequencies, [0.125, 0, 0.375, 0.5], atol=0.01)
    without = weights.multinomial(3, generator=g).numpy()
    assert sorted(without) == [0, 2, 3]  # every non-zero category once
    rows = mg.tensor([[1.0, 1.0, 0.0], [0.0, 2.0, 2.0]])
    ours, theirs = mg.multinomial(rows, 2), torch.multinomial(torch.tensor(rows.numpy()), 2)
    assert ours.shape == tuple(theirs.shape) and ours.dtype == mg.int64
    assert set(ours.numpy()[0]) == {0, 1} and set(ours.numpy()[1]) == {1, 2}
    with pytest.raises(ValueError, match="without replacement"):
        mg.multinomial(weights, 4)
    with pytest.raises(ValueError, match="non-negative"):
        mg.multinomial(mg.tensor([0.5, -0.1]), 1)


def test_cuda_manual_seed_is_harmless_without_a_gpu_and_seeds_the_device(cuda):
    from minigrad import backend
    mg.cuda.manual_seed(11)
    mg.cuda.manual_seed_all(11)  # without a GPU: nothing happens, nothing fails
    first = backend.device_generator(cuda).random(4)
    mg.cuda.manual_seed(11)
    assert np.allclose(backend.to_device(backend.device_generator(cuda).random(4), "cpu"),
                       backend.to_device(first, "cpu"))
    mg.manual_seed(0)  # the global seed takes the device seed back over
    assert backend.backend("cuda")._seed is None
    with pytest.raises(TypeError, match="cuda.manual_seed"):
        mg.cuda.manual_seed("0")


def test_a_random_sampler_of_an_empty_data_set_is_refused_as_torchs():
    torch = _torch()
    with pytest.raises(ValueError):
        torch.utils.data.RandomSampler(range(0))
    with pytest.raises(ValueError, match="empty data set"):
        RandomSampler(range(0))
