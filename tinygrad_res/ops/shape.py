"""Ops that move entries around without changing them: their backward moves gradients back."""
import numpy as np

from ..dims import dim_index, dim_list
from ..function import Function, unbroadcast


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
            rule = f"outside dim {axis}" if skip_axis else ""
            raise ValueError(f"{op}: shapes {first} and {a.shape} differ {rule}".rstrip())


class Concat(Function):
    """z = the inputs joined along an existing axis   dz/da_i: the slice of grad for a_i"""
    name = "concat"
    rule = "cut the gradient into the piece each input contributed"

    def forward(self, *arrays, axis=0):
        if not arrays:
            raise ValueError("concat: needs at least one tensor")
        if arrays[0].ndim == 0:
            raise ValueError("concat: a 0-d tensor has no dim to join along; stack() makes one")
        axis = dim_index(self.name, axis, arrays[0].ndim)
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
        axis = dim_index(self.name, axis, arrays[0].ndim, new=True)
        _check_same_shapes(self.name, arrays, axis, skip_axis=False)
        self.axis = axis
        return np.stack(arrays, axis=axis)

    def backward(self, grad_output):
        return tuple(np.moveaxis(grad_output, self.axis, 0))


def expanded_shape(op: str, shape: tuple, sizes) -> tuple:
    """torch.expand's target: one size per dim (new dims in front), -1 keeps a dim's size, and
    only dims of size 1 may grow."""
    sizes = tuple(sizes)
    for size in sizes:
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, np.integer)):
            raise TypeError(f"{op}: sizes must be ints, got {size!r} in {sizes}")
    new = len(sizes) - len(shape)
    if new < 0:
        raise ValueError(f"{op}: sizes {sizes} are fewer than the {len(shape)} dims of shape "
                         f"{shape}: give one size per dim (new dims go in front)")
    result = []
    for i, size in enumerate(sizes):
        old = shape[i - new] if i >= new else 1
        if size == -1 and i < new:
            raise ValueError(f"{op}: -1 (keep the size) in a new leading dim {i} of {sizes}")
        size = old if size == -1 else int(size)
        if size < 0 or old not in (1, size):
            raise ValueError(f"{op}: cannot expand shape {shape} to {sizes}: only a dim of size "
                             f"1 grows (dim {i} has size {old})")
        result.append(size)
    return tuple(result)


class Expand(Function):
    """z = a repeated along its dims of size 1, and along new leading dims
    dz/da: the gradient summed over the copies

    As torch.expand and torch.broadcast_to (numpy's broadcasting; -1 keeps a dim's size).
    Every copy of an entry passes its gradient back to that entry: unbroadcast sums them.
    """
    name = "expand"
    rule = "sum the gradient over the copies (unbroadcast it to the input's shape)"

    def forward(self, a, sizes):
        self.input_shape = a.shape
        # a copy: broadcast_to's view is read-only and repeats one memory location
        return np.array(np.broadcast_to(a, expanded_shape(self.name, a.shape, sizes)))

    def backward(self, grad_output):
        return unbroadcast(grad_output, self.input_shape)


def pad_widths(shape: tuple, pad) -> list:
    """torch.nn.functional.pad's pad tuple -> one (before, after) pair per dim, first dim
    first. pad lists pairs from the LAST dim backwards: (left, right, top, bottom) pads the
    last dim by left and right, the one before it by top and bottom."""
    pad = tuple(pad)
    if any(isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, np.integer)) for p in pad):
        raise TypeError(f"pad: pad must be a tuple of ints, got {pad}")
    if len(pad) % 2 or len(pad) > 2 * len(shape):
        raise ValueError(f"pad: pad {pad} must hold a (before, after) pair per padded dim: an "
                         f"even length up to {2 * len(shape)} for shape {shape}")
    pairs = [(int(pad[2 * k]), int(pad[2 * k + 1])) for k in range(len(pad) // 2)]
    widths = [(0, 0)] * (len(shape) - len(pairs)) + pairs[::-1]
    for dim, ((before, after), n) in enumerate(zip(widths, shape)):
        if n + min(before, 0) + min(after, 0) < 0:
            raise ValueError(f"pad: pad {pad} crops dim {dim} of size {n} by more than its size")
    return widths


class Pad(Function):
    """z = a with `value` added around it, or cropped where a pad is negative
    dz/da: the gradient of the entries that came from a

    As torch.nn.functional.pad(a, pad, mode='constant', value): a negative pad removes
    entries, as in PyTorch (first the crops, then the padding).
    """
    name = "pad"
    rule = "cut out the gradient of the entries that came from the input; padding gets none"

    def forward(self, a, pad, value=0.0):
        widths = pad_widths(a.shape, pad)
        self.input_shape, self.dtype = a.shape, a.dtype
        self.kept = tuple(slice(-min(before, 0), n + min(after, 0))
                          for (before, after), n in zip(widths, a.shape))
        kept = a[self.kept]
        grow = [(max(before, 0), max(after, 0)) for before, after in widths]
        self.inside = tuple(slice(b, b + n) for (b, _), n in zip(grow, kept.shape))
        return np.pad(kept, grow, constant_values=value)

    def backward(self, grad_output):
        grad = np.zeros(self.input_shape, dtype=self.dtype)
        grad[self.kept] = grad_output[self.inside]
        return grad


class Flip(Function):
    """z = a with the order of its entries reversed along dims
    dz/da: the gradient flipped back along the same dims
    """
    name = "flip"
    rule = "flip the gradient back along the same dims"

    def forward(self, a, dims):
        self.dims = dim_list(self.name, dims, a.ndim)
        if a.ndim == 0:  # it takes dim 0 or -1, as in PyTorch, and has nothing to flip
            self.dims = ()
        return np.flip(a, self.dims).copy()  # as torch.flip: np.flip's view would share memory

    def backward(self, grad_output):
        return np.flip(grad_output, self.dims)
