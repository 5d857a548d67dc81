def conv2d_input_grad(x, weight, grad):
    dx = np.zeros_like(x)
    k = weight.shape[-1]
    # every window's gradient at once: (N, out_h, out_w, C, k, k) = G · W over the outputs
    windows = np.einsum("noij,ocuv->nijcuv", grad, weight)
    for i in range(grad.shape[2]):          # col2im: fold them back, overlaps added
        for j in range(grad.shape[3]):
            dx[:, :, i:i + k, j:j + k] += windows[:, i, j]
    return dx
