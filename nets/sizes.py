"""Checks of the sizes given to layer and network constructors.

Every constructor in nets checks its sizes before it allocates anything, so a bad size is an
error naming the layer and the argument, never a bare numpy or math error from inside:

    >>> from nets import Linear
    >>> Linear(3, -2)
    Traceback (most recent call last):
    ...
    ValueError: Linear: out_features must be >= 0, got -2

A size that is not an int (2.5, "3", None, True) raises NotAnIntError, which is both a
TypeError (what PyTorch raises for it) and a ValueError (a bad value for a size), so either
`except` catches it. numpy integers are accepted and become Python ints.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np


class NotAnIntError(TypeError, ValueError):
    """A size or a count that is not an int."""


def check_size(layer: str, name: str, value, minimum: int = 0) -> int:
    """`value` as a Python int, if it is an int >= `minimum`.

    >>> check_size("Linear", "in_features", np.int64(3))
    3
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise NotAnIntError(f"{layer}: {name} must be an int, got {value!r} "
                            f"({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{layer}: {name} must be >= {minimum}, got {value}")
    return int(value)


def check_pair(layer: str, name: str, value, minimum: int) -> Tuple[int, int]:
    """An int or a pair of ints (height, width), each >= `minimum`, as a 2-tuple.

    >>> check_pair("Conv2d", "kernel_size", 3, 1)
    (3, 3)
    """
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{layer}: {name} must be an int or a pair of ints, got {value!r}")
        return (check_size(layer, f"{name}[0]", value[0], minimum),
                check_size(layer, f"{name}[1]", value[1], minimum))
    size = check_size(layer, name, value, minimum)
    return size, size


def check_features_to_normalise(layer: str, num_features: int) -> None:
    """Batch norm over no features can be built but not run, as in PyTorch."""
    if num_features == 0:
        raise ValueError(f"{layer}: num_features is 0, there is nothing to normalise")


def check_probability(layer: str, name: str, value) -> float:
    """A number in [0, 1], as a float (a dropout probability).

    >>> check_probability("Dropout", "p", 0.25)
    0.25
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                     np.floating)):
        raise TypeError(f"{layer}: {name} must be a number, got {value!r} "
                        f"({type(value).__name__})")
    if not 0.0 <= value <= 1.0:  # also refuses nan
        raise ValueError(f"{layer}: {name} (a probability) has to be between 0 and 1, "
                         f"but got {value}")
    return float(value)
