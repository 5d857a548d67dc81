"""Post-training int8 quantization: per-channel symmetric weights, calibrated activations.

``quantize(model, calibration_inputs)`` returns a copy of ``model`` whose Linear and Conv2d
layers compute with int8 operands:

* **weights**, per output channel o: s_o = max |W[o]| / 127 and W[o] stored as the int8
  values round(W[o] / s_o) (a quarter of float32's bytes).  A scale per channel keeps a
  channel of small weights from being rounded to zero by one of large weights.
* **activations**, one scale per layer for its input and one for its output: s = max |x| /
  127 with the maximum observed while running the float model on the calibration inputs
  (that is the calibration).
* **biases** on the int32 grid of the product's scale s_x·s_o, as an int8 kernel adds them
  to its int32 accumulator.

The quantized model runs in minigrad (the ops of ``minigrad.ops.quantize`` give exactly the
values an int8 kernel computes with) and exports to ONNX as QuantizeLinear/DequantizeLinear
pairs around each layer, the pattern onnxruntime runs as int8 kernels (QLinearConv,
QGemm): ``Dequantize(int8) → Conv → Quantize`` on each side.
"""
from __future__ import annotations

import copy

import numpy as np

from . import functional as F
from .autograd import no_grad
from .nn import Conv2d, Linear, Module
from .ops.quantize import INT8_MAX, Dequantize, QuantizeDequantize, to_int8
from .tensor import Tensor


def channel_scales(weight: np.ndarray) -> np.ndarray:
    """s_o = max |W[o]| / 127 for each output channel o (rows of a Linear's weight, filters
    of a convolution's); 1 for an all-zero channel."""
    peak = np.abs(weight.reshape(len(weight), -1)).max(axis=1)
    return np.where(peak > 0, peak / INT8_MAX, 1.0).astype(weight.dtype)


def activation_scale(peak: float) -> float:
    """The int8 grid step that covers [-peak, peak]."""
    return float(peak / INT8_MAX) if peak > 0 else 1.0


class _QuantizedLayer(Module):
    """A Linear or Conv2d computing on int8 operands: its weight stored as int8 with
    per-channel scales, its bias as int32, its input and output rounded to int8 grids with
    the calibrated scales ``input_scale`` and ``output_scale``."""

    def __init__(self, layer: Module, input_peak: float, output_peak: float):
        super().__init__()
        weight = layer.weight.array
        scales = channel_scales(weight)
        self.input_scale = activation_scale(input_peak)
        self.output_scale = activation_scale(output_peak)
        self.register_buffer("weight_int8", Tensor(to_int8(weight, scales.reshape(
            (-1,) + (1,) * (weight.ndim - 1)))))
        self.register_buffer("weight_scale", Tensor(scales))
        self.bias_int32 = self.bias_scale = None
        if layer.bias is not None:
            bias_scale = (scales * self.input_scale).astype(weight.dtype)
            self.register_buffer("bias_int32", Tensor(np.rint(layer.bias.array / bias_scale)
                                                      .astype(np.int32)))
            self.register_buffer("bias_scale", Tensor(bias_scale))
        self.layer = layer.__class__.__name__

    def forward(self, x):
        x = QuantizeDequantize.apply(x, scale=self.input_scale)
        weight = Dequantize.apply(self.weight_int8, self.weight_scale, axis=0)
        bias = None if self.bias_int32 is None else \
            Dequantize.apply(self.bias_int32, self.bias_scale, axis=0)
        return QuantizeDequantize.apply(self.product(x, weight, bias), scale=self.output_scale)

    def extra_repr(self) -> str:
        return (f"{self.layer}, weight {tuple(self.weight_int8.shape)} int8 per-channel, "
                f"input scale {self.input_scale:.3g}, output scale {self.output_scale:.3g}")


class QuantizedLinear(_QuantizedLayer):
    def product(self, x, weight, bias):
        return F.linear(x, weight, bias)


class QuantizedConv2d(_QuantizedLayer):
    def __init__(self, layer: Conv2d, input_peak: float, output_peak: float):
        super().__init__(layer, input_peak, output_peak)
        self.stride, self.padding = layer.stride, layer.padding
        self.dilation, self.groups = layer.dilation, layer.groups

    def product(self, x, weight, bias):
        return F.conv2d(x, weight, bias, self.stride, self.padding, self.dilation, self.groups)


QUANTIZED = {Linear: QuantizedLinear, Conv2d: QuantizedConv2d}
"""The layers ``quantize`` replaces, and their quantized forms."""


def quantizable_layers(model: Module) -> list:
    """(parent, attribute name, layer) for every Linear and Conv2d inside ``model``."""
    return [(parent, name, child) for parent in model.modules()
            for name, child in parent.named_children() if type(child) in QUANTIZED]


def calibrate(model: Module, layers: list, inputs, batch_size: int = 256) -> list:
    """[max |input|, max |output|] of each layer in ``layers`` while ``model`` (eval mode)
    runs on ``inputs``: the ranges the layer's int8 grids must cover."""
    peaks = [[0.0, 0.0] for _ in layers]

    def peak(t) -> float:
        return float(np.abs(t.array).max()) if t.numel() else 0.0

    def recording(k, layer):
        forward = layer.forward

        def observe(x):
            y = forward(x)
            peaks[k] = [max(peaks[k][0], peak(x)), max(peaks[k][1], peak(y))]
            return y
        return observe
    for k, layer in enumerate(layers):
        object.__setattr__(layer, "forward", recording(k, layer))
    try:
        with no_grad():
            for start in range(0, len(inputs), batch_size):
                model(Tensor(np.asarray(inputs[start:start + batch_size])))
    finally:
        for layer in layers:
            del layer.__dict__["forward"]
    return peaks


def quantize(model: Module, calibration_inputs, batch_size: int = 256) -> Module:
    """A copy of ``model`` (eval mode) with every Linear and Conv2d quantized to int8, the
    activations' scales calibrated on ``calibration_inputs`` (a few hundred training
    samples are typical).  ``model`` itself is left unchanged."""
    if len(calibration_inputs) == 0:
        raise ValueError("quantize: calibration_inputs is empty; give some training samples")
    quantized = copy.deepcopy(model).eval()
    targets = quantizable_layers(quantized)
    if not targets:
        raise ValueError(f"quantize: {type(model).__name__} has no Linear or Conv2d layer")
    peaks = calibrate(quantized, [layer for _, _, layer in targets], calibration_inputs,
                      batch_size)
    for (parent, name, layer), (input_peak, output_peak) in zip(targets, peaks):
        setattr(parent, name, QUANTIZED[type(layer)](layer, input_peak, output_peak))
    return quantized


def quantization_error(weight: np.ndarray) -> np.ndarray:
    """W − (W read back from per-channel int8): the rounding error quantization adds to a
    weight, at most s_o / 2 in channel o."""
    scales = channel_scales(weight).reshape((-1,) + (1,) * (weight.ndim - 1))
    return weight - to_int8(weight, scales) * scales
