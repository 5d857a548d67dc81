"""The names Karpathy's programs touch while setting up (nanoGPT's train.py, minGPT's trainer,
makemore): flags, mixed precision, compile, fused AdamW, and the namespaces reachable after
``import minigrad`` as they are after ``import torch``."""
import inspect
import warnings

import numpy as np
import pytest

import minigrad as mg


def test_setup_flags_are_accepted_and_checked():
    mg.backends.cuda.matmul.allow_tf32 = True
    mg.backends.cudnn.allow_tf32 = True
    mg.set_float32_matmul_precision("high")
    assert mg.get_float32_matmul_precision() == "high"
    with pytest.raises(ValueError, match="set_float32_matmul_precision"):
        mg.set_float32_matmul_precision("fast")
    mg.set_float32_matmul_precision("highest")
    assert mg.cuda.is_bf16_supported() is False
    assert "fused" in inspect.signature(mg.optim.AdamW).parameters  # nanoGPT looks for it
    mg.optim.AdamW([mg.nn.Parameter(mg.zeros(2))], lr=1e-3, fused=False, foreach=None)


def test_compile_returns_the_model_and_says_so_once(monkeypatch):
    monkeypatch.setattr(mg.compat, "_said_compile", False)
    model = mg.nn.Linear(2, 2)
    with pytest.warns(UserWarning, match="not a compiler yet"):
        assert mg.compile(model) is model
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mg.compile(model, mode="reduce-overhead") is model

        @mg.compile
        def f(x):
            return x + 1
        assert f(1) == 2


def test_autocast_changes_nothing_in_float32_and_says_so_for_half():
    x = mg.randn(3, 4)
    w = mg.randn(4, 2)
    with mg.amp.autocast(device_type="cpu", dtype=mg.float32):
        y = x @ w
    assert y.dtype == mg.float32 and np.allclose(y.numpy(), (x @ w).numpy())
    mg.amp.autocast._warned = False
    with pytest.warns(UserWarning, match="own dtype"):
        with mg.amp.autocast(device_type="cuda", dtype=mg.float16):
            pass

    @mg.amp.autocast(enabled=False)
    def decorated():
        return 3
    assert decorated() == 3


def _step(scaler, optimizer, weight, gradient):
    optimizer.zero_grad()
    loss = scaler.scale((weight * mg.tensor(gradient)).sum())
    loss.backward()
    scaler.step(optimizer)
    scaler.update()


def test_grad_scaler_skips_an_overflowed_step_and_adapts_its_scale():
    weight = mg.nn.Parameter(mg.ones(2))
    optimizer = mg.optim.SGD([weight], lr=0.1)
    scaler = mg.amp.GradScaler("cpu", init_scale=8.0, growth_interval=2)
    _step(scaler, optimizer, weight, [1.0, 2.0])
    assert np.allclose(weight.numpy(), [0.9, 0.8])  # unscaled before the step
    assert scaler.get_scale() == 8.0
    _step(scaler, optimizer, weight, [np.inf, 1.0])
    assert np.allclose(weight.numpy(), [0.9, 0.8]) and scaler.get_scale() == 4.0  # skipped
    _step(scaler, optimizer, weight, [1.0, 1.0])
    _step(scaler, optimizer, weight, [1.0, 1.0])
    assert scaler.get_scale() == 8.0  # two clean steps: grown
    state = scaler.state_dict()
    other = mg.cuda.amp.GradScaler(init_scale=1.0)
    other.load_state_dict(state)
    assert other.get_scale() == 8.0


def test_grad_scaler_follows_torchs_scale():
    torch = pytest.importorskip("torch")
    scales = []
    for lib in (mg, torch):
        weight = lib.nn.Parameter(lib.ones(2))
        optimizer = lib.optim.SGD([weight], lr=0.1)
        scaler = lib.amp.GradScaler("cpu", init_scale=16.0, growth_interval=3)
        seen = []
        for gradient in ([1.0, 2.0], [np.inf, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0],
                         [np.nan, 0.0], [0.5, 0.5]):
            optimizer.zero_grad()
            scaler.scale((weight * lib.tensor(gradient)).sum()).backward()
            scaler.step(optimizer)
            scaler.update()
            seen.append((scaler.get_scale(), weight.detach().numpy().round(6).tolist()))
        scales.append(seen)
    assert scales[0] == scales[1]


def test_a_disabled_grad_scaler_passes_everything_through():
    weight = mg.nn.Parameter(mg.ones(2))
    optimizer = mg.optim.SGD([weight], lr=0.1)
    scaler = mg.cuda.amp.GradScaler(enabled=False)  # nanoGPT with dtype float32
    loss = (weight * 2).sum()
    assert scaler.scale(loss) is loss and not scaler.is_enabled()
    loss.backward()
    scaler.unscale_(optimizer)
    scaler.step(optimizer)
    scaler.update()
    assert np.allclose(weight.numpy(), [0.8, 0.8]) and scaler.state_dict() == {}


def test_namespaces_reachable_as_after_import_torch():
    assert mg.onnx.export is not None and mg.distributed.init_process_group is not None
    assert mg.autograd.gradcheck is mg.gradcheck
    x = mg.tensor([0.5, 1.5], dtype=mg.float64, requires_grad=True)
    assert mg.autograd.gradgradcheck(lambda t: (t ** 3).sum(), x)
    assert mg.cuda.amp.autocast is mg.amp.autocast
    with pytest.raises(AttributeError):
        mg.no_such_name


def test_bfloat16_is_a_storage_dtype_that_casts_and_refuses_to_compute():
    pytest.importorskip("ml_dtypes")
    from minigrad.errors import DTypeError
    bf16 = mg.bfloat16
    t = mg.tensor([1.5, 2.25, -3.0]).to(bf16)
    assert t.dtype == bf16 and t.dtype.itemsize == 2
    assert "tensor([ 1.5000,  2.2500, -3.0000], dtype=minigrad.bfloat16)" == repr(t)
    assert t.float().tolist() == [1.5, 2.25, -3.0] and t.reshape(3, 1).dtype == bf16
    assert mg.tensor([0.1], dtype=bf16).float().item() == pytest.approx(0.1, abs=1e-3)
    for op, run in (("mul", lambda: t * 2), ("exp", lambda: t.exp()),
                    ("matmul", lambda: t @ t)):
        with pytest.raises(DTypeError, match=f"{op}: bfloat16 is a storage dtype"):
            run()
    model = mg.nn.Linear(2, 2).to(bf16)
    assert model.weight.dtype == bf16 and model.to(mg.float32).weight.dtype == mg.float32


def test_summary_writer_logs_scalars_as_json_lines(tmp_path):
    import json
    from minigrad.utils.tensorboard import SummaryWriter
    with SummaryWriter(log_dir=tmp_path / "run") as writer:  # makemore's calls
        writer.add_scalar("Loss/train", mg.tensor(2.5), 10)
        writer.add_scalars("Loss", {"test": 2.75}, 10)
        writer.flush()
    records = [json.loads(line) for line in (tmp_path / "run" / "scalars.jsonl").open()]
    assert [(r["tag"], r["value"], r["step"]) for r in records] == [
        ("Loss/train", 2.5, 10), ("Loss/test", 2.75, 10)]


def test_bfloat16_tensors_survive_a_checkpoint(tmp_path):
    pytest.importorskip("ml_dtypes")
    weights = mg.tensor([1.5, -2.0, 3.25]).to(mg.bfloat16)
    mg.save({"w": weights, "raw": weights.array, "step": 3}, tmp_path / "ckpt.pt")
    back = mg.load(tmp_path / "ckpt.pt")
    assert back["w"].dtype == mg.bfloat16 and back["w"].float().tolist() == [1.5, -2.0, 3.25]
    assert back["raw"].dtype == mg.bfloat16 and back["step"] == 3
