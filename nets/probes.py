"""Watch a network's layers during a forward and backward pass, without changing its code.

A Probe puts a forward hook on each module it watches and keeps the module's output tensor.
After `loss.backward()` each kept output has a `.grad` (the engine fills intermediates too), so
both seed 001 measurements come from one pass:

    >>> import nets
    >>> from nets.losses import mse_loss
    >>> model = nets.seed001_network(residual=False, depth=5, width=8)
    >>> x = Tensor(np.random.default_rng(0).uniform(-1, 1, (16, 8)))
    >>> with Probe(model.layers) as probe:           # or probe_layers(model, "branch")
    ...     loss = mse_loss(model(x), x)
    ...     loss.backward()
    >>> len(probe.activation_std())      # std of each layer's output
    5
    >>> len(probe.grad_norm())           # || d loss / d output || of each layer
    5
    >>> len(weight_grad_norms(model))    # || d loss / d W || of each Linear layer
    5
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Dict, Iterable, List, Mapping, Union

import numpy as np

from tinygrad_res import Tensor

from .module import Module

# what each ResMLP / PlainMLP layer part is: the layer output, relu(Wx + b), or Wx + b
_LAYER_PARTS = {"output": None, "branch": "relu", "pre": "linear"}


class Probe:
    """Record the output of each watched module (the last call of each) while inside `with`.

    `modules` is a list of modules (named "0", "1", ...) or a mapping name -> module.
    """

    def __init__(self, modules: Union[Iterable[Module], Mapping[str, Module]]) -> None:
        if isinstance(modules, Mapping):
            self.modules = OrderedDict(modules)
        else:
            self.modules = OrderedDict((str(i), m) for i, m in enumerate(modules))
        if not self.modules:
            raise ValueError("Probe: no modules to watch")
        for name, module in self.modules.items():
            if not isinstance(module, Module):
                raise TypeError(f"Probe: {name!r} is a {type(module).__name__}, "
                                f"expected a Module")
        self.outputs: Dict[str, Tensor] = OrderedDict()
        self._handles = []

    def _recorder(self, name: str):
        def hook(module, inputs, output):
            self.outputs[name] = output
        return hook

    def __enter__(self) -> "Probe":
        self.outputs.clear()
        self._handles = [module.register_forward_hook(self._recorder(name))
                         for name, module in self.modules.items()]
        return self

    def __exit__(self, *exc_info) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def _recorded(self) -> List[Tensor]:
        missing = [name for name in self.modules if name not in self.outputs]
        if missing:
            raise RuntimeError(f"Probe: module(s) {', '.join(missing)} produced no output: "
                               f"run the forward pass inside the `with Probe(...)` block")
        return [self.outputs[name] for name in self.modules]

    def activations(self) -> List[np.ndarray]:
        """The recorded output arrays, one per watched module (e.g. for a heatmap)."""
        return [t.data for t in self._recorded()]

    def activation_std(self) -> np.ndarray:
        """Standard deviation of each watched module's output, over all its entries."""
        return np.array([float(np.std(a)) for a in self.activations()])

    def grad_norm(self) -> np.ndarray:
        """L2 norm of d loss / d output for each watched module; needs `backward()` first."""
        norms = []
        for name, tensor in zip(self.modules, self._recorded()):
            if tensor.grad is None:
                raise RuntimeError(f"Probe: the output of module {name} has no gradient: "
                                   f"call backward() on a loss computed from it first")
            norms.append(float(np.linalg.norm(tensor.grad)))
        return np.array(norms)


def probe_layers(model: Module, part: str = "output") -> Probe:
    """A Probe on each layer of a PlainMLP / ResMLP: `part` is "output" (the layer's output,
    for ResMLP the residual stream x + relu(Wx + b)), "branch" (relu(Wx + b)) or "pre"
    (Wx + b)."""
    if part not in _LAYER_PARTS:
        raise ValueError(f"probe_layers: part must be one of {sorted(_LAYER_PARTS)}, "
                         f"got {part!r}")
    attribute = _LAYER_PARTS[part]
    layers = list(model.layers)
    return Probe([layer if attribute is None else getattr(layer, attribute)
                  for layer in layers])


def weight_grad_norms(model: Module) -> np.ndarray:
    """|| d loss / d W || of each parameter named "...weight" with a shape of 2 dims or more
    (each Linear layer's weight), in parameter order; needs `backward()` first."""
    norms = []
    for name, param in model.named_parameters():
        if name.split(".")[-1] == "weight" and param.ndim >= 2:
            if param.grad is None:
                raise RuntimeError(f"weight_grad_norms: {name} has no gradient: call "
                                   f"backward() first")
            norms.append(float(np.linalg.norm(param.grad)))
    return np.array(norms)
