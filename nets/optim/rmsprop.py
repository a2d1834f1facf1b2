"""RMSprop (Hinton's lecture 6e, Graves 2013 for the centred form), as torch.optim.RMSprop.

    >>> import numpy as np
    >>> from tinygrad_res import Tensor
    >>> p = Tensor([1.0], requires_grad=True)
    >>> p.grad = np.array([2.0])
    >>> RMSprop([p], lr=0.01).step()      # v = 0.01 * 4; p = 1 - 0.01 * 2 / (sqrt(v) + 1e-8)
    >>> round(float(p.data[0]), 6)
    0.9
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from tinygrad_res import Tensor, no_grad, rerun_on_replay

from .optimizer import Optimizer, check_number, group_value


class RMSprop(Optimizer):
    """Divide each gradient by a running root mean square of its recent values:

        g = grad + weight_decay * p
        v = alpha * v + (1 - alpha) * g^2
        avg = sqrt(v) + eps,  or, centered, with m = alpha * m + (1 - alpha) * g:
        avg = sqrt(v - m^2) + eps                   (the running variance instead)
        buf = momentum * buf + g / avg;  p = p - lr * buf       (momentum > 0)
        p = p - lr * g / avg                                    (momentum = 0)

    PyTorch's defaults: lr=0.01, alpha=0.99, eps=1e-8 (added outside the square root).
    """

    alpha = group_value("alpha")
    eps = group_value("eps")
    momentum = group_value("momentum")
    centered = group_value("centered")

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False) -> None:
        super().__init__(params, lr, weight_decay, alpha=check_number("RMSprop", "alpha", alpha),
                         eps=check_number("RMSprop", "eps", eps),
                         momentum=check_number("RMSprop", "momentum", momentum),
                         centered=bool(centered))

    @rerun_on_replay
    @no_grad()  # an update is not part of any graph
    def step(self) -> None:
        # the group's values, read once per step (each is a lookup in param_groups[0])
        alpha, lr, eps, momentum, centered = \
            self.alpha, self.lr, self.eps, self.momentum, self.centered
        for p, grad, state in self._gradients():
            if not state:
                state.update(step=0, square_avg=np.zeros_like(p.data))
            state["step"] += 1
            square_avg = state["square_avg"]  # in place: the running averages are ours
            square_avg *= alpha
            square_avg += (1 - alpha) * grad * grad
            if centered:
                grad_avg = state.setdefault("grad_avg", np.zeros_like(p.data))
                grad_avg += (1 - alpha) * (grad - grad_avg)
                avg = np.sqrt(square_avg - grad_avg * grad_avg)
            else:
                avg = np.sqrt(square_avg)
            avg += eps
            if momentum > 0:
                buf = state.setdefault("momentum_buffer", np.zeros_like(p.data))
                buf *= momentum
                buf += grad / avg
                p.sub_(lr * buf)
            else:
                p.sub_(lr * grad / avg)
