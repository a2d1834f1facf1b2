"""Name a forward pass's tensors by the module that made them: `layer1.0.bn1 → output`.

The engine records ops, not layers, so a graph drawn from a loss knows its tensors only as
`t45`. `name_modules(model)` watches a forward pass with a forward hook on every module (as
nets/probes.py does) and names what each module call produced: its output, `path → output`,
and the ops inside it that no inner module claimed, `path → add`. Parameters keep the names
`model.named_parameters()` gives them. Anything with `named_modules()` and
`register_forward_hook()` works (nets.Module, and PyTorch-like modules); the engine imports no
network code.

    >>> import numpy as np, nets
    >>> from tinygrad_res import Tensor, viz
    >>> model = nets.ResMLP(2, 3, seed=0)
    >>> with viz.name_modules(model) as named:
    ...     loss = model(Tensor(np.ones((2, 3)))).sum()
    >>> named.name_of(loss.parents[0])
    'layers.1 → output'
    >>> viz.stepper_html(loss, names=named, clusters=named.clusters)     # doctest: +SKIP
"""
from __future__ import annotations

from typing import Iterator, Optional, Tuple

from ..tensor import Tensor


class name_modules:
    """Record, during the forward passes run inside `with`, which module made each tensor.

    Iterating gives (name, tensor) pairs, so the object itself is the `names=` of
    `draw_graph`, `trace_backward` and `save_stepper`; `clusters` is a `clusters=` that boxes
    the ops by module path ('blocks.0', 'blocks.0.branch') instead of by class name.
    """

    def __init__(self, model) -> None:
        for method in ("named_modules", "register_forward_hook", "named_parameters"):
            if not callable(getattr(model, method, None)):
                raise TypeError(f"viz.name_modules: expected a module with {method}() (a "
                                f"nets.Module), got {type(model).__name__}")
        self.root_name = type(model).__name__
        self._modules = list(model.named_modules())
        self._paths = {id(module): path for path, module in self._modules}
        self._boxes = {id(module): path for path, module in self._modules
                       if any(True for _ in module.named_children())}
        self._box_paths: set = set()  # of the modules with submodules that were called
        self._names: dict = {}   # id(tensor) -> (name, tensor); the tensor keeps the id alive
        self._box_of: dict = {}  # id(tensor) -> the path of the module box its op ran in
        self._calls: dict = {}
        self._handles: list = []
        for name, param in model.named_parameters():
            self._names[id(param)] = (name, param)

    def __enter__(self) -> "name_modules":
        self._handles = [module.register_forward_hook(self._hook) for _, module in self._modules]
        return self

    def __exit__(self, *exc_info) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def __iter__(self) -> Iterator[Tuple[str, Tensor]]:
        return iter(list(self._names.values()))

    def __len__(self) -> int:
        return len(self._names)

    def name_of(self, tensor) -> Optional[str]:
        """The recorded name of `tensor`, or None."""
        entry = self._names.get(id(tensor))
        return None if entry is None or entry[1] is not tensor else entry[0]

    def clusters(self, tensor) -> Optional[str]:
        """'ResNet/blocks.0/blocks.0.branch': the boxes around the op that made `tensor`."""
        path = self._box_of.get(id(tensor))
        if path is None:
            return None
        chain, parts = [self.root_name], path.split(".") if path else []
        for end in range(1, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if prefix in self._box_paths:
                chain.append(prefix)
        return "/".join(chain)

    def _hook(self, module, inputs, output) -> None:
        if not isinstance(output, Tensor) or output.grad_fn is None:
            return
        path = self._paths.get(id(module), "")
        label = path or self.root_name
        calls = self._calls[label] = self._calls.get(label, 0) + 1
        call = "" if calls == 1 else f" (call {calls})"
        # a module with no submodules runs in the box of the module around it
        if id(module) in self._boxes:
            box = path
            self._box_paths.add(path)
        else:
            box = path.rpartition(".")[0]
        stop = {id(t) for t in inputs if isinstance(t, Tensor)}
        self._claim(output, f"{label} → output{call}", box)
        inside, seen, stack = [], set(), list(output.parents)
        while stack:  # the ops between the inputs and the output that no inner module named
            tensor = stack.pop()
            if tensor.grad_fn is None or id(tensor) in stop or id(tensor) in seen:
                continue
            seen.add(id(tensor))
            if id(tensor) not in self._names:  # named already: an inner module's, go through
                inside.append(tensor)
            stack.extend(tensor.parents)
        counts: dict = {}
        for tensor in reversed(inside):  # found from the output back: number them forward
            counts[tensor.op] = counts.get(tensor.op, 0) + 1
            number = "" if counts[tensor.op] == 1 else f" #{counts[tensor.op]}"
            self._claim(tensor, f"{label} → {tensor.op}{number}{call}", box)

    def _claim(self, tensor, name: str, box: str) -> None:
        if id(tensor) not in self._names:  # an inner module's name is the more precise one
            self._names[id(tensor)] = (name, tensor)
        self._box_of.setdefault(id(tensor), box)
