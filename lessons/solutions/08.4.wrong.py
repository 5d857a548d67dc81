# diagnosis: each window's gradient written over the previous one
def conv2d_input_grad(x, weight, grad):
    dx = np.zeros_like(x)
    k = weight.shape[-1]
    windows = np.einsum("noij,ocuv->nijcuv", grad, weight)
    for i in range(grad.shape[2]):
        for j in range(grad.shape[3]):
            dx[:, :, i:i + k, j:j + k] = windows[:, i, j]    # overlaps overwritten
    return dx
