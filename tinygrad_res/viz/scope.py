"""Named scopes: tag the ops recorded inside a `with scope("block3"):` so drawings group them.

The engine does not know about layers or blocks; a scope is a plain label that `Function.apply`
copies onto every op it records while the scope is active. Scopes nest, and each `with` makes a
new frame: calling the same block twice gives two groups, as it gives two sets of ops.

    >>> from tinygrad_res import Tensor, viz
    >>> x = Tensor([1.0, -2.0], requires_grad=True)
    >>> with viz.scope("block1"):
    ...     y = x + x.relu()
    >>> viz.scope_of(y).path
    ('block1',)

Unused, scopes cost one attribute copy per recorded op.
"""
from __future__ import annotations

from typing import Optional

from ..grad_mode import state


class ScopeFrame:
    """One entry of a `scope()` block: its name and the frame it is nested in."""

    __slots__ = ("name", "parent")

    def __init__(self, name: str, parent: Optional["ScopeFrame"]):
        self.name, self.parent = name, parent

    @property
    def path(self) -> tuple:
        """Names from the outermost scope to this one: ('ResMLP', 'block2')."""
        return tuple(frame.name for frame in reversed(parent_chain(self)))

    @property
    def depth(self) -> int:
        """1 for a top-level scope, 2 for a scope inside it, ..."""
        return len(self.path)

    def __repr__(self) -> str:
        return f"ScopeFrame({'/'.join(self.path)!r})"


class scope:
    """Record the ops run inside this block under `name` (per thread, nestable).

    >>> from tinygrad_res import Tensor
    >>> x, w = Tensor([[1.0, -2.0]], requires_grad=True), Tensor([[0.5], [0.5]])
    >>> with scope("block1"):
    ...     h = x + (x @ w).relu()     # the matmul, relu and add are drawn inside a "block1" box
    >>> scope_of(h).path
    ('block1',)

    A class rather than a @contextmanager generator: nets enters one per module call, and a
    class is the cheaper of the two.
    """

    __slots__ = ("name", "frame")

    def __init__(self, name: str):
        if not isinstance(name, str) or not name:
            raise TypeError(f"viz.scope: name must be a non-empty string, got {name!r}")
        self.name, self.frame = name, None

    def __enter__(self) -> ScopeFrame:
        enter_scope(self.name)
        self.frame = state.scope
        return self.frame

    def __exit__(self, *exc_info) -> None:
        exit_scope(self.frame.parent)


def enter_scope(name: str) -> Optional[ScopeFrame]:
    """Open a scope without a `with` block; returns the frame to hand to `exit_scope`.

    For code that opens one scope per call of something small: nets.Module.__call__ does, for
    every block of a network. `with scope(name):` does the same with two more objects.
    """
    outer = state.scope
    state.scope = ScopeFrame(name, outer)
    return outer


def exit_scope(outer: Optional[ScopeFrame]) -> None:
    """Close the scope `enter_scope` opened: `outer` is what it returned."""
    state.scope = outer


def current_scope() -> Optional[ScopeFrame]:
    """The innermost active scope frame of this thread, or None."""
    return state.scope


def scope_of(tensor) -> Optional[ScopeFrame]:
    """The scope frame the op that made `tensor` was recorded in (None for a leaf)."""
    fn = tensor.grad_fn
    return None if fn is None else fn.scope


def parent_chain(node) -> list:
    """`node`, its `.parent`, that one's `.parent`, ... up to the outermost (innermost first):
    the frames around a scope frame, or the boxes around a drawn box."""
    chain = []
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain
