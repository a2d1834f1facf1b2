"""Training utilities with torch.nn.utils' names: clip_grad_norm_.

    >>> import numpy as np
    >>> from tinygrad_res import Tensor, jit_record
    >>> p = Tensor([0.0, 0.0], requires_grad=True)
    >>> p.grad = np.array([3.0, 4.0])                  # norm 5
    >>> clip_grad_norm_([p], max_norm=1.0).item()     # returns the norm before clipping
    5.0
    >>> p.grad.round(6)                               # scaled in place to norm 1
    array([0.6, 0.8])
"""
from __future__ import annotations

import math
import numbers
from typing import Iterable, Union

import numpy as np

from tinygrad_res import Tensor, jit_record


def _vector_norm(values: np.ndarray, norm_type: float) -> float:
    """torch.linalg.vector_norm of the flattened values: the p-norm, max |x| for inf, min |x|
    for -inf, the number of non-zeros for 0."""
    magnitudes = np.abs(np.asarray(values, dtype=np.float64)).ravel()
    if norm_type == math.inf:
        return float(magnitudes.max(initial=0.0))
    if norm_type == -math.inf:
        return float(magnitudes.min(initial=math.inf)) if magnitudes.size else 0.0
    if norm_type == 0:
        return float(np.count_nonzero(magnitudes))
    with np.errstate(divide="ignore", over="ignore"):  # 0 ** -p = inf, as in torch
        return float(np.sum(magnitudes ** norm_type) ** (1.0 / norm_type))


def clip_grad_norm_(parameters: Union[Tensor, Iterable[Tensor]], max_norm: float,
                    norm_type: Union[float, str] = 2.0,
                    error_if_nonfinite: bool = False) -> Tensor:
    """Scale the gradients of `parameters` together, in place, so that their total norm is at
    most `max_norm`, as torch.nn.utils.clip_grad_norm_.

    The total norm is the `norm_type`-norm of the vector of each gradient's norm (for p > 0
    and inf, the norm of all gradients joined into one vector). Every `.grad` is multiplied by
    min(1, max_norm / (total + 1e-6)); parameters whose `.grad` is None are skipped. Returns
    the total norm before clipping, a 0-d Tensor without gradient (0 when there is no
    gradient). A nan or inf total norm turns the gradients into nan (as in PyTorch) unless
    `error_if_nonfinite=True`, which raises instead.

    Parameters
    ----------
    parameters : a Tensor or an iterable of Tensors (model.parameters()).
    max_norm : the largest total norm allowed, >= 0.
    norm_type : p of the p-norm: a number, or inf / "inf" for the largest magnitude.
    error_if_nonfinite : raise a RuntimeError when the total norm is nan or inf.
    """
    if jit_record.active() is not None:
        raise RuntimeError("clip_grad_norm_: cannot run inside a step recorded by "
                           "tinygrad_res.jit: it scales .grad with numpy, which a replay does "
                           "not see, and returns a value that would go stale; clip outside "
                           "the jitted function")
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"clip_grad_norm_: parameter {i} is a {type(p).__name__}, "
                            f"expected a Tensor")
    if isinstance(max_norm, bool) or not isinstance(max_norm, numbers.Real) or \
            not max_norm >= 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be a number >= 0, got {max_norm!r}")
    try:
        norm_type = float(norm_type)
    except (TypeError, ValueError):
        raise ValueError(f"clip_grad_norm_: norm_type must be a number or 'inf', got "
                         f"{norm_type!r}") from None
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return Tensor(0.0)
    # BEGIN TASK 5.3
    total = _vector_norm([_vector_norm(g, norm_type) for g in grads], norm_type)
    factor = min(max_norm / (total + 1e-6), 1.0)  # a nan total stays nan, as torch's clamp
    # END TASK 5.3
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} for gradients from "
            f"`parameters` is non-finite ({total}), so it cannot be clipped. To disable this "
            f"error and scale the gradients by the non-finite norm anyway, set "
            f"`error_if_nonfinite=False`")
    with np.errstate(invalid="ignore"):  # inf * 0 = nan: the documented outcome
        for g in grads:
            g *= factor  # in place, as PyTorch: the .grad arrays of leaves are their own
    return Tensor(total, dtype=grads[0].dtype)
