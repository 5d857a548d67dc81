def hvp_by_double_backward(f, x, v):
    import minigrad as mg
    t = mg.tensor(x, requires_grad=True)
    g, = mg.autograd.grad(f(t), t, create_graph=True)    # ∇f, itself differentiable
    (g * mg.tensor(v)).sum().backward()                    # d⟨∇f, v⟩/dx = H v
    return t.grad.numpy()
