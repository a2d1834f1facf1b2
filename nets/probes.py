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

A Probe shows itself as a table, one row per watched module (its output's shape and std, the
norm of the gradient reaching it): as text in a terminal (repr), and in a notebook as an HTML
table with a bar per number (`_repr_html_`, self-contained: no script, no file), the gradient
norms on a log scale so that one that vanishes over many layers shows as a shrinking bar.
"""
from __future__ import annotations

import html
import math
from collections import OrderedDict
from typing import Dict, Iterable, List, Mapping, Optional, Tuple, Union

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

    # ----- display ----------------------------------------------------------------------
    def _rows(self) -> List[Tuple[str, Optional[tuple], Optional[float], Optional[float]]]:
        """(name, output shape, output std, gradient norm) per module, None where not known."""
        rows = []
        for name in self.modules:
            tensor = self.outputs.get(name)
            if tensor is None:
                rows.append((name, None, None, None))
                continue
            grad = None if tensor.grad is None else float(np.linalg.norm(tensor.grad))
            rows.append((name, tensor.shape, float(np.std(tensor.data)), grad))
        return rows

    def _state(self, rows) -> str:
        if all(row[1] is None for row in rows):
            return "nothing recorded yet: run a forward pass inside `with probe:`"
        if any(row[3] is None for row in rows):
            return "no gradients yet: call backward() on a loss computed inside `with probe:`"
        return "after a forward and a backward pass"

    def __repr__(self) -> str:
        rows = self._rows()
        width = max(len("module"), *(len(row[0]) for row in rows))
        lines = [f"Probe of {len(rows)} module(s): {self._state(rows)}",
                 f"{'module':<{width}}  {'output shape':<16}  {'output std':>10}  "
                 f"{'grad norm':>10}"]
        for name, shape, std, grad in rows:
            lines.append(f"{name:<{width}}  {_text(shape):<16}  {_number(std):>10}  "
                         f"{_number(grad):>10}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self, grad_range: Optional[Tuple[float, float]] = None) -> str:
        """The HTML table a notebook shows. The gradient norms' log scale spans the decades
        they fill, or `grad_range` = (low, high), e.g. one range for two probes shown side by
        side: `display(HTML(probe.to_html(grad_range=(1e-15, 10))))`."""
        rows = self._rows()
        stds = [row[2] for row in rows]
        grads = [row[3] for row in rows]
        if grad_range is not None:
            if not (len(grad_range) == 2 and 0 < grad_range[0] < grad_range[1]):
                raise ValueError(f"Probe.to_html: grad_range must be (low, high) with "
                                 f"0 < low < high, got {grad_range!r}")
            low, high = (math.log10(value) for value in grad_range)
        else:
            logs = [math.log10(g) for g in grads if g is not None and g > 0]
            low = math.floor(min(logs)) if logs else 0
            high = max(math.ceil(max(logs)) if logs else 1, low + 1)
        top = max([value for value in stds if value is not None] + [0.0])
        cells = []
        for (name, shape, std, grad) in rows:
            std_bar = _bar(None if std is None else (std / top if top > 0 else 0.0), "#4c78a8")
            grad_share = None if grad is None else (
                (math.log10(grad) - low) / (high - low) if grad > 0 else 0.0)
            cells.append(
                f"<tr><td{_PAD}><code>{html.escape(name)}</code></td><td{_PAD}>{_text(shape)}"
                f"</td><td{_PAD}>{std_bar} {_number(std)}</td><td{_PAD}>"
                f"{_bar(grad_share, '#e45756')} {_number(grad)}</td></tr>")
        head = ("<tr><th>module</th><th>output shape</th><th>output std (linear)</th>"
                f"<th>&#8214;&#8706;loss/&#8706;output&#8214; (log scale, "
                f"{10 ** low:.0e} to {10 ** high:.0e})</th></tr>")
        return (f'<div class="nets-probe"><p style="margin: 0 0 4px 0">Probe of {len(rows)} '
                f"module(s): {html.escape(self._state(rows))}</p>"
                f'<table style="border-collapse: collapse; font-size: 12px">{head}'
                f'{"".join(cells)}</table></div>')


_PAD = ' style="padding: 1px 8px; text-align: left; white-space: nowrap"'


def _text(shape: Optional[tuple]) -> str:
    return "-" if shape is None else str(tuple(shape))


def _number(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.3e}"


def _bar(share: Optional[float], colour: str) -> str:
    """An inline bar `share` (0 to 1) of 10em long, or nothing when the value is unknown."""
    if share is None:
        return ""
    length = 10 * min(max(share, 0.0), 1.0)
    return (f'<span style="display: inline-block; width: {length:.2f}em; height: 0.8em; '
            f'background: {colour}; vertical-align: middle"></span>'
            f'<span style="display: inline-block; width: {10 - length:.2f}em"></span>')


def probe_layers(model: Module, part: str = "output") -> Probe:
    """A Probe on each layer of a PlainMLP / ResMLP: `part` is "output" (the layer's output,
    for ResMLP the residual stream x + relu(Wx + b)), "branch" (relu(Wx + b)) or "pre"
    (Wx + b). Each is named as in the model ("layers.0", "layers.0.relu", ...)."""
    if part not in _LAYER_PARTS:
        raise ValueError(f"probe_layers: part must be one of {sorted(_LAYER_PARTS)}, "
                         f"got {part!r}")
    attribute = _LAYER_PARTS[part]
    suffix = "" if attribute is None else f".{attribute}"
    return Probe(OrderedDict((f"layers.{i}{suffix}",
                              layer if attribute is None else getattr(layer, attribute))
                             for i, layer in enumerate(model.layers)))


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
