"""Graph views: draw a computation graph, step through its forward and backward passes.

    >>> from tinygrad_res import viz
    >>> with viz.scope("block1"):       # ops recorded here are grouped as "block1"
    ...     h = x + (x @ w).relu()
"""
from .scope import ScopeFrame, current_scope, scope, scope_of

__all__ = ["scope", "scope_of", "current_scope", "ScopeFrame"]
