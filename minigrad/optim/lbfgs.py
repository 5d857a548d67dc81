"""L-BFGS: a quasi-Newton method that estimates the curvature from the last few steps."""
from __future__ import annotations

from .. import versions
from ..autograd import enable_grad, no_grad
from ..backend import array_module_of
from .optimizer import Optimizer


class LBFGS(Optimizer):
    """PyTorch's L-BFGS without line search (``line_search_fn=None``).  ``step(closure)``
    re-evaluates the loss through ``closure`` (which zeroes the gradients, computes the loss,
    calls ``backward()`` and returns it) up to ``max_iter`` times.  All parameters are treated
    as one vector θ with gradient g.  Each iteration:

        first:  d = −g,  t = min(1, 1/Σ|g|)·lr
        later:  y = g − g_prev,  s = t·d_prev;  if yᵀs > 1e-10 remember (s, y) (the last
                ``history_size`` pairs) and H₀ = yᵀs / yᵀy;
                d = −H g by the two-loop recursion over the remembered pairs:
                    q = −g;  for i newest→oldest: αᵢ = ρᵢ sᵢᵀq,  q −= αᵢ yᵢ   (ρᵢ = 1/yᵢᵀsᵢ)
                    r = H₀ q;  for i oldest→newest: βᵢ = ρᵢ yᵢᵀr,  r += (αᵢ − βᵢ) sᵢ
                t = lr
        θ ← θ + t·d, then a new loss and gradient from the closure.

    It stops early when max|g| <= tolerance_grad, the step or the change of the loss falls
    below tolerance_change, the direction is not a descent one (gᵀd > −tolerance_change), or
    ``max_eval`` evaluations were used.  Only one parameter group, as in PyTorch.
    """

    _flat_state = True

    def __init__(self, params, lr: float = 1.0, max_iter: int = 20, max_eval=None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9,
                 history_size: int = 100, line_search_fn=None):
        if line_search_fn is not None:
            raise NotImplementedError(f"LBFGS: line_search_fn={line_search_fn!r} is not "
                                      f"implemented; only None (a fixed step lr)")
        super().__init__(params, dict(lr=lr, max_iter=max_iter,
                                      max_eval=max_eval or max_iter * 5 // 4,
                                      tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change,
                                      history_size=history_size, line_search_fn=None))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _flat_grad(self):
        xp = array_module_of(self._params[0].array)
        return xp.concatenate([(p.grad.array if p.grad is not None else
                                xp.zeros_like(p.array)).reshape(-1) for p in self._params])

    def _add_grad(self, step: float, direction) -> None:
        """θ ← θ + step·direction, parameter by parameter (in place)."""
        offset = 0
        for p in self._params:
            n = p.array.size
            p.array += (step * direction[offset:offset + n]).reshape(p.shape).astype(p.dtype)
            offset += n
        versions.note_inplace_change(*(p.array for p in self._params))

    @no_grad()
    def step(self, closure):
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        state = self.state.setdefault(id(self._params[0]), {"func_evals": 0, "n_iter": 0})
        with enable_grad():
            original_loss = closure()
        loss = float(original_loss)
        evals = 1
        state["func_evals"] += 1
        g = self._flat_grad()
        if abs(g).max() <= tolerance_grad:
            return original_loss
        d, t = state.get("d"), state.get("t")
        dirs, steps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag, g_prev, loss_prev = state.get("H_diag"), state.get("prev_flat_grad"), \
            state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d, dirs, steps, ro, h_diag = -g, [], [], [], 1.0
            else:
                d, h_diag = self._direction(g, g_prev, d, t, dirs, steps, ro, h_diag,
                                            group["history_size"])
            g_prev, loss_prev = g.copy(), loss
            t = min(1.0, 1.0 / float(abs(g).sum())) * lr if state["n_iter"] == 1 else lr
            if float(g @ d) > -tolerance_change:
                break
            self._add_grad(t, d)
            evaluated = 0
            if n_iter != max_iter:
                with enable_grad():
                    loss = float(closure())
                g = self._flat_grad()
                evaluated = 1
            evals += evaluated
            state["func_evals"] += evaluated
            if n_iter == max_iter or evals >= max_eval or abs(g).max() <= tolerance_grad:
                break
            if abs(d * t).max() <= tolerance_change or abs(loss - loss_prev) < tolerance_change:
                break
        state.update(d=d, t=t, old_dirs=dirs, old_stps=steps, ro=ro, H_diag=h_diag,
                     prev_flat_grad=g_prev, prev_loss=loss_prev)
        return original_loss

    @staticmethod
    def _direction(g, g_prev, d, t, dirs, steps, ro, h_diag, history_size):
        """The two-loop recursion (class docstring): d = −H g, after remembering (s, y)."""
        y, s = g - g_prev, d * t
        ys = float(y @ s)
        if ys > 1e-10:
            if len(dirs) == history_size:
                dirs.pop(0), steps.pop(0), ro.pop(0)
            dirs.append(y), steps.append(s), ro.append(1.0 / ys)
            h_diag = ys / float(y @ y)
        q = -g
        alphas = [0.0] * len(dirs)
        for i in range(len(dirs) - 1, -1, -1):
            alphas[i] = float(steps[i] @ q) * ro[i]
            q = q - alphas[i] * dirs[i]
        r = q * h_diag
        for i in range(len(dirs)):
            beta = float(dirs[i] @ r) * ro[i]
            r = r + (alphas[i] - beta) * steps[i]
        return r, h_diag
