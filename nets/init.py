"""Weight initialisation schemes, in place on parameter tensors (PyTorch's `nn.init` names).

Every random scheme takes `seed`: an int (reproducible), a numpy Generator (to draw several
layers from one stream) or None (fresh randomness).

    >>> from nets import Linear
    >>> layer = Linear(8, 8)
    >>> _ = kaiming_normal_(layer.weight, seed=0)       # N(0, sqrt(2 / fan_in)), in place
    >>> _ = zeros_(layer.bias)
    >>> round(float(layer.weight.data.std()), 1), float(abs(layer.bias.data).max())
    (0.5, 0.0)

The residual-network schemes work on the *branches* of a network: every module with a
`residual_branch()` method (ResMLP's layers, the blocks of nets/blocks.py) returns the Linear
layers its branch runs through, in order.
"""
from __future__ import annotations

import math
from typing import List, Optional, Union

import numpy as np

from tinygrad_res import Tensor, no_grad

Seed = Union[int, np.random.Generator, None]


def as_rng(seed: Seed) -> np.random.Generator:
    """An int or None -> a new Generator; a Generator is passed through (so callers share it)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int, a numpy Generator or None, got "
                    f"{type(seed).__name__}")


def fans(tensor: Tensor) -> tuple:
    """(fan_in, fan_out) of a weight: (out, in) for Linear, (out, in, kh, kw) for Conv2d."""
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(f"init: fan in and fan out need a weight with at least 2 dims, "
                         f"got shape {shape}")
    receptive = int(np.prod(shape[2:]))
    return shape[1] * receptive, shape[0] * receptive


def calculate_gain(nonlinearity: str) -> float:
    """The factor that keeps activation variance steady through the nonlinearity."""
    gains = {"linear": 1.0, "identity": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3,
             "relu": math.sqrt(2.0)}
    if nonlinearity not in gains:
        raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}, "
                         f"expected one of {sorted(gains)}")
    return gains[nonlinearity]


def _fill(tensor: Tensor, values: np.ndarray) -> Tensor:
    """Write `values` into the tensor in place (a change a graph that saved it will notice)."""
    with no_grad():
        return tensor.copy_(values)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, seed: Seed = None) -> Tensor:
    return _fill(tensor, as_rng(seed).normal(mean, std, size=tensor.shape))


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, seed: Seed = None) -> Tensor:
    return _fill(tensor, as_rng(seed).uniform(a, b, size=tensor.shape))


def zeros_(tensor: Tensor) -> Tensor:
    return _fill(tensor, np.zeros(tensor.shape))


def constant_(tensor: Tensor, value: float) -> Tensor:
    return _fill(tensor, np.full(tensor.shape, float(value)))


def kaiming_normal_(tensor: Tensor, mode: str = "fan_in", nonlinearity: str = "relu",
                    seed: Seed = None) -> Tensor:
    """N(0, gain / sqrt(fan)): He et al. 2015; for ReLU, std = sqrt(2 / fan_in)."""
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming_normal_: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fans(tensor)
    std = calculate_gain(nonlinearity) / math.sqrt(fan_in if mode == "fan_in" else fan_out)
    return normal_(tensor, 0.0, std, seed)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, seed: Seed = None) -> Tensor:
    """N(0, gain * sqrt(2 / (fan_in + fan_out))): Glorot and Bengio 2010."""
    fan_in, fan_out = fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), seed)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, seed: Seed = None) -> Tensor:
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)): the same variance as
    xavier_normal_."""
    fan_in, fan_out = fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, seed)


# ----- schemes for residual networks --------------------------------------------------------
def residual_branches(model) -> List[list]:
    """The Linear layers of each residual branch in `model`, branch by branch."""
    branches = [module.residual_branch() for module in model.modules()
                if hasattr(module, "residual_branch")]
    if not branches:
        raise ValueError(f"init: {type(model).__name__} has no residual branches (no module "
                         f"with a residual_branch() method)")
    return branches


def scale_residual_branches_(model, factor: Optional[float] = None):
    """Multiply every weight on every residual branch by `factor`, 1/sqrt(number of branches)
    by default: the branches start small, so at initialisation the identity dominates and
    the sum of many branches does not blow up (seed 000's residual recipe)."""
    branches = residual_branches(model)
    if factor is None:
        factor = 1.0 / math.sqrt(len(branches))
    with no_grad():
        for branch in branches:
            for layer in branch:
                layer.weight.mul_(factor)
    return model


def zero_init_last_layers_(model):
    """Zero the last layer (weight and bias) of every residual branch: each block then starts
    as the exact identity, and learns to depart from it (Fixup, Zhang et al. 2019)."""
    for branch in residual_branches(model):
        last = branch[-1]
        zeros_(last.weight)
        if getattr(last, "bias", None) is not None:
            zeros_(last.bias)
    return model


def fixup_init_(model):
    """Fixup: with L branches of m layers each, scale the first m - 1 layers of every branch by
    L^(-1/(2m-2)) and zero the last one, so the network's output changes by O(1) per step
    whatever its depth."""
    branches = residual_branches(model)
    for branch in branches:
        if len(branch) > 1:
            factor = len(branches) ** (-1.0 / (2 * len(branch) - 2))
            with no_grad():
                for layer in branch[:-1]:
                    layer.weight.mul_(factor)
    return zero_init_last_layers_(model)
