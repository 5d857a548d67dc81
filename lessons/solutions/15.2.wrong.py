# diagnosis: the gradient passed through the clipped values too
def fake_quantize_backward(x, scale, grad):
    return grad    # straight through everywhere
