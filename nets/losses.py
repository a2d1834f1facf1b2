"""Loss functions with torch.nn.functional's names, arguments and numerics.

Each is composed of engine ops, so autodiff gives its gradient. `reduction` is 'mean'
(default), 'sum' or 'none' (the per-entry losses).

    >>> from nets import Linear
    >>> model, x, y = Linear(3, 1, seed=0), Tensor(np.ones((4, 3))), Tensor(np.zeros((4, 1)))
    >>> loss = mse_loss(model(x), y)
    >>> loss.backward()
    >>> model.weight.grad.shape
    (1, 3)
"""
from __future__ import annotations

import numpy as np

from tinygrad_res import Tensor, stack, where

REDUCTIONS = ("mean", "sum", "none")

# PyTorch clamps log(p) at -100 in binary_cross_entropy, so p = 0 costs 100, not infinity
_LOG_FLOOR = -100.0
_TINIEST = float(np.exp(_LOG_FLOOR))


def _as_tensor(value, like: Tensor) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(value, dtype=like.dtype)


def _reduce(name: str, losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    if reduction == "none":
        return losses
    raise ValueError(f"{name}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _same_shape(name: str, input: Tensor, target: Tensor) -> None:
    if input.shape != target.shape:
        raise ValueError(f"{name}: input has shape {input.shape} but target has shape "
                         f"{target.shape}; they must match")


def mse_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """(input - target)^2, averaged over every entry by default.

    >>> mse_loss(Tensor([1.0, 2.0]), Tensor([0.0, 0.0])).item()
    2.5
    """
    target = _as_tensor(target, input)
    _same_shape("mse_loss", input, target)
    diff = input - target
    return _reduce("mse_loss", diff * diff, reduction)


def _clamped_log(p: Tensor) -> Tensor:
    """log(p), but never below -100: a probability of exactly 0 gives a finite loss."""
    return where(p.data > _TINIEST, p, _TINIEST).log()


def binary_cross_entropy(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """-(y log p + (1 - y) log(1 - p)) for probabilities p = `input` in [0, 1], each log
    clamped at -100 as in PyTorch. Prefer binary_cross_entropy_with_logits: it is exact where
    sigmoid has rounded p to 0 or 1."""
    target = _as_tensor(target, input)
    _same_shape("binary_cross_entropy", input, target)
    if np.any((input.data < 0) | (input.data > 1)) or np.any(np.isnan(input.data)):
        raise ValueError(f"binary_cross_entropy: input must hold probabilities in [0, 1], got "
                         f"values from {input.data.min():.4g} to {input.data.max():.4g}")
    losses = -(target * _clamped_log(input) + (1 - target) * _clamped_log(1 - input))
    return _reduce("binary_cross_entropy", losses, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of sigmoid(input), computed from the logits without forming the
    probability: log sigmoid(z) and log(1 - sigmoid(z)) = log sigmoid(-z) are the two entries of
    log_softmax([0, z]), which is stable for any z and whose gradient is sigmoid(z) - y."""
    target = _as_tensor(target, input)
    _same_shape("binary_cross_entropy_with_logits", input, target)
    zeros = Tensor(np.zeros(input.shape), dtype=input.dtype)
    log_probs = stack([zeros, input], axis=-1).log_softmax(axis=-1)
    log_p, log_not_p = log_probs[..., 1], log_probs[..., 0]
    losses = -(target * log_p + (1 - target) * log_not_p)
    return _reduce("binary_cross_entropy_with_logits", losses, reduction)


def cross_entropy(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """-log softmax(input)[target] for logits of shape (N, C), as
    torch.nn.functional.cross_entropy. `target` is either

    - class labels of shape (N,) in [0, C): an integer array, or whole numbers in a Tensor
      (a Tensor here always holds floats; PyTorch wants a LongTensor), or
    - class probabilities of the input's shape (N, C), floats: the loss of sample n is
      -sum_c target[n, c] * log softmax(input)[n, c], as in PyTorch (not checked to sum to 1).

    >>> cross_entropy(Tensor([[0.0, 0.0]]), np.array([1])).item()   # log 2
    0.6931471805599453
    >>> cross_entropy(Tensor([[0.0, 0.0]]), np.array([[0.5, 0.5]])).item()
    0.6931471805599453
    """
    labels = np.asarray(target.data if isinstance(target, Tensor) else target)
    if input.ndim != 2:
        raise ValueError(f"cross_entropy: input must be logits of shape (N, C), got shape "
                         f"{input.shape}")
    if labels.dtype.kind not in "iuf":
        raise TypeError(f"cross_entropy: target holds {labels.dtype} values; expected integer "
                        f"class labels of shape ({input.shape[0]},) or float class "
                        f"probabilities of shape {input.shape}")
    log_probs = input.log_softmax(axis=-1)
    if labels.shape == input.shape:
        if labels.dtype.kind != "f":
            raise TypeError(f"cross_entropy: a target of the input's shape {input.shape} holds "
                            f"class probabilities and must be float, got {labels.dtype}")
        losses = -(_as_tensor(target, input) * log_probs).sum(axis=1)
        return _reduce("cross_entropy", losses, reduction)
    if labels.shape != (input.shape[0],):
        raise ValueError(f"cross_entropy: target has shape {labels.shape} but input "
                         f"{input.shape} needs class labels of shape ({input.shape[0]},) or "
                         f"class probabilities of shape {input.shape}")
    if labels.dtype.kind == "f" and labels.size and not np.all(np.mod(labels, 1) == 0):
        raise ValueError(f"cross_entropy: target holds {labels.dtype} values that are not "
                         f"whole numbers; class labels of shape ({input.shape[0]},) must be "
                         f"integers (for class probabilities give the input's shape "
                         f"{input.shape})")
    labels = labels.astype(np.int64, copy=False)  # int64 labels stay the same array (jit)
    if labels.size and (labels.min() < 0 or labels.max() >= input.shape[1]):
        raise ValueError(f"cross_entropy: class labels must lie in [0, {input.shape[1]}), "
                         f"got values from {labels.min()} to {labels.max()}")
    losses = -log_probs[np.arange(input.shape[0]), labels]
    return _reduce("cross_entropy", losses, reduction)
