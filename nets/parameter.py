"""Parameter: the Tensor a Module trains and saves (torch.nn.Parameter).

A Parameter is a Tensor in every way (ops, backward, in-place methods, the version check of
tinygrad_res/inplace.py); what it adds is a type the Module can recognise. Assigning one to a
module attribute registers it, so `parameters()`, `state_dict()` and optimizers see it; a
plain Tensor is never registered, as in PyTorch. An op on a Parameter gives a plain Tensor
(`p * 2` is a value computed from the parameter, not a parameter).

    >>> import numpy as np
    >>> p = Parameter(np.ones(2))
    >>> p.requires_grad, p.is_leaf, type(p * 2).__name__
    (True, True, 'Tensor')
"""
from __future__ import annotations

import numpy as np

from tinygrad_res import Tensor


class Parameter(Tensor):
    """A Tensor that requires grad (unless `requires_grad=False`) and that a Module registers
    as a parameter when it is assigned to one of its attributes.

    Parameters
    ----------
    data : a Tensor (its memory is shared, not copied, as torch.nn.Parameter(t) does), or
        numbers, lists or a numpy array (copied, converted as `Tensor(data)` converts them).
        None gives an empty parameter, as in PyTorch.
    requires_grad : False for a frozen parameter: still registered and saved, never trained.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty(0)
        if isinstance(data, Tensor):
            # a view of the same memory: an in-place change of one is one of the other
            self.data, self.grad, self.grad_fn, self.name = data.data, None, None, data.name
            self.requires_grad = requires_grad
        else:
            super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
