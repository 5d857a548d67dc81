# diagnosis: it has shape (2, 3, 3, 3) but should have shape (3, 2, 3, 3)
def conv2d_weight_grad(x, grad):
    n, c, h, w = x.shape
    out_h, out_w = grad.shape[2:]
    k = h - out_h + 1
    columns = np.stack([x[:, :, u:u + out_h, v:v + out_w] for u in range(k) for v in range(k)],
                       axis=2).transpose(1, 2, 0, 3, 4).reshape(c * k * k, -1)
    g = grad.transpose(1, 0, 2, 3).reshape(grad.shape[1], -1)
    return (columns @ g.T).reshape(c, grad.shape[1], k, k)      # (in, out) swapped
