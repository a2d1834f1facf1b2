"""Optimizers with PyTorch's update rules: SGD (momentum, weight decay) and Adam.

    >>> import numpy as np
    >>> from nets import Linear
    >>> from nets.losses import mse_loss
    >>> model, x = Linear(2, 2, seed=0), Tensor(np.ones((3, 2)))
    >>> opt = SGD(model.parameters(), lr=0.01, momentum=0.9)
    >>> opt.zero_grad(); mse_loss(model(x), x).backward(); opt.step()

Updates are made in place with `p.sub_(...)` under `no_grad()`, outside the graph, so a graph
that saved a parameter before the step refuses to run backward with its new values (as in
PyTorch). `p.grad` is only read: the weight-decayed gradient is a new array, so a `.grad` a
learner is inspecting never changes under them. A parameter whose `.grad` is None (not reached by backward) is skipped.
"""
from __future__ import annotations

import math
from typing import Iterable, Tuple

import numpy as np

from tinygrad_res import Tensor, no_grad


class Optimizer:
    """Holds the parameter list and per-parameter state; subclasses define `step`."""

    def __init__(self, params: Iterable[Tensor], lr: float, weight_decay: float) -> None:
        name = type(self).__name__
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{name}: got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: parameter {i} is a {type(p).__name__}, "
                                f"expected a Tensor")
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError(f"{name}: a parameter appears more than once in the list")
        if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr >= 0):
            raise ValueError(f"{name}: invalid learning rate {lr!r} (must be a number >= 0)")
        if not weight_decay >= 0:
            raise ValueError(f"{name}: invalid weight_decay {weight_decay!r} (must be >= 0)")
        self.lr, self.weight_decay = float(lr), float(weight_decay)
        self.state = [dict() for _ in self.params]

    def zero_grad(self) -> None:
        """Forget the gradients (`.grad = None`, PyTorch's default)."""
        for p in self.params:
            p.grad = None

    def _gradients(self):
        """(param, gradient with weight decay added, state) for each param that has a grad."""
        for p, state in zip(self.params, self.state):
            if p.grad is None:
                continue
            grad = p.grad
            if self.weight_decay:
                grad = grad + self.weight_decay * p.data
            yield p, grad, state

    def step(self) -> None:
        raise NotImplementedError(f"{type(self).__name__}: step is not implemented")


class SGD(Optimizer):
    """Stochastic gradient descent, as torch.optim.SGD (dampening 0, no Nesterov):

        g = grad + weight_decay * p
        buf = g on the first step, then buf = momentum * buf + g      (if momentum > 0)
        p = p - lr * buf   (or p - lr * g without momentum)
    """

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay)
        if not momentum >= 0:
            raise ValueError(f"SGD: invalid momentum {momentum!r} (must be >= 0)")
        self.momentum = float(momentum)

    @no_grad()  # an update is not part of any graph
    def step(self) -> None:
        # BEGIN TASK 5.1
        for p, grad, state in self._gradients():
            if self.momentum:
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = np.array(grad, copy=True)
                else:  # in place: the buffer is ours, and as big as the parameter
                    state["momentum_buffer"] *= self.momentum
                    state["momentum_buffer"] += grad
                grad = state["momentum_buffer"]
            p.sub_(self.lr * grad)
        # END TASK 5.1


class Adam(Optimizer):
    """Adam (Kingma and Ba 2015), as torch.optim.Adam (L2 weight decay added to the gradient):

        g = grad + weight_decay * p
        m = beta1 * m + (1 - beta1) * g           v = beta2 * v + (1 - beta2) * g^2
        p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    """

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay)
        if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"Adam: invalid betas {betas!r} (need two numbers in [0, 1))")
        if not eps >= 0:
            raise ValueError(f"Adam: invalid eps {eps!r} (must be >= 0)")
        self.betas, self.eps = (float(betas[0]), float(betas[1])), float(eps)

    @no_grad()
    def step(self) -> None:
        beta1, beta2 = self.betas
        for p, grad, state in self._gradients():
            if not state:
                state.update(step=0, exp_avg=np.zeros_like(p.data),
                             exp_avg_sq=np.zeros_like(p.data))
            state["step"] += 1
            t = state["step"]
            # the moments are updated in place: no new arrays as big as the parameters
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            exp_avg *= beta1
            exp_avg += (1 - beta1) * grad
            exp_avg_sq *= beta2
            exp_avg_sq += (1 - beta2) * grad * grad
            denom = np.sqrt(exp_avg_sq)
            denom /= math.sqrt(1 - beta2 ** t)
            denom += self.eps
            p.sub_(self.lr / (1 - beta1 ** t) * exp_avg / denom)
