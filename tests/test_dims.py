"""dims.py: PyTorch's dim rules, and PyTorch's and numpy's names of the dim arguments."""
import inspect
import re

import numpy as np
import pytest

from tinygrad_res import Tensor, cat, concat, stack
from tinygrad_res.dims import dim_index, dim_list, numpy_names, reduced_dims

X = np.arange(24.0).reshape(2, 3, 4) % 5  # ties, so argmax's rule shows too

# (method, positional args in PyTorch's order, the same as numpy-named keywords)
SPELLINGS = [
    ("sum", (1, True), {"axis": 1, "keepdims": True}),
    ("mean", ((0, 2),), {"axis": (0, 2)}),
    ("max", (-1, True), {"axis": -1, "keepdims": True}),
    ("min", (0,), {"axis": 0}),
    ("var", (1,), {"axis": 1}),
    ("std", (2,), {"axis": 2, "keepdims": False}),
    ("argmax", (1, True), {"axis": 1, "keepdims": True}),
    ("argmin", (0,), {"axis": 0}),
    ("softmax", (1,), {"axis": 1}),
    ("log_softmax", (0,), {"axis": 0}),
    ("logsumexp", (2, True), {"axis": 2, "keepdims": True}),
]


def values(out):
    return out.data if isinstance(out, Tensor) else out


@pytest.mark.parametrize("name, args, numpy_kwargs", SPELLINGS, ids=[s[0] for s in SPELLINGS])
def test_methods_take_torch_and_numpy_names_alike(name, args, numpy_kwargs):
    x = Tensor(X)
    torch_kwargs = dict(zip(["dim", "keepdim"], args))
    positional = values(getattr(x, name)(*args))
    np.testing.assert_array_equal(values(getattr(x, name)(**torch_kwargs)), positional)
    np.testing.assert_array_equal(values(getattr(x, name)(**numpy_kwargs)), positional)


@pytest.mark.parametrize("name", [s[0] for s in SPELLINGS])
def test_both_names_of_one_argument_is_a_type_error(name):
    x = Tensor(X)
    with pytest.raises(TypeError, match=re.escape(
            f"{name}: got both dim= and axis=, PyTorch's and numpy's names of one argument; "
            f"give one")):
        getattr(x, name)(dim=1, axis=1)
    with pytest.raises(TypeError, match=f"{name}: got both dim= and axis="):
        getattr(x, name)(1, axis=1)  # dim given by position


@pytest.mark.parametrize("name", ["sum", "max", "argmax", "logsumexp"])
def test_both_keepdim_spellings_is_a_type_error_even_when_they_agree(name):
    with pytest.raises(TypeError, match=f"{name}: got both keepdim= and keepdims="):
        getattr(Tensor(X), name)(1, keepdim=False, keepdims=False)
    with pytest.raises(TypeError, match=f"{name}: got both keepdim= and keepdims="):
        getattr(Tensor(X), name)(1, True, keepdims=True)


def test_a_numpy_name_the_method_lacks_is_python_s_own_type_error():
    with pytest.raises(TypeError, match="unexpected keyword argument 'keepdims'"):
        Tensor(X).softmax(axis=0, keepdims=True)


@pytest.mark.parametrize("join", [concat, cat, stack])
def test_concat_cat_and_stack_take_dim_and_axis(join):
    a, b = Tensor(X), Tensor(X + 1)
    expected = join([a, b], 1).data
    np.testing.assert_array_equal(join([a, b], dim=1).data, expected)
    np.testing.assert_array_equal(join([a, b], axis=1).data, expected)
    with pytest.raises(TypeError, match=f"{join.__name__}: got both dim= and axis="):
        join([a, b], dim=1, axis=1)


def test_the_wrapped_method_keeps_its_signature_and_docstring():
    assert list(inspect.signature(Tensor.sum).parameters) == ["self", "dim", "keepdim"]
    assert "amax" in Tensor.max.__doc__

    @numpy_names
    def total(values, dim=None, keepdim=False):
        """Doc."""
        return dim, keepdim

    assert total.__name__ == "total" and total.__doc__ == "Doc."
    assert total(1, axis=0, keepdims=True) == (0, True)


def test_dim_index_follows_pytorch():
    assert dim_index("op", -1, 3) == 2
    assert dim_index("op", np.int64(1), 3) == 1
    assert dim_index("op", 0, 0) == 0 and dim_index("op", -1, 0) == 0  # a 0-d tensor
    assert dim_index("op", 3, 3, new=True) == 3 and dim_index("op", -4, 3, new=True) == 0
    with pytest.raises(IndexError, match=re.escape(
            "op: dim 3 is out of range for a tensor with 3 dims (expected -3 to 2)")):
        dim_index("op", 3, 3)
    with pytest.raises(IndexError, match=re.escape("(expected -4 to 3)")):
        dim_index("op", 4, 3, new=True)
    for bad in [True, np.bool_(False), 1.0, "1", None, (1,)]:
        with pytest.raises(TypeError, match="op: a dim must be an int, got "):
            dim_index("op", bad, 3)


def test_dim_list_keeps_the_order_given_and_refuses_repeats():
    assert dim_list("op", [2, 0], 3) == (2, 0)
    assert dim_list("op", -1, 3) == (2,)
    with pytest.raises(ValueError, match=re.escape("op: dim (0, -3) names a dim more than once")):
        dim_list("op", (0, -3), 3)


def test_reduced_dims():
    assert reduced_dims("op", None, 3) == (0, 1, 2)
    assert reduced_dims("op", [2, 0], 3) == (0, 2)
    assert reduced_dims("op", 0, 0) == () and reduced_dims("op", None, 0) == ()
    with pytest.raises(IndexError):
        reduced_dims("op", 1, 0)
    with pytest.raises(ValueError, match="op: dim=\\(\\) is ambiguous"):
        reduced_dims("op", [], 2)
    with pytest.raises(TypeError, match="op: keepdim must be True or False, got None"):
        reduced_dims("op", 0, 2, keepdim=None)
