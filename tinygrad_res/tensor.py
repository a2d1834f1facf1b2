"""Tensor: a numpy array that remembers how it was computed, so that backward() can find grads."""
from __future__ import annotations

import numbers
from typing import Optional

import numpy as np

from .compare import ComparisonMethods
from .dims import numpy_names
from .function import backprop
from .inplace import InPlaceMethods


def _to_array(data, dtype) -> np.ndarray:
    """Numbers, lists and arrays -> a float array (a copy); anything else is a TypeError."""
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, (str, bytes)):
        raise TypeError(f"Tensor: cannot make a tensor from a string, got {data!r}")
    try:
        array = np.array(data)
    except ValueError as error:  # ragged nested lists
        raise TypeError(f"Tensor: cannot make a tensor from a ragged sequence ({error})") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"Tensor: cannot make a tensor from {type(data).__name__} with numpy dtype "
            f"{array.dtype}; give numbers, (nested) lists of numbers, or a numeric array")
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Tensor: dtype must be a floating type, got {dtype}")
        return array.astype(dtype)
    if array.dtype.kind == "f" and array.dtype != np.float16:
        return array
    return array.astype(np.float64)


def _dim_index(op: str, dim, ndim: int) -> int:
    """A dim (negative counts from the end) as a non-negative index, or an IndexError."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dims must be ints, got {dim!r}")
    low, high = -max(ndim, 1), max(ndim, 1) - 1
    if not low <= dim <= high:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} dims "
                         f"(expected {low} to {high})")
    return int(dim) % max(ndim, 1)


def _sizes(args: tuple) -> tuple:
    """A method's sizes or dims, given one by one or as one tuple or list: (2, 3) or ((2, 3),)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return args


class Tensor(ComparisonMethods, InPlaceMethods):
    """An n-dimensional array of floats with reverse-mode automatic differentiation.

    Parameters
    ----------
    data : number, (nested) list, numpy array or Tensor; copied. float32 stays float32,
        everything else becomes float64 unless `dtype` says otherwise.
    requires_grad : record ops on this tensor so that `backward()` fills its `.grad`.
    dtype : numpy float dtype to convert to.
    name : a label shown in `repr` and in graph drawings.

    An op's output also knows how it was made: `grad_fn` is the op (a Function, None for a
    tensor you made), `parents` the tensors it was computed from, `op` the op's name.
    In-place methods (`add_`, `zero_`, ...) live in inplace.py, with the check that keeps them
    from corrupting a later backward; comparisons, masks' logic and conversions in compare.py.

    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True, name="x")
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([2., 4., 6.])
    """

    __slots__ = ("data", "grad", "_requires_grad", "name", "grad_fn", "__weakref__")
    __array_ufunc__ = None  # make numpy defer to Tensor's reflected operators: array * tensor

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: Optional[str] = None):
        self.data = _to_array(data, dtype)
        self.grad: Optional[np.ndarray] = None
        self.grad_fn = None  # the op that made this tensor (PyTorch's name); None for a leaf
        self.requires_grad = requires_grad
        self.name = name

    @classmethod
    def _from_op(cls, data: np.ndarray, fn) -> "Tensor":
        """The output of an op: no conversion, no copy (the hot path)."""
        out = cls.__new__(cls)
        out.data, out.grad, out.name, out.grad_fn = data, None, None, fn
        out._requires_grad = fn is not None
        return out

    @property
    def requires_grad(self) -> bool:
        """Whether ops on this tensor are recorded, so that backward() fills its `.grad`."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        # an op's output requires grad because its inputs do: switching it off would cut the
        # graph silently (the inputs' .grad would stay None), so only leaves may change
        if self.grad_fn is not None:
            raise RuntimeError(
                f"requires_grad: can be changed only on a leaf (a tensor you made), and this one "
                f"is the output of {self.grad_fn.name}; for a copy outside the graph use "
                f"detach()")
        if value and self.data.dtype.kind != "f":
            raise RuntimeError(f"requires_grad: only float tensors can require gradients, this "
                               f"one is {self.data.dtype}")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set `requires_grad` in place and return the tensor (torch.Tensor.requires_grad_)."""
        self.requires_grad = requires_grad
        return self

    # ----- what a tensor is -------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user, False for the outputs of recorded ops."""
        return self.grad_fn is None

    @property
    def op(self) -> Optional[str]:
        """Name of the op that produced this tensor ('mul', 'relu', ...), None for a leaf."""
        return None if self.grad_fn is None else self.grad_fn.name

    @property
    def parents(self) -> tuple:
        """The tensors this one was computed from (empty for a leaf)."""
        return () if self.grad_fn is None else self.grad_fn.parents

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", threshold=20,
                               prefix="Tensor(")
        extras = [f"shape={self.shape}"] if self.size > 20 else []
        if self.dtype != np.float64:
            extras.append(f"dtype={self.dtype}")
        if self.grad_fn is not None:
            extras.append(f"op={self.grad_fn.name}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        return f"Tensor({', '.join([body] + extras)})"

    # ----- gradients --------------------------------------------------------------------
    def backward(self, grad=None, retain_graph: Optional[bool] = None,
                 create_graph: bool = False) -> None:
        """Fill `.grad` of every tensor that requires grad and that this one depends on.

        Gradients accumulate: call `zero_grad()` (or set `.grad = None`) between steps.
        `grad` is needed only when this tensor is not a scalar: d(loss)/d(self).
        Leaves (parameters) get arrays of their own that may be changed in place; an
        intermediate's `.grad` may share memory with its neighbours' and is for reading.
        The graph is kept after backward, as if PyTorch's `retain_graph=True` were always
        given (accepted, and ignored); `create_graph=True` (a graph of the backward pass, for
        second derivatives) is not supported.
        """
        if create_graph:
            raise NotImplementedError("backward: create_graph=True is not supported (the "
                                      "backward pass runs on numpy arrays, not on tensors)")
        backprop(self, grad)

    def zero_grad(self) -> None:
        self.grad = None

    def detach(self) -> "Tensor":
        """The same data, cut from the graph (no copy)."""
        return Tensor._from_op(self.data, None)

    def item(self) -> float:
        if self.data.size != 1:
            raise ValueError(f"item: only a tensor with one element converts to a number, "
                             f"got shape {self.shape}")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    # ----- arithmetic -------------------------------------------------------------------
    def _lift(self, other) -> "Tensor":
        """An operand as a tensor. A number, a list, or an int or bool array takes this tensor's
        float type, as in PyTorch (a float32 tensor times an integer mask stays float32); a
        float array keeps its own (float32 with float64 gives float64, as with tensors)."""
        if isinstance(other, Tensor):
            return other
        dtype = self.dtype if self.dtype.kind == "f" else np.float64
        if isinstance(other, numbers.Number) and not isinstance(other, bool):
            return Tensor._from_op(np.asarray(other, dtype=dtype), None)
        keeps_own = isinstance(other, np.ndarray) and other.dtype.kind == "f"
        return Tensor(other, dtype=None if keeps_own else dtype)

    def __add__(self, other): return ops.Add.apply(self, self._lift(other))
    def __radd__(self, other): return ops.Add.apply(self._lift(other), self)
    def __sub__(self, other): return ops.Sub.apply(self, self._lift(other))
    def __rsub__(self, other): return ops.Sub.apply(self._lift(other), self)
    def __mul__(self, other): return ops.Mul.apply(self, self._lift(other))
    def __rmul__(self, other): return ops.Mul.apply(self._lift(other), self)
    def __truediv__(self, other): return ops.Div.apply(self, self._lift(other))
    def __rtruediv__(self, other): return ops.Div.apply(self._lift(other), self)
    def __matmul__(self, other): return ops.MatMul.apply(self, self._lift(other))
    def __rmatmul__(self, other): return ops.MatMul.apply(self._lift(other), self)
    def __neg__(self): return ops.Neg.apply(self)

    def __pow__(self, exponent):
        if isinstance(exponent, numbers.Number) and not isinstance(exponent, bool):
            return ops.PowScalar.apply(self, exponent=exponent)
        return ops.Pow.apply(self, self._lift(exponent))

    def __rpow__(self, base):
        return ops.Pow.apply(self._lift(base), self)

    # ----- elementwise functions --------------------------------------------------------
    def exp(self): return ops.Exp.apply(self)
    def log(self): return ops.Log.apply(self)
    def relu(self): return ops.ReLU.apply(self)
    def tanh(self): return ops.Tanh.apply(self)
    def sigmoid(self): return ops.Sigmoid.apply(self)
    def sqrt(self): return ops.Sqrt.apply(self)
    def abs(self): return ops.Abs.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01):
        return ops.LeakyReLU.apply(self, negative_slope=negative_slope)

    def elu(self, alpha: float = 1.0): return ops.ELU.apply(self, alpha=alpha)
    def silu(self): return composite.silu(self)
    def relu6(self): return composite.relu6(self)
    def sign(self): return ops.Sign.apply(self)

    def softplus(self, beta: float = 1.0, threshold: float = 20.0):
        return ops.Softplus.apply(self, beta=beta, threshold=threshold)

    def gelu(self, approximate: str = "none"):
        return ops.GELU.apply(self, approximate=approximate)

    def hardtanh(self, min_val: float = -1.0, max_val: float = 1.0):
        return ops.Hardtanh.apply(self, min_val=min_val, max_val=max_val)

    def clamp(self, min=None, max=None):
        """Entries limited to [min, max] (numbers; either may be None), as torch.clamp."""
        return ops.Clamp.apply(self, low=min, high=max)

    clip = clamp  # torch.clip is torch.clamp

    # ----- reductions: PyTorch's dim= and keepdim=, numpy's axis= and keepdims= too -----
    @numpy_names
    def sum(self, dim=None, keepdim: bool = False):
        return ops.Sum.apply(self, axis=dim, keepdims=keepdim)

    @numpy_names
    def mean(self, dim=None, keepdim: bool = False):
        return ops.Mean.apply(self, axis=dim, keepdims=keepdim)

    @numpy_names
    def max(self, dim=None, keepdim: bool = False):
        """The largest entries (torch.amax: values only; tied maxima share the gradient)."""
        return ops.Max.apply(self, axis=dim, keepdims=keepdim)

    @numpy_names
    def min(self, dim=None, keepdim: bool = False):
        """The smallest entries (torch.amin: values only; tied minima share the gradient)."""
        return ops.Min.apply(self, axis=dim, keepdims=keepdim)

    @numpy_names
    def var(self, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
        """Variance as torch.var: divided by N - correction, correction=1 by default."""
        dim, correction = ops.reduce.var_arguments("var", dim, unbiased, correction)
        return ops.Var.apply(self, axis=dim, keepdims=keepdim, correction=correction)

    @numpy_names
    def std(self, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
        """Standard deviation as torch.std: the square root of var(dim, correction=...)."""
        dim, correction = ops.reduce.var_arguments("std", dim, unbiased, correction)
        return ops.Std.apply(self, axis=dim, keepdims=keepdim, correction=correction)

    @numpy_names
    def argmax(self, dim=None, keepdim: bool = False) -> np.ndarray:
        """torch.argmax as an int64 numpy array (tensors hold floats): first at ties, no grad."""
        return ops.reduce.positions("argmax", self.data, dim, keepdim)

    @numpy_names
    def argmin(self, dim=None, keepdim: bool = False) -> np.ndarray:
        """Positions of the smallest entries, as argmax (torch.argmin)."""
        return ops.reduce.positions("argmin", self.data, dim, keepdim)

    @numpy_names
    def softmax(self, dim: int = -1):
        return ops.Softmax.apply(self, axis=dim)

    @numpy_names
    def log_softmax(self, dim: int = -1):
        return ops.LogSoftmax.apply(self, axis=dim)

    @numpy_names
    def logsumexp(self, dim, keepdim: bool = False):
        return composite.logsumexp(self, dim, keepdim)

    # ----- shape ------------------------------------------------------------------------
    def reshape(self, *shape):
        return ops.Reshape.apply(self, shape=_sizes(shape))

    def permute(self, *dims):
        """Reorder the axes: `x.permute(2, 0, 1)` (or a tuple), as torch.permute."""
        return ops.Permute.apply(self, dims=_sizes(dims))

    def transpose(self, *dims):
        """Swap two axes, as torch.transpose(dim0, dim1) (not numpy's transpose).

        >>> Tensor(np.zeros((2, 3, 4))).transpose(0, -1).shape
        (4, 3, 2)
        """
        if len(dims) != 2:
            raise TypeError(f"transpose: takes the two dims to swap, transpose(dim0, dim1) as in "
                            f"PyTorch, got {dims}; to reorder every axis use permute(*dims)")
        order = list(range(self.ndim))
        a, b = (_dim_index("transpose", d, self.ndim) for d in dims)
        if order:  # a 0-d tensor takes dims 0 and -1, as in PyTorch, and stays as it is
            order[a], order[b] = order[b], order[a]
        return ops.Permute.apply(self, dims=tuple(order))

    @property
    def T(self):
        """The axes in reverse order (a matrix's transpose)."""
        return ops.Permute.apply(self, dims=tuple(reversed(range(self.ndim))))

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        return composite.flatten(self, start_dim, end_dim)

    def unsqueeze(self, dim: int): return composite.unsqueeze(self, dim)
    def squeeze(self, dim=None): return composite.squeeze(self, dim)

    def expand(self, *sizes):
        """Repeat dims of size 1 to `sizes` (-1 keeps a dim), new dims in front: torch.expand."""
        return ops.Expand.apply(self, sizes=_sizes(sizes))

    def broadcast_to(self, shape): return ops.Expand.apply(self, sizes=_sizes((shape,)))

    def flip(self, *dims):
        """Reverse the order of entries along dims: x.flip(0), x.flip(0, 1) or x.flip((0, 1))."""
        return ops.Flip.apply(self, dims=_sizes(dims))

    def __getitem__(self, index):
        return ops.GetItem.apply(self, index=index)


from . import composite, ops  # noqa: E402  (they need Tensor; Tensor's methods need them)
