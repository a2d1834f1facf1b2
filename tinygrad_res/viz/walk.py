"""Naming a graph for drawing and stepping: every tensor once, stable ids, skip connections.

Drawings and step traces both name nodes by position in the engine's `topological_order(root)`,
so the id of a tensor in a trace step ('t4') is the id of its node in the drawn SVG, and the op
that made it is 'op4'.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Optional, Union

from ..function import topological_order
from ..tensor import Tensor

Names = Optional[Union[Mapping, Iterable]]


def _labels(names: Names) -> dict:
    """{name: tensor} or (name, tensor) pairs (`model.named_parameters()`) -> {id: name}."""
    if names is None:
        return {}
    pairs = names.items() if isinstance(names, Mapping) else names
    labels = {}
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[1], Tensor)):
            raise TypeError(f"viz: names must be a mapping {{name: tensor}} or (name, tensor) "
                            f"pairs such as model.named_parameters(), got the item {pair!r}")
        labels[id(pair[1])] = str(pair[0])
    return labels


class GraphIndex:
    """The tensors of a graph in order, with ids, display names and who uses whom.

    >>> from tinygrad_res.viz import residual_mlp_example
    >>> loss = residual_mlp_example()
    >>> index = GraphIndex(loss)
    >>> index.tensor_id(loss), index.op_id(loss), index.name(index.tensors[0])
    ('t14', 'op14', 'x')
    """

    def __init__(self, root, names: Names = None):
        self.root = root
        self.labels = _labels(names)
        self.tensors = topological_order(root)
        self.position = {id(t): i for i, t in enumerate(self.tensors)}
        # consumers[id(t)]: (output tensor of the op, input slot) for each use of t
        self.consumers = {id(t): [] for t in self.tensors}
        for t in self.tensors:
            for slot, parent in enumerate(t.parents):
                self.consumers[id(parent)].append((t, slot))

    def tensor_id(self, tensor) -> str:
        return f"t{self.position[id(tensor)]}"

    def op_id(self, tensor) -> str:
        """Id of the op node that produced `tensor`."""
        return f"op{self.position[id(tensor)]}"

    def name(self, tensor) -> str:
        """The label given in `names`, else the tensor's own name, else its id."""
        return self.labels.get(id(tensor)) or tensor.name or self.tensor_id(tensor)

    def ops(self) -> list:
        """Output tensors of every op, in forward order (one per op)."""
        return [t for t in self.tensors if not t.is_leaf]

    def is_ancestor(self, candidate, of) -> bool:
        """True when `of` was computed (through any path) from `candidate`.

        Every edge runs from a lower to a higher position, so the search never needs to climb
        below `candidate`'s position: for a residual block it stays inside the block.
        """
        floor = self.position[id(candidate)]
        stack, seen = [of], set()
        while stack:
            tensor = stack.pop()
            for parent in tensor.parents:
                if parent is candidate:
                    return True
                if id(parent) not in seen and self.position[id(parent)] > floor:
                    seen.add(id(parent))
                    stack.append(parent)
        return False

    def skip_slots(self) -> set:
        """(id of an add's output, input slot) for each skip connection.

        An input of `add` is a skip when it is also an ancestor of the add's other input: the
        same tensor reaches the sum directly and through a longer path, as x does in x + F(x).
        """
        skips = set()
        for t in self.tensors:
            if t.op != "add" or len(t.parents) != 2:
                continue
            a, b = t.parents
            if a is b:
                continue
            if self.is_ancestor(a, of=b):
                skips.add((id(t), 0))
            if self.is_ancestor(b, of=a):
                skips.add((id(t), 1))
        return skips
