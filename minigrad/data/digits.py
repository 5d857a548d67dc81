"""scikit-learn's 8×8 handwritten digits: 1,797 real images, shipped with the package."""
from __future__ import annotations

import numpy as np


def digits():
    """(images float32 (1797, 8, 8) with values 0..16, labels int64 (1797,))."""
    from sklearn.datasets import load_digits
    data = load_digits()
    return data.images.astype(np.float32), data.target.astype(np.int64)
