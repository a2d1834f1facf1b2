"""The Optimizer base class, and SGD (momentum, weight decay) and Adam (amsgrad) with
PyTorch's update rules.

    >>> import numpy as np
    >>> from nets import Linear
    >>> from nets.losses import mse_loss
    >>> model, x = Linear(2, 2, seed=0), Tensor(np.ones((3, 2)))
    >>> opt = SGD(model.parameters(), lr=0.01, momentum=0.9)
    >>> opt.zero_grad(); mse_loss(model(x), x).backward(); opt.step()

Updates are made in place with `p.sub_(...)` under `no_grad()`, outside the graph, so a graph
that saved a parameter before the step refuses to run backward with its new values (as in
PyTorch). `p.grad` is only read: the weight-decayed gradient is a new array, so a `.grad` a
learner is inspecting never changes under them. A parameter whose `.grad` is None (not
reached by backward) is skipped. `zero_grad` and `step` are @rerun_on_replay: a training step
under tinygrad_res.jit calls them again at every replay, so the update, Adam's step count and a
changed `lr` stay live.

As in PyTorch, the hyperparameters live in `param_groups` (here always one group):
`opt.lr = 0.01` and `opt.param_groups[0]["lr"] = 0.01` are the same change, which is how the
schedulers of nets.optim.lr_scheduler set the rate.
"""
from __future__ import annotations

import math
import numbers
from typing import Iterable, Optional, Tuple

import numpy as np

from tinygrad_res import Tensor, no_grad, rerun_on_replay


def check_number(optimizer: str, what: str, value, low: float = 0.0,
                 high: Optional[float] = None) -> float:
    """`value` as a float if it is a finite real number in [low, high] (high excluded), else a
    ValueError naming the optimizer and the hyperparameter. numpy scalars are numbers."""
    number = value
    if isinstance(value, np.ndarray) and value.ndim == 0:
        number = value[()]
    ok = isinstance(number, numbers.Real) and not isinstance(number, (bool, np.bool_)) \
        and math.isfinite(number) and number >= low and (high is None or number < high)
    if not ok:
        bounds = f"in [{low:g}, {high:g})" if high is not None else f">= {low:g}"
        raise ValueError(f"{optimizer}: invalid {what} {value!r} (must be a number {bounds})")
    return float(number)


def group_value(key: str) -> property:
    """An attribute that is `param_groups[0][key]`: PyTorch keeps hyperparameters in the
    group, and schedulers and users change them there."""

    def get(self):
        return self.param_groups[0][key]

    def set(self, value) -> None:
        self.param_groups[0][key] = value

    return property(get, set, doc=f"param_groups[0][{key!r}]")


class Optimizer:
    """Holds the parameter list, its one parameter group and per-parameter state; subclasses
    define `step`."""

    lr = group_value("lr")
    weight_decay = group_value("weight_decay")

    def __init__(self, params: Iterable[Tensor], lr: float, weight_decay: float,
                 **hyperparameters) -> None:
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{name}: params must be an iterable of Tensors (e.g. "
                            f"model.parameters()), got a single Tensor; pass [tensor]")
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{name}: got an empty parameter list")
        for i, p in enumerate(self.params):
            if isinstance(p, dict):
                raise TypeError(f"{name}: parameter groups (dicts) are not supported: pass one "
                                f"list of tensors")
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: parameter {i} is a {type(p).__name__}, "
                                f"expected a Tensor")
            if not p.is_leaf:
                raise ValueError(f"{name}: can't optimize a non-leaf Tensor: parameter {i} is "
                                 f"the output of {p.grad_fn.name} (a view of a parameter, or "
                                 f"computed from one); pass the leaves, model.parameters()")
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError(f"{name}: a parameter appears more than once in the list")
        self.param_groups = [dict(params=self.params,
                                  lr=check_number(name, "learning rate", lr),
                                  weight_decay=check_number(name, "weight_decay", weight_decay),
                                  **hyperparameters)]
        self.defaults = {k: v for k, v in self.param_groups[0].items() if k != "params"}
        self.state = [dict() for _ in self.params]

    @rerun_on_replay
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients (`.grad = None`, PyTorch's default), or with
        `set_to_none=False` set them to zeros in place."""
        for p in self.params:
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad[...] = 0

    def _gradients(self, add_weight_decay: bool = True):
        """(param, gradient with weight decay added, state) for each param that has a grad."""
        decay = self.weight_decay if add_weight_decay else 0.0  # read once, not per param
        for p, state in zip(self.params, self.state):
            if p.grad is None:
                continue
            grad = p.grad
            if decay:
                grad = grad + decay * p.data
            yield p, grad, state

    def step(self) -> None:
        raise NotImplementedError(f"{type(self).__name__}: step is not implemented")


class SGD(Optimizer):
    """Stochastic gradient descent, as torch.optim.SGD (dampening 0, no Nesterov; so that
    `SGD(params, lr, momentum, x)` cannot take PyTorch's dampening x as a weight decay,
    weight_decay is keyword-only):

        g = grad + weight_decay * p
        buf = g on the first step, then buf = momentum * buf + g      (if momentum > 0)
        p = p - lr * buf   (or p - lr * g without momentum)
    """

    momentum = group_value("momentum")

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, momentum: float = 0.0, *,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay,
                         momentum=check_number("SGD", "momentum", momentum))

    @rerun_on_replay
    @no_grad()  # an update is not part of any graph
    def step(self) -> None:
        # BEGIN TASK 5.1
        lr, momentum = self.lr, self.momentum  # the group's values, read once per step
        for p, grad, state in self._gradients():
            if momentum:
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = np.array(grad, copy=True)
                else:  # in place: the buffer is ours, and as big as the parameter
                    state["momentum_buffer"] *= momentum
                    state["momentum_buffer"] += grad
                grad = state["momentum_buffer"]
            p.sub_(lr * grad)
        # END TASK 5.1


class Adam(Optimizer):
    """Adam (Kingma and Ba 2015), as torch.optim.Adam (L2 weight decay added to the gradient):

        g = grad + weight_decay * p
        m = beta1 * m + (1 - beta1) * g           v = beta2 * v + (1 - beta2) * g^2
        v_max = max(v_max, v)                     (amsgrad: the largest v so far)
        p = p - lr / (1 - beta1^t) * m / (sqrt(v or v_max) / sqrt(1 - beta2^t) + eps)

    With `decoupled_weight_decay=True` (AdamW) the decay is not added to the gradient;
    instead p = p * (1 - lr * weight_decay) comes first (Loshchilov and Hutter 2019).
    """

    betas = group_value("betas")
    eps = group_value("eps")
    amsgrad = group_value("amsgrad")
    decoupled_weight_decay = group_value("decoupled_weight_decay")

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *,
                 decoupled_weight_decay: bool = False) -> None:
        name = type(self).__name__
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{name}: invalid betas {betas!r} (need two numbers in [0, 1))")
        try:
            betas = tuple(check_number(name, "betas", b, high=1.0) for b in betas)
        except ValueError:
            raise ValueError(f"{name}: invalid betas {betas!r} (need two numbers in "
                             f"[0, 1))") from None
        super().__init__(params, lr, weight_decay, betas=betas,
                         eps=check_number(name, "eps", eps), amsgrad=bool(amsgrad),
                         decoupled_weight_decay=bool(decoupled_weight_decay))

    @rerun_on_replay
    @no_grad()
    def step(self) -> None:
        beta1, beta2 = self.betas
        # the group's values, read once per step (each is a lookup in param_groups[0])
        lr, eps, amsgrad, decay = self.lr, self.eps, self.amsgrad, self.weight_decay
        decoupled = self.decoupled_weight_decay
        for p, grad, state in self._gradients(add_weight_decay=not decoupled):
            if not state:
                state.update(step=0, exp_avg=np.zeros_like(p.data),
                             exp_avg_sq=np.zeros_like(p.data))
                if amsgrad:
                    state["max_exp_avg_sq"] = np.zeros_like(p.data)
            state["step"] += 1
            t = state["step"]
            if decoupled and decay:
                p.mul_(1 - lr * decay)
            # the moments are updated in place: no new arrays as big as the parameters
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            exp_avg *= beta1
            exp_avg += (1 - beta1) * grad
            exp_avg_sq *= beta2
            exp_avg_sq += (1 - beta2) * grad * grad
            if amsgrad:
                np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
                exp_avg_sq = state["max_exp_avg_sq"]
            denom = np.sqrt(exp_avg_sq)
            denom /= math.sqrt(1 - beta2 ** t)
            denom += eps
            p.sub_(lr / (1 - beta1 ** t) * exp_avg / denom)
