# diagnosis: the gradient ∇f itself, not its derivative along v
def hvp_by_double_backward(f, x, v):
    import minigrad as mg
    t = mg.tensor(x, requires_grad=True)
    f(t).backward()
    return t.grad.numpy()
