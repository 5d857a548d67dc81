# diagnosis: not clipped
def fake_quantize(x, scale):
    return np.round(x / scale) * scale
