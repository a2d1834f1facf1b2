"""What one training run of the explorers is: its settings, their limits, and their checking.

Every request of the live app and every run of the replay grid goes through `parse_config`,
which turns loose values (JSON numbers or strings) into a `RunConfig` or raises `BadParameter`
naming the parameter and saying why. The limits bound the work one request can cause.

    >>> parse_config({"task": "spirals", "depth": "32", "skip": True})
    RunConfig(task='spirals', depth=32, width=32, skip=True, ...)
    >>> parse_config({"depth": 0})
    Traceback (most recent call last):
    BadParameter: depth: must be a whole number from 1 to 128, got 0
"""
from __future__ import annotations

import dataclasses
import importlib.util
import math
from dataclasses import dataclass
from typing import Any, Mapping

# (label shown on the page, one-line description)
TASKS = {
    "spirals": ("two spirals (seed 004)", "400 points in 2-D, two classes; binary "
                "cross-entropy; input layer 2 -> width and output layer width -> 1 added"),
    "identity": ("identity (seed 000)", "32 Gaussian vectors, target = input, MSE; the net is "
                 "exactly `depth` layers of width x width"),
    "distant_identity": ("distant identity (seed 001)", "a fresh Uniform(-1, 1) batch of 64 "
                         "each step, target = input, MSE; exactly `depth` layers"),
    "digits": ("8x8 digits", "scikit-learn's handwritten digits as 64-pixel vectors, batches "
               "of 64, cross-entropy; input layer 64 -> width and output layer width -> 10 "
               "added"),
}
BLOCKS = {
    "layer": ("layer: relu(Wx + b)", "the seeds' layer; with skip: x + relu(Wx + b)"),
    "postact": ("post-activation block (v1)", "relu(LN(W2 relu(LN(W1 x)))) + x, then relu"),
    "preact": ("pre-activation block (v2)", "W2 relu(LN(W1 relu(LN(x)))) + x"),
}
INITS = {
    "default": ("PyTorch default", "U(-1/sqrt(n), 1/sqrt(n)) for weights and biases"),
    "kaiming_scaled": ("He; residual branches / sqrt(depth)", "He init N(0, sqrt(2/n)), zero "
                       "biases; with skips, every weight of the stack times 1/sqrt(depth) "
                       "(seed 000's recipe), so that the sum of the branches does not blow up"),
    "kaiming": ("He, unscaled", "N(0, sqrt(2/n)) weights, zero biases, also with skips: a "
                "deep residual stack then grows its activations layer after layer"),
}
OPTIMIZERS = {
    "sgd": ("SGD", "plain gradient descent"),
    "momentum": ("SGD + momentum 0.9", "PyTorch's SGD(momentum=0.9)"),
    "adam": ("Adam", "PyTorch's Adam, betas (0.9, 0.999)"),
}
CHOICES = {"task": TASKS, "block": BLOCKS, "init": INITS, "optimizer": OPTIMIZERS}

# the bounds of one run: whole numbers (low, high) and the learning rate's range
INT_RANGES = {"depth": (1, 128), "width": (2, 256), "steps": (1, 5000),
              "seed": (0, 2**31 - 1)}
LR_RANGE = (1e-6, 10.0)


class BadParameter(ValueError):
    """A request parameter that cannot be used: `parameter` names it, the message says why."""

    def __init__(self, parameter: str, reason: str) -> None:
        super().__init__(f"{parameter}: {reason}")
        self.parameter, self.reason = parameter, reason


@dataclass(frozen=True)
class RunConfig:
    """One training run. `depth` counts the layers (or blocks) that skips can bridge."""
    task: str = "spirals"
    depth: int = 32
    width: int = 32
    skip: bool = False
    block: str = "layer"
    init: str = "kaiming_scaled"
    optimizer: str = "momentum"
    lr: float = 0.01
    seed: int = 0
    steps: int = 500

    def label(self) -> str:
        """'plain, depth 32, width 32, spirals, SGD + momentum 0.9 lr 0.01, seed 0'."""
        family = "residual" if self.skip else "plain"
        block = "" if self.block == "layer" else f" {self.block}"
        return (f"{family}{block}, depth {self.depth}, width {self.width}, {self.task}, "
                f"{OPTIMIZERS[self.optimizer][0]} lr {self.lr:g}, {self.init} init, "
                f"seed {self.seed}")


FIELDS = tuple(field.name for field in dataclasses.fields(RunConfig))


def _whole(name: str, value: Any) -> int:
    low, high = INT_RANGES[name]
    why = f"must be a whole number from {low} to {high}, got {value!r}"
    if isinstance(value, bool):
        raise BadParameter(name, why)
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise BadParameter(name, why) from None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not low <= value <= high:
        raise BadParameter(name, why)
    return value


def _learning_rate(value: Any) -> float:
    low, high = LR_RANGE
    why = f"must be a finite number from {low:g} to {high:g}, got {value!r}"
    if isinstance(value, bool) or value is None:
        raise BadParameter("lr", why)
    try:
        lr = float(value)
    except (TypeError, ValueError):
        raise BadParameter("lr", why) from None
    if not (math.isfinite(lr) and low <= lr <= high):
        raise BadParameter("lr", why)
    return lr


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    words = {"true": True, "1": True, "on": True, "false": False, "0": False, "off": False}
    if isinstance(value, (str, int)) and str(value).lower() in words:
        return words[str(value).lower()]
    raise BadParameter("skip", f"must be true or false, got {value!r}")


def _choice(name: str, value: Any) -> str:
    known = CHOICES[name]
    if value not in known:
        raise BadParameter(name, f"unknown {name} {value!r}; expected one of "
                                 f"{', '.join(known)}")
    if value == "digits" and importlib.util.find_spec("sklearn") is None:
        raise BadParameter(name, "the digits need scikit-learn, which ships them: "
                                 "pip install -e \".[data]\"")
    return value


def parse_config(values: Mapping[str, Any]) -> RunConfig:
    """A RunConfig from request values (missing ones take the defaults), or BadParameter."""
    if not isinstance(values, Mapping):
        raise BadParameter("body", f"expected a JSON object of settings, got "
                                   f"{type(values).__name__}")
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise BadParameter(unknown[0], f"unknown parameter; the parameters are "
                                       f"{', '.join(FIELDS)}")
    parsed = {}
    for name, value in values.items():
        if name in INT_RANGES:
            parsed[name] = _whole(name, value)
        elif name in CHOICES:
            parsed[name] = _choice(name, value)
        elif name == "lr":
            parsed[name] = _learning_rate(value)
        else:
            parsed[name] = _flag(value)
    return RunConfig(**parsed)


def control_spec(defaults: RunConfig = RunConfig()) -> dict:
    """The controls as the page draws them: each setting's kind, range or choices, default."""
    controls = []
    for name in FIELDS:
        control = {"name": name, "default": getattr(defaults, name)}
        if name in INT_RANGES:
            control.update(kind="int", min=INT_RANGES[name][0], max=INT_RANGES[name][1])
        elif name in CHOICES:
            control.update(kind="choice", choices=[
                {"value": key, "label": label, "title": title}
                for key, (label, title) in CHOICES[name].items()])
        elif name == "lr":
            control.update(kind="float", min=LR_RANGE[0], max=LR_RANGE[1])
        else:
            control.update(kind="flag")
        controls.append(control)
    return {"controls": controls}
