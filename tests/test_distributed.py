"""Data parallelism: collectives against NumPy, DistributedDataParallel and fit(distributed=
True) against one process on the same global batch, failures that stop every rank, the
command line, and the pieces that need no MPI (sampler, hooks, errors).  Multi-process tests
spawn ``mpiexec -n 2`` and ``-n 3`` and are skipped (with the reason) where MPI is absent."""
import importlib.util
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad as mg
from minigrad.autograd.engine import queue_callback
from minigrad.distributed import DistributedSampler, find_mpiexec
from minigrad.nn.ddp import plan_buckets
from minigrad.utils.data import DataLoader, TensorDataset

MPIEXEC = find_mpiexec()
needs_mpi = pytest.mark.skipif(
    importlib.util.find_spec("mpi4py") is None or MPIEXEC is None,
    reason="needs mpi4py and mpiexec (pip install -e '.[dist]')")


def mpirun(n: int, script: str, tmp_path, *args, timeout: float = 120, env_timeout="60"):
    """Run ``script`` under ``mpiexec -n n``; returns the CompletedProcess."""
    path = tmp_path / "job.py"
    path.write_text(textwrap.dedent(script))
    env = dict(__import__("os").environ, MINIGRAD_DIST_TIMEOUT=env_timeout)
    return subprocess.run([MPIEXEC, "-n", str(n), sys.executable, str(path), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=tmp_path,
                          env=env)


def ok(result, n: int):
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("OK") == n, result.stdout + result.stderr


COLLECTIVES = """
import numpy as np, minigrad as mg, minigrad.distributed as dist
dist.init_process_group("mpi")
r, n = dist.get_rank(), dist.get_world_size()
values = [np.random.default_rng(k).standard_normal((3, 4)) for k in range(n)]
for dtype in (np.float32, np.float64):
    mine = [v.astype(dtype) for v in values]
    for op, expected in (("sum", sum(mine)), ("avg", sum(mine) / n),
                         ("max", np.maximum.reduce(mine)), ("min", np.minimum.reduce(mine))):
        t = mg.tensor(mine[r].copy())
        dist.all_reduce(t, op)
        np.testing.assert_allclose(t.numpy(), expected, rtol=1e-6)
    t = mg.tensor(mine[r].copy()); dist.broadcast(t, src=n - 1)
    np.testing.assert_array_equal(t.numpy(), mine[n - 1])
    out = [mg.zeros(3, 4, dtype=dtype) for _ in range(n)]
    dist.all_gather(out, mg.tensor(mine[r]))
    for k in range(n):
        np.testing.assert_array_equal(out[k].numpy(), mine[k])
strided = np.arange(12.0).reshape(3, 4)[:, ::2] * (r + 1)   # not contiguous
dist.all_reduce(strided)
np.testing.assert_array_equal(strided, np.arange(12.0).reshape(3, 4)[:, ::2] * n * (n + 1) / 2)
work = dist.all_reduce(mg.tensor(np.ones(5)), async_op=True)
assert work.wait()
dist.barrier()
dist.destroy_process_group()
print("OK")
"""


@needs_mpi
@pytest.mark.parametrize("n", [2, 3])
def test_collectives_agree_with_numpy(n, tmp_path):
    ok(mpirun(n, COLLECTIVES, tmp_path), n)


DDP = """
import sys, numpy as np, minigrad as mg, minigrad.distributed as dist
import minigrad.nn as nn
from minigrad.nn.parallel import DistributedDataParallel
dist.init_process_group("mpi")
r, n = dist.get_rank(), dist.get_world_size()
kind, cap = sys.argv[1], float(sys.argv[2])
rng = np.random.default_rng(0)


def mlp():
    return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(),
                         nn.Linear(16, 4)).to(mg.float64)


def cnn():
    return nn.Sequential(nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 4 * 4, 4))


build = mlp if kind == "mlp" else cnn
x = rng.standard_normal((6 * n, 6) if kind == "mlp" else (6 * n, 2, 6, 6))
x = x.astype(np.float64 if kind == "mlp" else np.float32)
y = rng.integers(0, 4, 6 * n)
mg.manual_seed(r)                       # different starts: DDP copies rank 0's
model = build()
ddp = DistributedDataParallel(model, bucket_cap_mb=cap)
mg.manual_seed(0)
reference = build()
reference.load_state_dict(model.state_dict())
# (SGD for the CNN: the conv bias before batch norm has a gradient of rounding noise around
# 0, which Adam would blow up into full steps of either sign)
optimizer = (lambda p: mg.optim.Adam(p, lr=0.01)) if kind == "mlp" else \
    (lambda p: mg.optim.SGD(p, lr=0.05, momentum=0.9))
opt, ref_opt = optimizer(model.parameters()), optimizer(reference.parameters())
shards = np.array_split(np.arange(len(x)), n)
loss = nn.CrossEntropyLoss()
for step in range(4):
    opt.zero_grad()
    if kind == "mlp" and step == 1:          # gradient accumulation: no_sync, then sync
        half = np.array_split(shards[r], 2)
        with ddp.no_sync():
            (loss(ddp(mg.tensor(x[half[0]])), mg.tensor(y[half[0]])) * 0.5).backward()
        (loss(ddp(mg.tensor(x[half[1]])), mg.tensor(y[half[1]])) * 0.5).backward()
    else:
        loss(ddp(mg.tensor(x[shards[r]])), mg.tensor(y[shards[r]])).backward()
    opt.step()
    # one process, the same global batch; batch norm normalizes each shard by itself (as DDP:
    # per-process statistics) and the running statistics are shard 0's (broadcast_buffers)
    ref_opt.zero_grad()
    buffers = None
    for k, shard in enumerate(shards):
        if kind == "mlp" and step == 1:
            for part in np.array_split(shard, 2):
                (loss(reference(mg.tensor(x[part])), mg.tensor(y[part])) * 0.5 / n).backward()
        else:
            (loss(reference(mg.tensor(x[shard])), mg.tensor(y[shard])) / n).backward()
        if k == 0:
            buffers = {name: b.numpy().copy() for name, b in reference.named_buffers()}
    for name, b in reference.named_buffers():
        b.array[...] = buffers[name]
    ref_opt.step()
tolerance = 1e-10 if kind == "mlp" else 2e-5
for (name, a), b in zip(model.named_parameters(), reference.parameters()):
    assert np.abs(a.numpy() - b.numpy()).max() < tolerance, (name, np.abs(a.numpy() - b.numpy()).max())
everyone = [mg.zeros(*p.shape, dtype=p.dtype) for _ in range(n) for p in [model[0].weight]]
dist.all_gather(everyone, model[0].weight)
assert all(np.array_equal(e.numpy(), everyone[0].numpy()) for e in everyone)  # in step
print("OK", len(ddp.buckets), flush=True)
dist.destroy_process_group()
"""


@needs_mpi
@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize("kind, cap", [("mlp", 25.0), ("mlp", 0.0005), ("cnn", 0.001)])
def test_ddp_equals_one_process_on_the_global_batch(n, kind, cap, tmp_path):
    result = mpirun(n, DDP, tmp_path, kind, cap)
    ok(result, n)
    buckets = {int(b) for b in __import__("re").findall(r"OK (\d+)", result.stdout)}
    assert buckets == ({1} if cap == 25.0 else {b for b in buckets if b > 1})


FIT = """
import numpy as np, minigrad as mg, minigrad.distributed as dist
from minigrad.train import fit
dist.init_process_group("mpi")
rng = np.random.default_rng(0)
x, y = rng.standard_normal((23, 5)), rng.integers(0, 3, 23)   # batches of 10, 10 and 3


def run(distributed):
    mg.manual_seed(1)
    model = mg.nn.Sequential(mg.nn.Linear(5, 8), mg.nn.ReLU(), mg.nn.Linear(8, 3)).to(mg.float64)
    history = fit(model, x, y, loss=mg.nn.CrossEntropyLoss(), epochs=3, batch_size=10,
                  optimizer=mg.optim.Adam(model.parameters(), lr=0.01), verbose=0,
                  validation_split=0.2, distributed=distributed)
    return model, history.history


model, logs = run(True)
alone, alone_logs = run(False)
for a, b in zip(model.parameters(), alone.parameters()):
    assert np.abs(a.numpy() - b.numpy()).max() < 1e-10
for key in alone_logs:
    np.testing.assert_allclose(logs[key], alone_logs[key], rtol=1e-12)
print("OK")
dist.destroy_process_group()
"""


@needs_mpi
@pytest.mark.parametrize("n", [2, 3])
def test_fit_distributed_equals_fit_alone_with_an_uneven_last_batch(n, tmp_path):
    ok(mpirun(n, FIT, tmp_path), n)


FAILING = """
import sys, time, numpy as np, minigrad.distributed as dist
dist.init_process_group("mpi", timeout=float(sys.argv[2]))
print(f"joined at {time.monotonic()}", flush=True)
if dist.get_rank() == 1:
    if sys.argv[1] == "raise":
        raise ValueError("rank 1 broke")
    time.sleep(120)                      # hangs: never joins the collective
dist.all_reduce(np.ones(3))
print("unreachable")
"""


@needs_mpi
@pytest.mark.parametrize("mode, message", [
    ("raise", "rank 1 of 2 stopped (ValueError)"),
    ("hang", "all_reduce on rank 0: the other ranks did not join within 3 s")])
def test_a_failing_rank_stops_every_rank(mode, message, tmp_path):
    result = mpirun(2, FAILING, tmp_path, mode, 3 if mode == "hang" else 25, timeout=90)
    joined = min(float(line.split()[-1]) for line in result.stdout.splitlines()
                 if line.startswith("joined at "))
    # timed from the ranks' joining, not from the launch (imports vary with the machine's
    # load); a raise needs no timeout: the long one (25 s) shows it is not waited for
    assert time.monotonic() - joined < 20
    assert result.returncode != 0 and "unreachable" not in result.stdout
    assert message in result.stderr


@needs_mpi
def test_minigrad_train_distributed(tmp_path):
    command = [MPIEXEC, "-n", "2", sys.executable, "-m", "minigrad", "train", "p2",
               "--distributed", "--dataset", "digits", "--epochs", "1", "--out", "runs"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("epoch 1/1") == 1 and result.stdout.count("test_accuracy") == 1
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["p2"]
    assert (tmp_path / "runs" / "p2" / "weights.npz").is_file()
    alone = subprocess.run([sys.executable, "-m", "minigrad", "train", "p2", "--dataset",
                            "digits", "--epochs", "1", "--out", "alone"], capture_output=True,
                           text=True, timeout=300, cwd=tmp_path)
    accuracy = [line for line in result.stdout.splitlines() if "test_accuracy" in line]
    assert accuracy == [line for line in alone.stdout.splitlines() if "test_accuracy" in line]


# ----------------------------------------------------------------------------- no MPI needed


@given(size=st.integers(0, 40), replicas=st.integers(1, 5), drop_last=st.booleans(),
       shuffle=st.booleans(), epoch=st.integers(0, 3))
def test_sampler_splits_an_epoch_evenly(size, replicas, drop_last, shuffle, epoch):
    samplers = [DistributedSampler(range(size), replicas, r, shuffle=shuffle,
                                   drop_last=drop_last) for r in range(replicas)]
    for s in samplers:
        s.set_epoch(epoch)
    parts = [list(s) for s in samplers]
    assert len({len(p) for p in parts}) <= 1 and all(len(p) == len(s) for p, s in
                                                     zip(parts, samplers))
    everything = [i for p in parts for i in p]
    if drop_last:
        assert len(set(everything)) == len(everything) == size // replicas * replicas
    else:
        assert set(everything) == set(range(size))   # padded by repeats, nothing lost


def test_sampler_shuffles_per_epoch_and_feeds_a_loader():
    sampler = DistributedSampler(range(10), 2, 1, seed=3)
    first = list(sampler)
    sampler.set_epoch(1)
    assert list(sampler) != first and sorted(first) != first
    data = TensorDataset(mg.tensor(np.arange(10.0)))
    batches = [b[0].numpy().tolist() for b in DataLoader(data, batch_size=2, sampler=sampler)]
    assert sum(batches, []) == [float(i) for i in sampler]
    with pytest.raises(ValueError, match="exclusive"):
        DataLoader(data, sampler=sampler, shuffle=True)
    with pytest.raises(ValueError, match="rank 2 is not in"):
        DistributedSampler(range(4), 2, 2)


def test_post_accumulate_hooks_fire_once_with_the_whole_gradient():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.numpy().copy()))
    w.register_post_accumulate_grad_hook(lambda t: queue_callback(lambda: seen.append("end")))
    ((w * 3).sum() + (w * w).sum() + w[0]).backward()     # three contributions
    assert len(seen) == 2 and np.array_equal(seen[0], [6.0, 7.0]) and seen[1] == "end"
    handle.remove()
    seen.clear()
    (w * 2).sum().backward()
    assert seen == ["end"]
    with pytest.raises(RuntimeError, match="only a leaf"):
        (w * 2).register_post_accumulate_grad_hook(print)


def test_buckets_follow_reverse_order_size_and_dtype():
    params = [mg.nn.Parameter(mg.zeros(256)), mg.nn.Parameter(mg.zeros(256)),
              mg.nn.Parameter(mg.zeros(10, dtype=mg.float64)), mg.nn.Parameter(mg.zeros(1000))]
    buckets = plan_buckets(params, cap_bytes=2048)
    assert [[id(p) for p in b] for b in buckets] == \
        [[id(params[3])], [id(params[2])], [id(params[1]), id(params[0])]]


def test_without_a_process_group_the_errors_say_what_to_do():
    from minigrad.nn.parallel import DistributedDataParallel
    from minigrad.train import fit
    import minigrad.distributed as dist
    with pytest.raises(RuntimeError, match="init_process_group"):
        DistributedDataParallel(mg.nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="init_process_group"):
        fit(mg.nn.Linear(2, 1), np.zeros((4, 2)), np.zeros((4, 1)), loss="mse", verbose=0,
            distributed=True)
    with pytest.raises(ValueError, match="backend must be one of"):
        dist.init_process_group("gloo")
    assert dist.get_rank() == 0 and dist.get_world_size() == 1


@needs_mpi
def test_ctrl_c_stops_every_rank_after_a_whole_step_and_rank_0_saves(tmp_path):
    import os
    import signal
    command = [MPIEXEC, "-n", "2", sys.executable, "-m", "minigrad", "train", "p2",
               "--distributed", "--dataset", "digits", "--epochs", "5000", "--out", "runs"]
    job = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           cwd=tmp_path, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    for line in job.stdout:  # wait until training is under way
        if line.startswith("epoch 3/"):
            break
    job.send_signal(signal.SIGINT)  # mpiexec passes Ctrl-C to every rank
    out, err = job.communicate(timeout=60)
    assert "interrupted (Ctrl-C)" in out, out + err
    assert (tmp_path / "runs" / "p2" / "weights.npz").is_file()
    assert "epoch 5000/5000" not in out
