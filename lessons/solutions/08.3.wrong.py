# diagnosis: one short
def conv_output_size(size, kernel, stride, padding):
    return (size + 2 * padding - kernel) // stride    # the first position not counted
