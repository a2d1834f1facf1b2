"""Short text for an array: its values when it is small, statistics when it is not."""
from __future__ import annotations

import numpy as np


def format_shape(shape: tuple) -> str:
    return "scalar" if tuple(shape) == () else str(tuple(shape))


def format_array(array, max_values: int = 12, digits: int = 4) -> str:
    """One line describing `array`: its entries (rounded to `digits` significant digits) when
    there are at most `max_values`, else mean, std, min and max.

    >>> format_array(np.array([0.5, -1.0]))
    '[0.5, -1]'
    >>> format_array(np.arange(100.0))
    'mean 49.5  std 28.87  min 0  max 99'
    """
    if array is None:
        return "none"
    array = np.asarray(array)

    def number(value) -> str:
        return f"{float(value) + 0.0:.{digits}g}"  # + 0.0 turns -0.0 into 0.0

    if array.size <= max_values:
        if array.ndim == 0:
            return number(array.item())
        text = np.array2string(array, separator=", ", max_line_width=10**6,
                               formatter={"float_kind": number, "int_kind": number})
        return " ".join(text.split())
    return (f"mean {number(array.mean())}  std {number(array.std())}  "
            f"min {number(array.min())}  max {number(array.max())}")


def format_array_block(array, max_values: int = 36, digits: int = 4) -> str:
    """Like `format_array`, but a matrix keeps one row per line (for HTML <pre> blocks)."""
    if array is None:
        return "none"
    array = np.asarray(array)
    if array.size > max_values or array.ndim < 2:
        return format_array(array, max_values=max_values, digits=digits)
    return np.array2string(array, separator=", ", max_line_width=120,
                           formatter={"float_kind": lambda v: f"{float(v) + 0.0:.{digits}g}"})
