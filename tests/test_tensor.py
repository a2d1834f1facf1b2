"""Tensor itself: construction and dtypes, conversions, repr, graph attributes."""
import re

import numpy as np
import pytest

from tinygrad_res import Tensor, concat, linear, maximum, stack, where


@pytest.mark.parametrize("data", [3, 2.5, True, [1, 2], [[True, False]], np.arange(3),
                                  np.array([1, 0], dtype=bool), np.ones(2, dtype=np.float16)],
                         ids=["int", "float", "bool", "int list", "bool list", "int array",
                              "bool array", "float16 array"])
def test_non_float32_inputs_become_float64(data):
    t = Tensor(data)
    assert t.dtype == np.float64
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=np.float64))


def test_float32_is_kept_and_dtype_overrides():
    assert Tensor(np.ones(2, dtype=np.float32)).dtype == np.float32
    assert Tensor([1, 2], dtype=np.float32).dtype == np.float32
    assert Tensor(np.ones(2, dtype=np.float32), dtype=np.float64).dtype == np.float64
    assert Tensor(np.ones(2), dtype="float32").dtype == np.float32


def test_data_is_copied():
    source = np.array([1.0, 2.0])
    t = Tensor(source)
    source[0] = 9.0
    assert t.data[0] == 1.0
    assert Tensor(t).data is not t.data


@pytest.mark.parametrize("data, message", [
    ("abc", "cannot make a tensor from a string, got 'abc'"),
    (b"ab", "cannot make a tensor from a string"),
    (np.array([1, "a"], dtype=object), "numpy dtype object"),
    ([[1.0, 2.0], [3.0]], "ragged sequence"),
    ({"a": 1}, "cannot make a tensor from dict"),
    (None, "cannot make a tensor from NoneType"),
    (np.array([1 + 2j]), "numpy dtype complex128"),
], ids=["str", "bytes", "object array", "ragged list", "dict", "None", "complex"])
def test_bad_data_is_a_type_error(data, message):
    with pytest.raises(TypeError, match="^Tensor: .*" + re.escape(message)):
        Tensor(data)


@pytest.mark.parametrize("dtype", [np.int32, bool, "int64"])
def test_non_float_dtype_is_a_type_error(dtype):
    with pytest.raises(TypeError, match="Tensor: dtype must be a floating type, got"):
        Tensor([1.0], dtype=dtype)


def test_item_and_numpy():
    assert Tensor(2.5).item() == 2.5 and isinstance(Tensor(2.5).item(), float)
    assert Tensor([[7.0]]).item() == 7.0
    with pytest.raises(ValueError, match=re.escape(
            "item: only a tensor with one element converts to a number, got shape (2, 3)")):
        Tensor(np.ones((2, 3))).item()
    t = Tensor([1.0, 2.0])
    assert t.numpy() is t.data


def test_shape_attributes():
    t = Tensor(np.zeros((2, 3)))
    assert (t.shape, t.ndim, t.size, len(t)) == ((2, 3), 2, 6, 2)
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(Tensor(1.0))


def test_repr_is_readable():
    assert repr(Tensor([1.0, 2.5])) == "Tensor([1. , 2.5])"
    assert repr(Tensor([1.0], requires_grad=True, name="w")) == \
        "Tensor([1.], requires_grad=True, name='w')"
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert repr(x * 2.0) == "Tensor([2., 4.], op=mul)"
    assert repr(Tensor(1.0, dtype=np.float32)) == "Tensor(1., dtype=float32)"
    big = repr(Tensor(np.arange(100.0)))
    assert "..." in big and "shape=(100,)" in big and len(big) < 120


def test_graph_attributes():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    w = Tensor([3.0, 4.0], requires_grad=True)
    y = x * w
    assert x.is_leaf and x.op is None and x.parents == ()
    assert not y.is_leaf and y.op == "mul" and y.parents == (x, w)
    assert y.grad_fn.parents == (x, w)
    z = (y @ w).relu()
    assert z.op == "relu" and z.parents[0].op == "matmul"
    assert x[0].op == "getitem" and (x ** 2).op == "pow" and (2 ** x).op == "pow"
    assert (-x).op == "neg" and x.log_softmax().op == "log_softmax"
    constant = Tensor([1.0]) * 2.0
    assert constant.is_leaf and not constant.requires_grad


FLOAT32_OPS = {
    "arithmetic": lambda a, b: (a + b) * (a - b) / (b * b + 1.0) - a,
    "numbers": lambda a, b: 2.0 * a + 1.5 - a / 3.0 + (a * b) ** 2 + 0.5 ** a,
    "pow": lambda a, b: (a * a + 1.0) ** b,
    "unary": lambda a, b: (a.exp() + (b * b + 1.0).log() + a.relu() + a.tanh() + a.sigmoid()
                           + (b * b + 1.0).sqrt() + a.abs()),
    "matmul": lambda a, b: a @ b.T,
    "linear": lambda a, b: linear(a, b, b[0]),
    "reductions": lambda a, b: a.sum(axis=0) + a.mean(axis=0) + b.max(axis=0),
    "softmax": lambda a, b: a.softmax(axis=0) + b.log_softmax(),
    "shape": lambda a, b: a.reshape(-1)[[0, 0, 1]] + b.T.transpose(0, 1)[1, :3],
    "join": lambda a, b: concat([a, b]) * stack([a, b], axis=1).sum(axis=1).sum(),
    "select": lambda a, b: where(a.data > 0, a, b) + maximum(a, b) + maximum(a, 0.0),
}


@pytest.mark.parametrize("name", list(FLOAT32_OPS))
def test_float32_preserved_through_ops_and_grads(rng, name):
    a = Tensor(rng.standard_normal((3, 3)), requires_grad=True, dtype=np.float32)
    b = Tensor(rng.standard_normal((3, 3)), requires_grad=True, dtype=np.float32)
    out = FLOAT32_OPS[name](a, b)
    assert out.dtype == np.float32
    out.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float32


def test_float32_parameter_gets_float32_grad_from_float64_input():
    # the input is promoted, as numpy does, but a parameter's grad keeps the parameter's dtype
    w = Tensor([[0.5, -1.0]], requires_grad=True, dtype=np.float32)
    x = Tensor([[2.0, 3.0]])
    out = (x * w).sum()
    assert out.dtype == np.float64
    out.backward()
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad, [[2.0, 3.0]])


# ----- comparisons, truth, hashing ----------------------------------------------------------
@pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">="])
def test_comparisons_are_elementwise_and_match_torch(torch, op):
    a, b = np.array([[0.0, 1.0, 2.0]]), np.array([[1.0], [0.0]])
    ours = eval(f"x {op} y", {"x": Tensor(a, requires_grad=True), "y": Tensor(b)})
    theirs = eval(f"x {op} y", {"x": torch.tensor(a), "y": torch.tensor(b)})
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert ours.dtype == np.bool_ and not ours.requires_grad and ours.grad_fn is None
    np.testing.assert_array_equal(eval(f"x {op} 1.0", {"x": Tensor(a)}).data,
                                  eval(f"x {op} 1.0", {"x": a}))


def test_a_comparison_picks_in_where_and_masks():
    # x == 0 used to be Python identity (always False): where picked b everywhere
    from tinygrad_res import where
    x = Tensor([0.0, 1.0, 0.0, -2.0], requires_grad=True)
    y = where(x == 0, 10.0, x * 3.0)
    np.testing.assert_array_equal(y.data, [10.0, 3.0, 10.0, -6.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 3.0, 0.0, 3.0])
    np.testing.assert_array_equal((x * (x > 0)).data, [0.0, 1.0, 0.0, 0.0])


def test_truth_of_one_element_only():
    assert bool(Tensor([0.0])) is False and bool(Tensor(2.0)) is True
    assert (Tensor([1.0, 2.0]) > 0).all() and not (Tensor([1.0, 2.0]) > 1.5).all()
    with pytest.raises(RuntimeError, match="bool: the truth of a tensor with 2 values is "
                                           "ambiguous"):
        bool(Tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="with 0 values"):
        bool(Tensor([]))


def test_tensors_hash_by_identity_and_compare_to_other_objects():
    x, y = Tensor([1.0]), Tensor([1.0])
    assert len({x, y, x}) == 2 and {x: 1}[x] == 1
    assert (x == None) is False and (x != "text") is True  # noqa: E711
    with pytest.raises(ValueError, match=re.escape("eq: cannot broadcast (2,) with (3,)")):
        Tensor([1.0, 2.0]) == np.ones(3)


# ----- requires_grad -------------------------------------------------------------------------
def test_requires_grad_can_change_on_leaves_only():
    x = Tensor([1.0, 2.0])
    assert x.requires_grad_() is x and x.requires_grad
    y = x * 2.0
    with pytest.raises(RuntimeError, match="requires_grad: can be changed only on a leaf .* "
                                           "output of mul; for a copy outside the graph use "
                                           "detach"):
        y.requires_grad = False
    with pytest.raises(RuntimeError, match="can be changed only on a leaf"):
        y.requires_grad = True
    constant = Tensor([1.0]) * 2.0  # no input needs a gradient: a leaf, as in PyTorch
    constant.requires_grad = True
    (constant * 3.0).sum().backward()
    np.testing.assert_array_equal(constant.grad, [3.0])
    with pytest.raises(RuntimeError, match="only float tensors can require gradients"):
        (x > 0).requires_grad = True


# ----- the float type of a result ------------------------------------------------------------
@pytest.mark.parametrize("other", [np.array([1, 0, 1]), np.array([True, False, True]),
                                   [1.0, 2.0, 3.0], [1, 2, 3], 2, 2.5, True],
                         ids=["int array", "bool array", "float list", "int list", "int",
                              "float", "bool"])
def test_float32_stays_float32_with_ints_bools_lists_and_numbers(other):
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    for result in (x * other, other * x, x + other, other - x, x / 2 if other is True else x):
        assert result.dtype == np.float32
    (x * other).sum().backward()
    assert x.grad.dtype == np.float32


def test_a_float_array_keeps_its_own_type_as_a_tensor_would():
    x = Tensor(np.ones(2, dtype=np.float32))
    assert (x * np.ones(2)).dtype == np.float64
    assert (x * np.ones(2, dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("scalar", [np.float64(0.5), np.int64(2)], ids=["float64", "int64"])
def test_a_numpy_scalar_option_keeps_float32(scalar):
    # numpy 2 would make float32 ** np.float64(0.5) float64; a Python number would not
    x = Tensor(np.array([0.5, 2.0, 3.0], dtype=np.float32), requires_grad=True)
    for result in (x ** scalar, x.leaky_relu(scalar), x.var(correction=scalar),
                   x.std(correction=scalar)):
        assert result.dtype == np.float32
        x.grad = None
        result.sum().backward()
        assert x.grad.dtype == np.float32


def test_backward_takes_pytorchs_graph_arguments(torch):
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)  # the graph is always kept: a second backward works
    y.backward()
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])
    with pytest.raises(NotImplementedError, match="backward: create_graph=True is not "
                                                  "supported"):
        y.backward(create_graph=True)
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    s = (t * t).sum()
    s.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        s.backward()  # PyTorch frees the graph: the difference the README lists
