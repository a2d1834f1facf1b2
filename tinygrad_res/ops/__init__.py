"""One class per differentiable op; each file groups ops of one kind.

Defining a subclass of Function registers it (Function.registry); importing the files below
defines them all, and the last line makes each one an attribute of this package: `ops.Mul`.
A new op in one of these files needs no line here.
"""
from ..function import Function
from . import (activation, arithmetic, conv, linalg, norm, pool, reduce, select,  # noqa: F401
               shape, unary)

globals().update({name: cls for name, cls in Function.registry.items()
                  if cls.__module__.startswith(__name__ + ".")})
__all__ = sorted(name for name, cls in Function.registry.items()
                 if cls.__module__.startswith(__name__ + "."))
