def fake_quantize_backward(x, scale, grad):
    inside = np.abs(np.round(x / scale)) <= 127    # not clipped: the output follows x
    return grad * inside
