def conv2d_weight_grad(x, grad):
    n, c, h, w = x.shape
    out_h, out_w = grad.shape[2:]
    k = h - out_h + 1
    # im2col: one column per output position, one row per (channel, kernel offset)
    columns = np.stack([x[:, :, u:u + out_h, v:v + out_w] for u in range(k) for v in range(k)],
                       axis=2)                                  # (N, C, k·k, out_h, out_w)
    columns = columns.transpose(1, 2, 0, 3, 4).reshape(c * k * k, -1)
    g = grad.transpose(1, 0, 2, 3).reshape(grad.shape[1], -1)    # (O, N·out_h·out_w)
    return (g @ columns.T).reshape(grad.shape[1], c, k, k)
