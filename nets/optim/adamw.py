"""AdamW: Adam with decoupled weight decay, as torch.optim.AdamW.

    >>> import numpy as np
    >>> from tinygrad_res import Tensor
    >>> p = Tensor([1.0], requires_grad=True)
    >>> p.grad = np.array([0.0])                      # no gradient: only the decay acts
    >>> AdamW([p], lr=0.1, weight_decay=0.5).step()
    >>> p.data                                        # 1 * (1 - 0.1 * 0.5)
    array([0.95])
"""
from __future__ import annotations

from typing import Iterable, Tuple

from tinygrad_res import Tensor

from .optimizer import Adam


class AdamW(Adam):
    """Adam whose weight decay shrinks the parameters directly, p = p * (1 - lr * weight_decay),
    before the Adam step, instead of being added to the gradient (where Adam's normalisation
    would scale it down for parameters with large gradients). Loshchilov and Hutter 2019.
    PyTorch's defaults, weight_decay=0.01 included."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad,
                         decoupled_weight_decay=True)
