"""The 8x8 handwritten digits of scikit-learn as NCHW images, with a fixed train/test split.

1797 grey images of the digits 0-9 (UCI "optdigits", 8x8, values 0..16), shipped inside the
scikit-learn package: nothing is downloaded. Install it with `pip install -e ".[data]"`.

    >>> data = load_digits()
    >>> data.x_train.shape, data.y_train.shape, data.x_test.shape
    ((1438, 1, 8, 8), (1438,), (359, 1, 8, 8))
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SPLIT_SEED = 0  # fixes which images are test images, for every run of every demo
TEST_FRACTION = 0.2


@dataclass
class Digits:
    """Images (N, 1, 8, 8) normalised with the training set's mean and std; labels (N,) int."""
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def _sklearn_digits():
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError:
        raise ImportError("load_digits: scikit-learn is not installed; it ships the digits "
                          "data set. Install it with: pip install -e \".[data]\"") from None
    return sklearn_load_digits(return_X_y=True)


def load_digits(dtype=np.float64) -> Digits:
    """The digits, split 80/20 by a fixed permutation (stratified: each class keeps the
    same share in both parts) and normalised as (x / 16 - mean) / std with the training
    set's pixel mean and std (one number each, so the images keep their contrast)."""
    images, labels = _sklearn_digits()
    rng = np.random.default_rng(SPLIT_SEED)
    test = np.zeros(len(labels), dtype=bool)
    for digit in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == digit))
        test[members[:round(TEST_FRACTION * len(members))]] = True
    x = (images / 16.0).reshape(-1, 1, 8, 8)
    mean, std = x[~test].mean(), x[~test].std()
    x = ((x - mean) / std).astype(dtype)
    labels = labels.astype(np.int64)
    return Digits(x[~test], labels[~test], x[test], labels[test])
