"""Optimizers: 20 steps from the same parameters and gradients equal torch.optim's (float64,
kernels on or off as the door decides),
for several settings of each; schedulers; the seeds' variants; errors."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import optim
from reference import torch_or_skip

torch = torch_or_skip()

SETTINGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
    ("RMSprop", dict(lr=0.02, alpha=0.9, weight_decay=0.05, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, eps=1e-3)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.01, eps=1e-6)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.5)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.05)),
]


@pytest.mark.parametrize("name, settings", SETTINGS, ids=[f"{n}-{i}" for i, (n, _) in
                                                           enumerate(SETTINGS)])
def test_twenty_steps_equal_torch(name, settings):
    rng = np.random.default_rng(0)
    shapes = [(3, 4), (4,), (2, 2, 3)]
    start = [rng.standard_normal(s) for s in shapes]
    ours = [mg.tensor(a, requires_grad=True) for a in start]
    theirs = [torch.tensor(a, requires_grad=True) for a in start]
    opt_m = getattr(optim, name)(ours, **settings)
    opt_t = getattr(torch.optim, name)(theirs, **settings)
    for _ in range(20):
        grads = [rng.standard_normal(s) for s in shapes]
        for p, q, g in zip(ours, theirs, grads):
            p.grad, q.grad = mg.tensor(g), torch.tensor(g)
        opt_m.step()
        opt_t.step()
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.array, q.detach().numpy(), rtol=1e-6, atol=1e-12)


def test_parameters_without_grad_are_skipped_and_groups_have_own_settings():
    a, b = mg.ones(2, requires_grad=True), mg.ones(2, requires_grad=True)
    opt = optim.SGD([{"params": [a], "lr": 1.0}, {"params": [b]}], lr=0.1)
    a.grad = mg.ones(2)
    opt.step()
    assert a.tolist() == [0.0, 0.0] and b.tolist() == [1.0, 1.0]
    b.grad = mg.ones(2)
    opt.step()
    assert b.array.tolist() == pytest.approx([0.9, 0.9])


def test_zero_grad():
    p = mg.ones(2, requires_grad=True)
    p.grad = mg.ones(2)
    opt = optim.Adam([p])
    opt.zero_grad(set_to_none=False)
    assert p.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


@pytest.mark.parametrize("name, settings", [("StepLR", dict(step_size=3, gamma=0.5)),
                                            ("ExponentialLR", dict(gamma=0.9)),
                                            ("CosineAnnealingLR", dict(T_max=7, eta_min=0.01))])
def test_schedulers_match_torch(name, settings):
    p, q = mg.ones(1, requires_grad=True), torch.ones(1, requires_grad=True)
    opt_m, opt_t = optim.SGD([p], lr=0.5), torch.optim.SGD([q], lr=0.5)
    sched_m = getattr(optim.lr_scheduler, name)(opt_m, **settings)
    sched_t = getattr(torch.optim.lr_scheduler, name)(opt_t, **settings)
    for _ in range(10):
        opt_m.step(), opt_t.step()
        sched_m.step(), sched_t.step()
        assert sched_m.get_last_lr() == pytest.approx(sched_t.get_last_lr(), rel=1e-12)


def test_seed_f12_adam_is_plain_sgd():
    """F12: the update printed under the name "Adam" is θ ← θ − α∇L."""
    p = mg.tensor([1.0, -2.0], requires_grad=True)
    opt = optim.SeedF12Adam([p], lr=0.1)
    p.grad = mg.tensor([0.5, 0.5])
    opt.step()
    assert p.array.tolist() == pytest.approx([0.95, -2.05])


def test_seed_f13_adam_lacks_bias_correction():
    """F13 as printed: the first step moves by α(1−β₁)g/(√((1−β₂)g²)+ε) ≈ 3.16α, while Adam's
    bias-corrected first step moves by α·sign(g)."""
    grads = [mg.tensor([2.0])] * 3
    printed, corrected = mg.tensor([0.0], requires_grad=True), mg.tensor([0.0], requires_grad=True)
    opt_p, opt_c = optim.SeedF13Adam([printed], lr=0.1), optim.Adam([corrected], lr=0.1)
    printed.grad, corrected.grad = grads[0], grads[0]
    opt_p.step(), opt_c.step()
    assert corrected.item() == pytest.approx(-0.1, rel=1e-6)
    assert printed.item() == pytest.approx(-0.1 * 0.1 / np.sqrt(0.001), rel=1e-5)


def test_bad_hyperparameters_and_params_are_clear_errors():
    with pytest.raises(ValueError, match="SGD: invalid lr -1"):
        optim.SGD([mg.ones(1, requires_grad=True)], lr=-1)
    with pytest.raises(ValueError, match="Nesterov momentum requires"):
        optim.SGD([mg.ones(1, requires_grad=True)], nesterov=True)
    with pytest.raises(TypeError, match="can only optimize tensors that require grad"):
        optim.Adam([mg.ones(1)])
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(ValueError, match="betas must be in"):
        optim.Adam([mg.ones(1, requires_grad=True)], betas=(1.0, 0.9))


def test_optimizer_state_dict_round_trip_continues_identically():
    rng = np.random.default_rng(0)
    a = mg.tensor(rng.standard_normal(3), requires_grad=True)
    b = mg.tensor(a.array.copy(), requires_grad=True)
    opt_a, opt_b = optim.Adam([a], lr=0.1, amsgrad=True), optim.Adam([b], lr=0.5)
    a.grad = mg.tensor(rng.standard_normal(3))
    opt_a.step()
    b.array[...] = a.array
    opt_b.load_state_dict(opt_a.state_dict())
    for _ in range(3):
        g = mg.tensor(rng.standard_normal(3))
        a.grad, b.grad = g, g
        opt_a.step(), opt_b.step()
    np.testing.assert_array_equal(a.array, b.array)
    with pytest.raises(ValueError, match="groups of"):
        optim.Adam([a, b]).load_state_dict(opt_a.state_dict())
