"""The data sets of the seed texts, generated exactly as described (nothing is downloaded).

    identity_data()       seed 000: 32 vectors of 8 Gaussians, target = input
    uniform_batches()     seed 001: fresh Uniform(-1, 1) batches, target = input
    make_spirals()        seed 004: two interleaved noisy spirals, labels 0 and 1
"""
from __future__ import annotations

import random
from typing import Iterator, Tuple

import numpy as np

from .init import Seed, as_rng


def identity_data(num_points: int = 32, width: int = 8, seed: int = 91) -> np.ndarray:
    """Seed 000's inputs (the targets are the inputs): `random.seed(91)`, then `num_points`
    vectors `[random.gauss(0.0, 1.0) for _ in range(width)]`, as rows of a float64 array.

    The seed text leaves this function out; this recipe is the one that gives its baseline
    1.076610 exactly (see REPRODUCTION.md). A private `random.Random` leaves the global
    stream alone.

    >>> x = identity_data()
    >>> round(zero_prediction_loss(x), 6)
    1.07661
    """
    stream = random.Random(seed)
    rows = [[stream.gauss(0.0, 1.0) for _ in range(width)] for _ in range(num_points)]
    return np.array(rows, dtype=np.float64)


def zero_prediction_loss(x: np.ndarray) -> float:
    """The MSE of always predicting zeros on the identity task: mean of x^2. A network that
    ends near this value has learned nothing (seed 000's "baseline")."""
    return float(np.mean(np.square(x)))


def uniform_batches(steps: int, batch_size: int = 64, dim: int = 64,
                    seed: Seed = 0) -> Iterator[np.ndarray]:
    """Seed 001's inputs: `steps` fresh batches X ~ Uniform(-1, 1) of shape (batch_size, dim),
    from one numpy Generator (target = X; predicting zeros costs E[x^2] = 1/3)."""
    rng = as_rng(seed)
    for _ in range(steps):
        yield rng.uniform(-1.0, 1.0, size=(batch_size, dim))


def make_spirals(n_points: int = 200, noise: float = 0.3,
                 seed: int = 42) -> Tuple[np.ndarray, np.ndarray]:
    """Seed 004's two spirals: X of shape (2 n_points, 2), y of 0s then 1s.

    Spiral 1 is spiral 0 turned by pi; radius grows from 0.3 to 1 over one turn; Gaussian
    noise of std 0.1 * noise on each coordinate. The draws follow the seed text's order with
    numpy's legacy RandomState(seed), so the points are the same.
    """
    rng = np.random.RandomState(seed)
    t = np.linspace(0, 2 * np.pi, n_points)
    r = np.linspace(0.3, 1.0, n_points)
    x0 = np.column_stack([r * np.cos(t) + rng.randn(n_points) * noise * 0.1,
                          r * np.sin(t) + rng.randn(n_points) * noise * 0.1])
    x1 = np.column_stack([r * np.cos(t + np.pi) + rng.randn(n_points) * noise * 0.1,
                          r * np.sin(t + np.pi) + rng.randn(n_points) * noise * 0.1])
    X = np.vstack([x0, x1])
    y = np.array([0] * n_points + [1] * n_points)
    return X, y
