"""The containers: Sequential (modules applied in turn) and ModuleList (a list whose modules the
parent registers), as torch.nn's. Items are registered under the names "0", "1", ..., so
`state_dict()` keys read `layers.0.weight` as in PyTorch.
"""
from __future__ import annotations

from typing import Iterable, Iterator, Optional

from .module import Module


class Sequential(Module):
    """Modules applied one after another: `Sequential(Linear(2, 4), ReLU(), Linear(4, 1))`.

    >>> from nets import Linear, ReLU
    >>> model = Sequential(Linear(2, 4), ReLU())
    >>> model[0]
    Linear(in_features=2, out_features=4, bias=True)
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for i, module in enumerate(modules):
            _check_module("Sequential", i, module)
            setattr(self, str(i), module)

    @property
    def array_input(self) -> bool:
        """Arrays pass through when the first module takes them (Sequential(Embedding, ...))."""
        first = next(iter(self._modules.values()), None)
        return bool(first is not None and first.array_input)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def __getitem__(self, index: int) -> Module:
        return list(self._modules.values())[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class ModuleList(Module):
    """A list of modules whose parameters the parent module can see (a plain list hides them)."""

    def __init__(self, modules: Optional[Iterable[Module]] = None) -> None:
        super().__init__()
        for module in modules or ():
            self.append(module)

    def append(self, module: Module) -> "ModuleList":
        _check_module("ModuleList", len(self), module)
        setattr(self, str(len(self)), module)
        return self

    def __getitem__(self, index):
        items = list(self._modules.values())
        return ModuleList(items[index]) if isinstance(index, slice) else items[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def forward(self, *args, **kwargs):
        raise TypeError("ModuleList is a container, not a layer: call its items in a loop")


def _check_module(container: str, index: int, value) -> None:
    if not isinstance(value, Module):
        raise TypeError(f"{container}: item {index} is a {type(value).__name__}, "
                        f"expected a Module")
