def fake_quantize(x, scale):
    q = np.clip(np.round(x / scale), -127, 127)    # the int8 value
    return q * scale
