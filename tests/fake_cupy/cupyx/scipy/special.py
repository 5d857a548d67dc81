"""cupyx.scipy.special.erf."""
from scipy.special import erf as _erf

from cupy._core import _operand, wrap


def erf(x, out=None):
    return wrap(_erf(_operand(x)))
