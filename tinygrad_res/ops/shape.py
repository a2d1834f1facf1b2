"""Ops that move entries around without changing them: their backward moves gradients back."""
import numpy as np

from ..function import Function


class Reshape(Function):
    """z = a viewed with a new shape   dz/da: reshape the gradient back"""
    name = "reshape"
    rule = "reshape the gradient back to the input's shape"

    def forward(self, a, shape):
        self.input_shape = a.shape
        try:
            return a.reshape(shape)
        except (ValueError, TypeError):
            raise ValueError(f"reshape: cannot reshape {a.shape} into {tuple(shape)}") from None

    def backward(self, grad_output):
        return grad_output.reshape(self.input_shape)


class Permute(Function):
    """z = a with its axes in the order dims   dz/da: the gradient's axes put back in order

    z.shape[i] = a.shape[dims[i]], as torch.permute; Tensor.transpose(dim0, dim1) and
    Tensor.T are permutations too.
    """
    name = "permute"
    rule = "move the gradient's axes back where they came from"

    def forward(self, a, dims):
        if len(dims) != a.ndim or not all(isinstance(d, (int, np.integer)) for d in dims) or \
                sorted(d % max(a.ndim, 1) for d in dims) != list(range(a.ndim)):
            raise ValueError(f"permute: dims {tuple(dims)} are not an order of the {a.ndim} "
                             f"axes of shape {a.shape}: give each of 0..{a.ndim - 1} once")
        # non-negative, so that argsort in backward finds the inverse permutation
        self.dims = tuple(int(d) % a.ndim for d in dims)
        return a.transpose(self.dims)

    def backward(self, grad_output):
        return grad_output.transpose(np.argsort(self.dims))


def _is_basic(index) -> bool:
    """True when indexing makes a view (ints, slices, None, ...): no entry is picked twice."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))
               for p in parts)


def own_index(index):
    """The index with every array in it copied: the gradient goes back through the same index
    at backward, so a caller changing their array in between must not move it. A Tensor index
    must be a mask (a bool tensor, from a comparison); float values are ambiguous (positions?).
    """
    parts = index if isinstance(index, tuple) else (index,)
    owned = []
    for part in parts:
        if hasattr(part, "requires_grad"):  # a Tensor
            if part.dtype != np.bool_:
                raise TypeError(f"getitem: a Tensor index must be a bool mask (from a comparison "
                                f"such as x > 0), got dtype {part.dtype}; for positions pass "
                                f"ints, lists or a numpy integer array")
            part = part.data
        if isinstance(part, (list, np.ndarray)):
            part = np.array(part)
        owned.append(part)
    return tuple(owned) if isinstance(index, tuple) else owned[0]


class GetItem(Function):
    """z = a[index]   dz/da: the gradient scattered back to the picked entries

    Integer-array indices may pick an entry more than once; `np.add.at` then adds every
    contribution, where `grad[index] = g` would keep only the last.
    """
    name = "getitem"
    rule = "scatter the gradient back to the picked entries, zero elsewhere"

    def forward(self, a, index):
        index = own_index(index)
        try:
            out = a[index]
        except IndexError as error:
            raise IndexError(f"getitem: index {index!r} does not fit shape {a.shape} "
                             f"({error})") from None
        self.index, self.input_shape, self.dtype = index, a.shape, a.dtype
        return np.array(out) if _is_basic(index) else out

    def backward(self, grad_output):
        grad = np.zeros(self.input_shape, dtype=self.dtype)
        if _is_basic(self.index):
            grad[self.index] = grad_output
        else:
            np.add.at(grad, self.index, grad_output)
        return grad


def _check_same_shapes(op: str, arrays, axis, skip_axis: bool) -> None:
    first = arrays[0].shape
    for a in arrays[1:]:
        same = len(a.shape) == len(first) and all(
            m == n for i, (m, n) in enumerate(zip(a.shape, first))
            if not (skip_axis and i == axis % len(first)))
        if not same:
            rule = f"outside axis {axis}" if skip_axis else ""
            raise ValueError(f"{op}: shapes {first} and {a.shape} differ {rule}".rstrip())


class Concat(Function):
    """z = the inputs joined along an existing axis   dz/da_i: the slice of grad for a_i"""
    name = "concat"
    rule = "cut the gradient into the piece each input contributed"

    def forward(self, *arrays, axis=0):
        if not arrays:
            raise ValueError("concat: needs at least one tensor")
        if arrays[0].ndim == 0 or not -arrays[0].ndim <= axis < arrays[0].ndim:
            raise ValueError(f"concat: axis {axis} is out of range for shape {arrays[0].shape}")
        _check_same_shapes(self.name, arrays, axis, skip_axis=True)
        self.axis = axis
        self.splits = np.cumsum([a.shape[axis] for a in arrays])[:-1]
        return np.concatenate(arrays, axis=axis)

    def backward(self, grad_output):
        return tuple(np.split(grad_output, self.splits, axis=self.axis))


class Stack(Function):
    """z = the inputs stacked along a new axis   dz/da_i: grad indexed at i along that axis"""
    name = "stack"
    rule = "give each input its slice of the gradient"

    def forward(self, *arrays, axis=0):
        if not arrays:
            raise ValueError("stack: needs at least one tensor")
        if not -arrays[0].ndim - 1 <= axis <= arrays[0].ndim:
            raise ValueError(f"stack: axis {axis} is out of range for shape {arrays[0].shape}")
        _check_same_shapes(self.name, arrays, axis, skip_axis=False)
        self.axis = axis
        return np.stack(arrays, axis=axis)

    def backward(self, grad_output):
        return tuple(np.moveaxis(grad_output, self.axis, 0))
