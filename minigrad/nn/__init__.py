"""minigrad.nn: layers, containers, losses and initialization with PyTorch's names, defaults
and parameter layouts, so a PyTorch model definition ports by changing its imports."""
import sys as _sys

from .. import functional
from . import init, parallel, utils

# PyTorch scripts write ``import torch.nn.functional as F``: the same module under that name
_sys.modules[__name__ + ".functional"] = functional
from .activation import (ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax,
                         Softplus, Tanh)
from .containers import ModuleDict, ModuleList, ParameterDict, Sequential
from .conv import AdaptiveAvgPool2d, AvgPool2d, Conv1d, Conv2d, ConvTranspose2d, MaxPool2d
from .layers import Dropout, Dropout2d, Embedding, Flatten, Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HingeLoss, HuberLoss, MSELoss,
                   NLLLoss, SmoothL1Loss)
from .module import Module, Parameter
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .recurrent import GRU, LSTM, RNN, GRUCell, KerasLSTM, LSTMCell, RNNCell
from .transformer import (LearnedPositionalEncoding, MultiheadAttention,
                          SinusoidalPositionalEncoding, Transformer, TransformerDecoder,
                          TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer)
from .residual import ResidualBlock, SmallResNet

__all__ = ["functional", "init", "parallel", "utils", "Dropout2d", "HuberLoss", "SmoothL1Loss",
           "ELU", "SiLU", "Softplus", "GELU", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid",
           "Softmax", "Tanh", "ModuleDict", "ModuleList", "ParameterDict", "Sequential", "Dropout",
           "Embedding", "Flatten",
           "Identity", "Linear", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "HingeLoss",
           "MSELoss", "NLLLoss", "Module", "Parameter", "BatchNorm1d", "BatchNorm2d", "LayerNorm",
           "AdaptiveAvgPool2d", "AvgPool2d", "Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool2d",
           "ResidualBlock", "SmallResNet", "GRU", "GRUCell", "LSTM", "RNN", "KerasLSTM",
           "LSTMCell", "RNNCell", "LearnedPositionalEncoding", "MultiheadAttention",
           "SinusoidalPositionalEncoding", "Transformer", "TransformerDecoder",
           "TransformerDecoderLayer", "TransformerEncoder", "TransformerEncoderLayer"]
