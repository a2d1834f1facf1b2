"""Ops that move entries around: reshape, transpose, getitem, concat, stack, expand, pad, flip."""
import re

import numpy as np
import pytest

from tinygrad_res import Tensor, cat, concat, gradcheck, pad, stack


def leaf(rng, shape):
    return Tensor(rng.standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("shape", [(12,), (3, 4), (2, 6), (-1, 3), (2, -1, 2), (1, 12, 1)])
def test_reshape(rng, shape):
    x = leaf(rng, (3, 4))
    np.testing.assert_array_equal(x.reshape(*shape).data, x.data.reshape(shape))
    np.testing.assert_array_equal(x.reshape(shape).data, x.data.reshape(shape))
    assert gradcheck(lambda t: t.reshape(shape) * np.arange(12.0).reshape(shape), x)


def test_reshape_error():
    with pytest.raises(ValueError, match=re.escape("reshape: cannot reshape (3, 4) into (5, 2)")):
        Tensor(np.ones((3, 4))).reshape(5, 2)


@pytest.mark.parametrize("dims", [(2, 0, 1), (1, 0, 2), (-1, 0, 1), (0, -1, -2)], ids=str)
def test_permute(rng, dims):
    x = leaf(rng, (2, 3, 4))
    out = x.permute(*dims)
    np.testing.assert_array_equal(out.data, x.data.transpose(dims))
    np.testing.assert_array_equal(x.permute(dims).data, out.data)
    weights = rng.standard_normal(out.shape)  # distinct weights make a wrong permutation show
    assert gradcheck(lambda t: t.permute(*dims) * weights, x)


@pytest.mark.parametrize("dims, order", [((0, 1), (1, 0, 2)), ((0, -1), (2, 1, 0)),
                                         ((-2, -1), (0, 2, 1)), ((1, 1), (0, 1, 2))], ids=str)
def test_transpose_swaps_two_axes_as_pytorch(rng, dims, order):
    x = leaf(rng, (2, 3, 4))
    out = x.transpose(*dims)
    np.testing.assert_array_equal(out.data, x.data.transpose(order))
    weights = rng.standard_normal(out.shape)
    assert gradcheck(lambda t: t.transpose(*dims) * weights, x)


def test_transpose_of_a_0d_tensor_takes_dims_0_and_minus_1_as_pytorch(torch):
    x = Tensor(2.0, requires_grad=True)
    assert x.transpose(0, -1).shape == tuple(torch.tensor(2.0).transpose(0, -1).shape) == ()
    x.transpose(0, 0).backward()
    assert x.grad == 1.0
    with pytest.raises(IndexError, match="transpose: dim 1 is out of range"):
        x.transpose(0, 1)


def test_transpose_of_a_matrix_is_its_transpose():
    # numpy's x.transpose(0, 1) would give x itself: PyTorch's meaning swaps the two axes
    x = Tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(x.transpose(0, 1).data, x.data.T)
    np.testing.assert_array_equal(x.transpose(1, 0).data, x.data.T)


def test_T_reverses_axes(rng):
    x = leaf(rng, (3, 4))
    np.testing.assert_array_equal(x.T.data, x.data.T)
    assert gradcheck(lambda t: t.T @ t, x)
    y = leaf(rng, (2, 3, 4))
    np.testing.assert_array_equal(y.T.data, y.data.transpose(2, 1, 0))


def test_permute_and_transpose_errors():
    x = Tensor(np.ones((3, 4)))
    with pytest.raises(ValueError, match=re.escape(
            "permute: dims (0, 0) are not an order of the 2 axes of shape (3, 4)")):
        x.permute(0, 0)
    with pytest.raises(ValueError, match=re.escape("permute: dims (1, 0, 2)")):
        x.permute(1, 0, 2)
    with pytest.raises(TypeError, match=re.escape("use permute(*dims)")):
        x.transpose(1, 0, 2)
    with pytest.raises(TypeError, match=re.escape("transpose(dim0, dim1)")):
        x.transpose()
    with pytest.raises(IndexError, match=re.escape(
            "transpose: dim 2 is out of range for a tensor with 2 dims (expected -2 to 1)")):
        x.transpose(0, 2)
    with pytest.raises(TypeError, match="transpose: dims must be ints"):
        x.transpose(0, 1.0)


INDICES = {
    "int": 1,
    "negative int": -1,
    "slice": slice(1, None),
    "step slice": slice(None, None, -2),
    "int and slice": (slice(None), -2),
    "ints": (1, 2),
    "repeated integer array": [0, 2, 0, 0],
    "integer array with negatives": np.array([-1, 0, -1]),
    "2-d integer array": np.array([[0, 1], [1, 1]]),
    "boolean mask": np.array([True, False, True]),
    "boolean mask of all entries": (np.arange(12).reshape(3, 4) % 3 == 0),
    "slice and repeated array": (slice(0, 2), [3, 3, 1]),
    "arrays in two axes": ([0, 0, 2], [1, 1, 3]),
    "int and mask": (2, np.array([True, True, False, True])),
    "ellipsis and None": (Ellipsis, None),
}


@pytest.mark.parametrize("name", list(INDICES))
def test_getitem(rng, name):
    index = INDICES[name]
    x = leaf(rng, (3, 4))
    expected = x.data[index]
    np.testing.assert_array_equal(x[index].data, expected)
    weights = rng.standard_normal(expected.shape)
    assert gradcheck(lambda t: t[index] * weights, x)


def test_getitem_repeated_indices_add_up():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 2, 0, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_getitem_refuses_a_float_tensor_index():
    # Tensor([1, 0, 1]) holds floats: it could mean positions or a mask, so it is refused
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(TypeError, match="getitem: a Tensor index must be a bool mask"):
        x[Tensor([1, 0, 1])]
    with pytest.raises(TypeError, match="got dtype float64; for positions pass ints"):
        x[0, Tensor([2])]


def test_getitem_takes_a_comparison_as_a_mask():
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    picked = x[x > 0]
    np.testing.assert_array_equal(picked.data, [1.0, 3.0])
    (picked * Tensor([10.0, 100.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [10.0, 0.0, 100.0])


@pytest.mark.parametrize("index", [np.array([0, 0, 2]), [0, 0, 2], np.array([True, False, True])],
                         ids=["int array", "list", "mask"])
def test_getitem_keeps_its_own_copy_of_the_index(index):
    # changing the caller's index after the forward must not move the gradient
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x[index]
    expected = np.zeros(3)
    np.add.at(expected, np.array(index), 1.0)
    if isinstance(index, np.ndarray):
        index[:] = ~index if index.dtype == bool else 1
    else:
        index[:] = [2, 1, 1]
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, expected)


def test_getitem_result_does_not_alias_the_input():
    x = Tensor(np.zeros((2, 3)))
    row = x[0]
    row.data[0] = 5.0
    assert x.data[0, 0] == 0.0


def test_getitem_out_of_range():
    x = Tensor(np.ones((3, 4)))
    with pytest.raises(IndexError, match=re.escape("getitem: index 3 does not fit shape (3, 4)")):
        x[3]
    with pytest.raises(IndexError, match=re.escape("getitem: index (0, -5) does not fit shape")):
        x[0, -5]
    with pytest.raises(IndexError, match="getitem: .* does not fit shape \\(3, 4\\)"):
        x[[0, 7]]


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat(rng, axis):
    shapes = {0: [(1, 3), (2, 3), (3, 3)], 1: [(2, 1), (2, 4), (2, 2)], -1: [(2, 2), (2, 3)]}
    xs = [leaf(rng, s) for s in shapes[axis]]
    out = concat(xs, axis=axis)
    np.testing.assert_array_equal(out.data, np.concatenate([x.data for x in xs], axis=axis))
    weights = rng.standard_normal(out.shape)
    assert gradcheck(lambda *ts: concat(list(ts), axis=axis) * weights, *xs)


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_stack(rng, axis):
    xs = [leaf(rng, (2, 3)) for _ in range(3)]
    out = stack(xs, axis=axis)
    np.testing.assert_array_equal(out.data, np.stack([x.data for x in xs], axis=axis))
    weights = rng.standard_normal(out.shape)
    assert gradcheck(lambda *ts: stack(ts, axis=axis) * weights, *xs)


def test_concat_and_stack_accept_constants_and_arrays(rng):
    x = leaf(rng, (2,))
    out = concat([x, np.array([5.0]), x], axis=0)
    out.sum().backward()
    np.testing.assert_array_equal(out.data[2], 5.0)
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_concat_and_stack_errors():
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones((3, 2)))
    with pytest.raises(ValueError, match=re.escape(
            "concat: shapes (2, 3) and (3, 2) differ outside dim 0")):
        concat([a, b])
    with pytest.raises(IndexError, match=re.escape("concat: dim 2 is out of range for a tensor "
                                                   "with 2 dims (expected -2 to 1)")):
        concat([a, a], axis=2)
    with pytest.raises(ValueError, match=re.escape("stack: shapes (2, 3) and (3, 2) differ")):
        stack([a, b])
    with pytest.raises(IndexError, match=re.escape("stack: dim 3 is out of range for a tensor "
                                                   "with 2 dims (expected -3 to 2)")):
        stack([a, a], axis=3)
    with pytest.raises(TypeError, match="concat: expected a list or tuple of tensors"):
        concat(a)


EXPANDS = [((3, 1), (3, 4)), ((3, 1), (-1, 4)), ((3, 1), (2, 3, 5)), ((3, 1), (2, -1, -1)),
           ((), (2, 3)), ((), ()), ((3, 1), (3, 0)), ((1,), (0,))]


@pytest.mark.parametrize("shape, sizes", EXPANDS, ids=str)
def test_expand_as_pytorch(torch, rng, shape, sizes):
    data = rng.standard_normal(shape)
    x = Tensor(data, requires_grad=True)
    out = x.expand(*sizes)
    expected = torch.tensor(data).expand(sizes)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_array_equal(out.data, expected.numpy())
    np.testing.assert_array_equal(x.expand(sizes).data, out.data)  # one tuple works too
    out.backward(np.ones(out.shape))
    np.testing.assert_array_equal(x.grad, np.full(shape, out.size / max(x.size, 1)))


def test_expand_output_is_an_array_of_its_own(rng):
    # np.broadcast_to's view is read-only and repeats one memory location
    x = Tensor(rng.standard_normal((3, 1)))
    out = x.expand(3, 4)
    assert out.data.flags.writeable and not np.shares_memory(out.data, x.data)


def test_broadcast_to_is_expand_with_one_shape(rng):
    x = Tensor(rng.standard_normal((3, 1)), requires_grad=True)
    assert x.broadcast_to((2, 3, 4)).op == "expand"
    assert gradcheck(lambda t: t.broadcast_to((2, -1, 4)), x)


@pytest.mark.parametrize("sizes, error, message", [
    ((4, 4), ValueError, "expand: cannot expand shape (3, 1) to (4, 4): only a dim of size 1 "
                         "grows (dim 0 has size 3)"),
    ((4,), ValueError, "expand: sizes (4,) are fewer than the 2 dims of shape (3, 1)"),
    ((-1, 3, 1), ValueError, "expand: -1 (keep the size) in a new leading dim 0 of (-1, 3, 1)"),
    ((3, -2), ValueError, "expand: cannot expand shape (3, 1) to (3, -2)"),
    ((3, 2.0), TypeError, "expand: sizes must be ints, got 2.0 in (3, 2.0)"),
])
def test_expand_errors(sizes, error, message):
    with pytest.raises(error, match=re.escape(message)):
        Tensor(np.ones((3, 1))).expand(*sizes)


PADS = [(1, 2), (1, 2, 0, 1), [-1, 2], (-3, -1), (0, 0, -2, 1, 1, 1), ()]


@pytest.mark.parametrize("widths", PADS, ids=str)
def test_pad_as_pytorch(torch, rng, widths):
    data = rng.standard_normal((2, 3, 4))
    x = Tensor(data, requires_grad=True)
    out = pad(x, widths, value=-2.5)
    expected = torch.nn.functional.pad(torch.tensor(data), widths, value=-2.5)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_array_equal(out.data, expected.numpy())
    assert gradcheck(lambda t: pad(t, widths), x)


def test_pad_gradient_is_zero_on_cropped_entries():
    x = Tensor(np.ones((2, 4)), requires_grad=True)
    pad(x, (-1, 2)).backward(np.ones((2, 5)))
    np.testing.assert_array_equal(x.grad, [[0, 1, 1, 1]] * 2)


def test_pad_keeps_float32_and_takes_value_none():
    out = pad(Tensor(np.ones(2, dtype=np.float32)), (1, 0), value=None)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, [0.0, 1.0, 1.0])


@pytest.mark.parametrize("call, error, message", [
    (lambda x: pad(x, (1,)), ValueError, "pad: pad (1,) must hold a (before, after) pair per "
                                         "padded dim: an even length up to 4 for shape (2, 3)"),
    (lambda x: pad(x, (1,) * 6), ValueError, "an even length up to 4"),
    (lambda x: pad(x, (-2, -2)), ValueError, "pad: pad (-2, -2) crops dim 1 of size 3 by more "
                                             "than its size"),
    (lambda x: pad(x, (1.5, 1)), TypeError, "pad: pad must be a tuple of ints, got (1.5, 1)"),
    (lambda x: pad(x, 2), TypeError, "pad: pad must be a tuple of ints, got int"),
    (lambda x: pad(x, (1, 1), value="0"), TypeError, "pad: value must be a number or None"),
    (lambda x: pad(x, (1, 1), mode="reflect"), NotImplementedError,
     "pad: mode='reflect' is not implemented; only 'constant'"),
])
def test_pad_errors(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call(Tensor(np.ones((2, 3))))


@pytest.mark.parametrize("dims", [(0,), (0, 1), ((0, 2),), ([-1],), ((),)], ids=str)
def test_flip_as_pytorch(torch, rng, dims):
    data = rng.standard_normal((2, 3, 4))
    x = Tensor(data, requires_grad=True)
    expected = torch.tensor(data).flip(*dims)
    np.testing.assert_array_equal(x.flip(*dims).data, expected.numpy())
    assert gradcheck(lambda t: t.flip(*dims), x)


def test_flip_copies_as_torch_flip_does(rng):
    x = Tensor(rng.standard_normal((2, 3)))
    assert not np.shares_memory(x.flip(0).data, x.data)  # np.flip would give a view


def test_flip_of_a_0d_tensor_and_errors():
    assert Tensor(2.0).flip(0).item() == 2.0
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=re.escape("flip: dim (0, -2) names a dim more than once")):
        x.flip(0, -2)
    with pytest.raises(IndexError, match="flip: dim 2 is out of range"):
        x.flip(2)


def test_cat_is_concat_and_a_0d_tensor_cannot_be_joined():
    a, b = Tensor(np.ones((2, 3)), requires_grad=True), Tensor(np.zeros((2, 1)))
    assert cat([a, b], dim=-1).op == "concat"
    np.testing.assert_array_equal(cat([a, b], 1).data, concat([a, b], axis=1).data)
    with pytest.raises(ValueError, match="concat: a 0-d tensor has no dim to join along"):
        cat([Tensor(1.0), Tensor(2.0)])
