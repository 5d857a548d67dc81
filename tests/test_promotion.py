"""Type promotion follows PyTorch (``minigrad.promotion``): categories bool < integer < float;
0-d tensors and Python numbers only count when they raise the category; float-only ops turn
integers into the default float; in-place ops refuse a result of a higher category."""
import operator

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import minigrad as mg
from minigrad.promotion import result_type
from reference import torch_or_skip

torch = torch_or_skip()

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


@st.composite
def operand(draw):
    """A dimensioned tensor, a 0-d tensor or a Python number, of any dtype."""
    kind = draw(st.sampled_from(["tensor", "0-d", "number"]))
    if kind == "number":
        return draw(st.sampled_from([True, 3, 0.5]))
    dtype = draw(st.sampled_from(DTYPES))
    return np.ones((2,) if kind == "tensor" else (), dtype)


def _torch(value):
    return torch.tensor(value) if isinstance(value, np.ndarray) else value


def _mg(value):
    return mg.tensor(value) if isinstance(value, np.ndarray) else value


@given(a=operand(), b=operand())
def test_result_type_is_pytorchs(a, b):
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        return  # two numbers: no tensor involved
    expected = torch.result_type(_torch(a), _torch(b))
    assert result_type(a, b) == np.dtype(str(expected).replace("torch.", ""))


OPERATORS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
             "truediv": operator.truediv, "pow": operator.pow}


def _dtype(torch_tensor) -> np.dtype:
    return np.dtype(str(torch_tensor.dtype).replace("torch.", ""))


@pytest.mark.parametrize("op", OPERATORS)
@given(a=operand(), b=operand())
def test_operators_return_pytorchs_dtype(op, a, b):
    assume(isinstance(a, np.ndarray) or isinstance(b, np.ndarray))
    try:
        theirs = OPERATORS[op](_torch(a), _torch(b))
    except RuntimeError:
        return  # PyTorch refuses it (bool subtraction)
    assert OPERATORS[op](_mg(a), _mg(b)).dtype == _dtype(theirs)


@pytest.mark.parametrize("name", ["maximum", "minimum", "where"])
@given(a=operand(), b=operand())
def test_selections_return_pytorchs_dtype(name, a, b):
    a, b = np.asarray(a), np.asarray(b)
    condition = (np.arange(a.size).reshape(a.shape) % 2 == 0,) if name == "where" else ()
    theirs = getattr(torch, name)(*(torch.tensor(c) for c in condition), torch.tensor(a),
                                  torch.tensor(b))
    ours = getattr(mg, name)(*(mg.tensor(c) for c in condition), mg.tensor(a), mg.tensor(b))
    assert ours.dtype == _dtype(theirs)


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "cos", "erf", "sigmoid", "tanh"])
@pytest.mark.parametrize("dtype", ["bool", "int32", "int64", "float64"])
def test_float_only_ops_give_the_default_float(name, dtype):
    x = np.array([1, 2], dtype)
    ours = getattr(mg.tensor(x), name)()
    assert ours.dtype == _dtype(getattr(torch.tensor(x), name)())


def test_the_listed_cases():
    assert (mg.tensor(1) + 0.5).dtype == mg.float32
    assert mg.tensor(2).exp().dtype == mg.float32
    assert (0.7 ** mg.tensor([1, 2])).dtype == mg.float32
    assert mg.maximum(mg.tensor([1, 2]), mg.tensor(np.float32(0.5))).dtype == mg.float32
    assert (mg.ones(2) * mg.tensor(2.0, dtype=mg.float64)).dtype == mg.float32
    assert (mg.tensor([1, 2]) / 2).dtype == mg.float32


def test_gradients_keep_each_inputs_dtype():
    a = mg.ones(2, requires_grad=True)                            # float32
    b = mg.tensor(3.0, dtype=mg.float64, requires_grad=True)      # 0-d float64
    (a * b).sum().backward()
    assert (a * b).dtype == mg.float32
    assert a.grad.dtype == mg.float32 and b.grad.dtype == mg.float64
    np.testing.assert_allclose(b.grad.array, 2.0)


def test_in_place_ops_refuse_a_higher_category_and_change_nothing():
    x = mg.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match=r"div_: result type float32 can't be cast to the "
                                           r"desired output type int64"):
        x.div_(2)
    with pytest.raises(RuntimeError, match="add_"):
        x.add_(0.5)
    assert x.tolist() == [1, 2, 3]
    x.mul_(2)
    assert x.tolist() == [2, 4, 6]
    y = mg.ones(2)
    y.add_(mg.tensor(np.ones(2, np.float64)))   # same category: cast back, as PyTorch
    assert y.dtype == mg.float32 and y.tolist() == [2.0, 2.0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layer", ["Dropout", "MultiheadAttention", "TransformerEncoderLayer",
                                   "KerasLSTM"])
def test_training_dropout_keeps_the_models_dtype(layer, dtype):
    """Dropout masks are made in the model's dtype.  A bool mask times a Python float is
    float64 in NumPy: attention's dropout once turned a float32 TransformerEncoderLayer
    float64 from the attention on (its feed-forward GEMMs ran at half speed)."""
    from minigrad.nn import KerasLSTM
    mg.manual_seed(0)
    module = {"Dropout": lambda: mg.nn.Dropout(0.5),
              "MultiheadAttention": lambda: mg.nn.MultiheadAttention(8, 2, dropout=0.5,
                                                                     batch_first=True),
              "TransformerEncoderLayer": lambda: mg.nn.TransformerEncoderLayer(
                  8, 2, dim_feedforward=16, dropout=0.5, batch_first=True),
              "KerasLSTM": lambda: KerasLSTM(8, 6, dropout=0.5, recurrent_dropout=0.5)}[layer]()
    module.to(dtype=getattr(mg, dtype)).train()
    x = mg.tensor(np.random.default_rng(0).standard_normal((2, 5, 8)), dtype=getattr(mg, dtype),
                  requires_grad=True)
    out = module(x, x, x)[0] if layer == "MultiheadAttention" else module(x)
    out.sum().backward()
    assert out.dtype == x.grad.dtype == getattr(mg, dtype)
    assert all(p.grad.dtype == getattr(mg, dtype) for p in module.parameters())
