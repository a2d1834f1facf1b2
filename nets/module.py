"""Module: the base of every layer and network, with PyTorch's conventions.

A module owns parameters (`nets.Parameter`, a Tensor that requires grad), buffers (numpy
arrays such as a batch norm's running mean) and submodules, all found by plain attribute
assignment:

    class Affine(Module):
        def __init__(self):
            super().__init__()
            self.weight = Parameter(np.ones(3))      # a parameter: trained, saved
            self.inner = Linear(3, 3)                # a submodule
            self.offset = Tensor(np.zeros(3))        # a plain attribute, as in PyTorch
        def forward(self, x):
            return self.inner(x) * self.weight + self.offset

The rules are PyTorch's. Only a Parameter becomes a parameter: a plain Tensor, even one that
requires grad, stays a plain attribute (assigning a leaf that requires grad warns, with
UnregisteredTensorWarning, since it is most likely meant to be trained). A name that holds a
parameter takes only a Parameter or None: `layer.weight = layer.weight * 2` is a TypeError,
not a parameter silently dropped from `parameters()` and `state_dict()`; change the values in
place instead (`layer.weight.mul_(2)` inside `no_grad()`). Likewise a name that holds a
submodule takes only a Module or None.

Everything is kept in definition order, so `parameters()` lists a network layer by layer,
weight then bias, exactly as the hand-written references in nets/manual.py expect.
"""
from __future__ import annotations

import inspect
import numbers
import warnings
from collections import OrderedDict
from typing import Callable, Dict, Iterator, Optional, Tuple

import numpy as np

from tinygrad_res import Tensor, no_grad, rerun_on_replay
from tinygrad_res.viz.scope import enter_scope, exit_scope

from . import serialization
from .parameter import Parameter


class UnregisteredTensorWarning(UserWarning):
    """A leaf Tensor that requires grad was assigned to a module attribute: as in PyTorch it is
    not a parameter (not trained, not saved); wrap it in nets.Parameter if it should be."""


# inputs that look like data but are not Tensors: a layer refuses them by name
_DATA_TYPES = (np.ndarray, np.generic, list, numbers.Number)


class HookHandle:
    """Returned by `register_forward_hook`; `remove()` detaches the hook again."""

    def __init__(self, hooks: dict, key: int):
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)


class Module:
    """Base class of layers and networks. Subclasses call `super().__init__()` and define
    `forward`; calling the module runs `forward` (and any forward hooks)."""

    _next_hook_key = 0
    array_input = False  # True where the input is an array of ids (Embedding): passed through

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", [])
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "training", True)

    # ----- registration by attribute assignment ------------------------------------------
    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() before assigning "
                f"attribute {name!r}")
        if isinstance(value, Parameter):
            self._forget(name, keep=self._parameters)  # a replaced one keeps its place
            self._parameters[name] = value
        elif name in self._parameters:
            if value is not None:
                raise TypeError(
                    f"{type(self).__name__}: cannot assign '{type(value).__name__}' as "
                    f"parameter '{name}' (nets.Parameter or None expected); to change its "
                    f"values write into it, `with no_grad(): module.{name}.copy_(values)`, or "
                    f"replace it: `module.{name} = nets.Parameter(values)`")
            self._parameters[name] = None
        elif isinstance(value, Module):
            self._forget(name, keep=self._modules)
            self._modules[name] = value
        elif name in self._modules:
            if value is not None:
                raise TypeError(f"{type(self).__name__}: cannot assign "
                                f"'{type(value).__name__}' as child module '{name}' "
                                f"(nets.Module or None expected)")
            self._modules[name] = None
        elif isinstance(value, Tensor) and value.requires_grad and value.is_leaf:
            warnings.warn(
                f"{type(self).__name__}.{name}: a Tensor that requires grad is not a parameter "
                f"(PyTorch's rule): parameters() and state_dict() leave it out, so it is "
                f"neither trained nor saved; assign nets.Parameter(tensor) to register it",
                UnregisteredTensorWarning, stacklevel=2)
        object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: Optional[dict] = None) -> None:
        """Drop `name` from every registry but `keep` (the one it is about to be set in)."""
        for registry in (self._parameters, self._modules):
            if registry is not keep:
                registry.pop(name, None)
        if name in self._buffers:
            self._buffers.remove(name)

    def __delattr__(self, name: str) -> None:
        self._forget(name)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Optional[Parameter]) -> None:
        """Register `param` (a Parameter, or None for an absent one such as a layer's bias
        when bias=False) under `name`, as torch.nn.Module.register_parameter."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"{type(self).__name__}.register_parameter: cannot assign "
                            f"'{type(param).__name__}' as parameter '{name}' (nets.Parameter "
                            f"or None expected)")
        self._forget(name, keep=self._parameters)
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name: str, value: np.ndarray) -> None:
        """Keep a numpy array that is state but not a parameter (saved in `state_dict`)."""
        if name not in self._buffers:
            self._buffers.append(name)
        object.__setattr__(self, name, np.asarray(value))

    # ----- the forward pass ---------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__}: forward is not implemented")

    def __call__(self, *args, **kwargs):
        if args and type(args[0]) is not Tensor and not self.array_input and \
                isinstance(args[0], _DATA_TYPES):  # (numbers.Number is an ABC: slow to test)
            self._refuse_input(args[0])
        if self._modules:  # a block of layers: graph drawings box its ops (tinygrad_res.viz)
            outer = enter_scope(type(self).__name__)
            try:
                out = self.forward(*args, **kwargs)
            finally:
                exit_scope(outer)
        else:
            out = self.forward(*args, **kwargs)
        if self._forward_hooks:  # usually none: skip building the list on every call
            for hook in list(self._forward_hooks.values()):
                replaced = hook(self, args, out)
                if replaced is not None:
                    out = replaced
        return out

    def _refuse_input(self, value) -> None:
        """A TypeError for data that is not a Tensor, as PyTorch's layers raise for it."""
        try:
            name = next(iter(inspect.signature(self.forward).parameters))
        except (StopIteration, TypeError, ValueError):
            name = "input"
        kind = type(value)
        kind = kind.__name__ if kind.__module__ == "builtins" else \
            f"{kind.__module__}.{kind.__name__}"
        raise TypeError(f"{type(self).__name__}: argument '{name}' (position 1) must be a "
                        f"Tensor, not {kind}; wrap it as Tensor(value), an input without "
                        f"gradient")

    def register_forward_hook(self, hook: Callable) -> HookHandle:
        """Call `hook(module, inputs, output)` after every forward; as in PyTorch, a hook that
        returns a value replaces the output. This is how nets/probes.py watches a network
        without changing its code."""
        key = Module._next_hook_key
        Module._next_hook_key += 1
        self._forward_hooks[key] = hook
        return HookHandle(self._forward_hooks, key)

    # ----- walking the tree ---------------------------------------------------------------
    def named_children(self) -> Iterator[Tuple[str, "Module"]]:
        for name, module in self._modules.items():
            if module is not None:  # a submodule set to None is absent, as in PyTorch
                yield name, module

    def children(self) -> Iterator["Module"]:
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "") -> Iterator[Tuple[str, "Module"]]:
        """This module and every submodule, depth first, in definition order."""
        stack = [(prefix, self)]
        while stack:  # iterative: a 1000-block network must not hit the recursion limit
            name, module = stack.pop()
            yield name, module
            children = [(f"{name}.{child_name}" if name else child_name, child)
                        for child_name, child in module.named_children()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator["Module"]:
        for _, module in self.named_modules():
            yield module

    def named_parameters(self) -> Iterator[Tuple[str, Parameter]]:
        """("layers.0.weight", tensor), ... in definition order, each tensor once."""
        seen = set()
        for module_name, module in self.named_modules():
            for name, param in module._parameters.items():
                if param is not None and id(param) not in seen:
                    seen.add(id(param))
                    yield (f"{module_name}.{name}" if module_name else name), param

    def parameters(self) -> Iterator[Parameter]:
        for _, param in self.named_parameters():
            yield param

    def named_buffers(self) -> Iterator[Tuple[str, np.ndarray]]:
        for module_name, module in self.named_modules():
            for name in module._buffers:
                yield (f"{module_name}.{name}" if module_name else name), getattr(module, name)

    def num_parameters(self) -> int:
        """Total number of scalar parameters."""
        return sum(p.size for p in self.parameters())

    # ----- training state -----------------------------------------------------------------
    @rerun_on_replay  # a jitted step clears the gradients at every replay too
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of every parameter (`.grad = None`, as PyTorch's default), or
        with `set_to_none=False` set them to zeros in place."""
        for param in self.parameters():
            if set_to_none or param.grad is None:
                param.grad = None
            else:
                param.grad[...] = 0

    def train(self, mode: bool = True) -> "Module":
        """Set the `training` flag here and in every submodule (batch norm reads it)."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def to(self, dtype) -> "Module":
        """Convert every parameter and floating buffer to `dtype` (e.g. np.float32), in place.
        Gradients are dropped: they belonged to the old arrays."""
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"{type(self).__name__}.to: dtype must be a floating type, "
                            f"got {dtype}")
        with no_grad():  # set_ counts as a change: a graph built before refuses backward
            for param in self.parameters():
                param.set_(param.data.astype(dtype))
                param.grad = None
        for module in self.modules():
            for name in module._buffers:
                value = getattr(module, name)
                if value.dtype.kind == "f":
                    object.__setattr__(module, name, value.astype(dtype))
        return self

    # ----- state ----------------------------------------------------------------------------
    def state_dict(self) -> "OrderedDict[str, np.ndarray]":
        """Copies of every parameter and buffer, by dotted name."""
        state = OrderedDict((name, param.data.copy()) for name, param in self.named_parameters())
        state.update((name, np.array(value)) for name, value in self.named_buffers())
        return state

    def _state_slots(self) -> Dict[str, Tuple["Module", str]]:
        slots = {}
        for module_name, module in self.named_modules():
            present = [name for name, param in module._parameters.items() if param is not None]
            for name in present + module._buffers:
                slots[f"{module_name}.{name}" if module_name else name] = (module, name)
        return slots

    def load_state_dict(self, state_dict, strict: bool = True) -> Tuple[list, list]:
        """Copy values into the parameters and buffers.

        Values are numpy arrays or Tensors (a PyTorch habit). A shape mismatch or a value that
        is not numeric is always an error, naming the key. With `strict`, a key missing from
        `state_dict` or one the module does not have is an error too; without it they are
        returned as (missing_keys, unexpected_keys), as in PyTorch. Nothing is changed unless
        every check passes.
        """
        where = f"{type(self).__name__}.load_state_dict"
        slots = self._state_slots()
        missing = [key for key in slots if key not in state_dict]
        unexpected = [key for key in state_dict if key not in slots]
        if strict and (missing or unexpected):
            parts = []
            if missing:
                parts.append(f"missing key(s) {', '.join(missing)}")
            if unexpected:
                parts.append(f"unexpected key(s) {', '.join(unexpected)}")
            raise KeyError(f"{where}: {'; '.join(parts)}")
        values = {}
        for key, (module, name) in slots.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            value = np.asarray(value.data if isinstance(value, Tensor) else value)
            if value.dtype.kind not in "biuf":
                raise TypeError(f"{where}: {key} holds {value.dtype} values, not numbers")
            current_shape = getattr(module, name).shape
            if value.shape != current_shape:
                raise ValueError(f"{where}: shape mismatch for {key}: the state has "
                                 f"{value.shape}, the module has {current_shape}")
            values[key] = value
        for key, value in values.items():
            module, name = slots[key]
            if name in module._parameters:
                with no_grad():  # in place: a graph that saved the parameter will notice
                    module._parameters[name].copy_(value)
            elif getattr(module, name).ndim:  # in place too: a jitted step's batch norm keeps
                getattr(module, name)[...] = value  # the running arrays it was given
            else:  # a counter (0-d, or a number once incremented)
                object.__setattr__(module, name, value.astype(getattr(module, name).dtype))
        return missing, unexpected

    def save(self, path: str) -> None:
        """Write `state_dict()` to a .npz file; the file is complete or absent, never partial."""
        serialization.save_npz(path, self.state_dict())

    def load(self, path: str, strict: bool = True) -> "Module":
        """Load parameters and buffers saved by `save(path)`; errors name the file."""
        state = serialization.load_npz(path)
        try:
            self.load_state_dict(state, strict=strict)
        except (KeyError, ValueError, TypeError) as error:
            message = error.args[0] if error.args else str(error)
            raise type(error)(f"{message} (loading {path})") from None
        return self

    # ----- printing -------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The part inside the parentheses, e.g. `in_features=8, out_features=8, bias=True`."""
        return ""

    def __repr__(self) -> str:
        lines = [f"({name}): " + repr(child).replace("\n", "\n  ")
                 for name, child in self._modules.items()]
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        body = "\n  ".join(([extra] if extra else []) + lines)
        return f"{type(self).__name__}(\n  {body}\n)"
