"""tinygrad_res/compare.py: logic on bool tensors (masks combined as in PyTorch), and a tensor's
values handed to Python (float, int, iteration) and to numpy (np.asarray)."""
import operator

import numpy as np
import pytest

from tinygrad_res import Tensor, where


@pytest.mark.parametrize("op", [operator.and_, operator.or_, operator.xor],
                         ids=["and", "or", "xor"])
def test_masks_combine_elementwise_as_in_torch(torch, op):
    a = np.array([[-1.0, 0.5, 2.0], [3.0, -0.5, 0.0]])
    ours = op(Tensor(a) > 0, Tensor(a) < 1)
    theirs = op(torch.tensor(a) > 0, torch.tensor(a) < 1)
    assert ours.dtype == np.bool_ and not ours.requires_grad
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    np.testing.assert_array_equal(op(Tensor(a) > 0, True).data, op(torch.tensor(a) > 0, True))
    np.testing.assert_array_equal(op(np.array([True, False, True]), Tensor(a) > 0).data,
                                  op(torch.tensor([True, False, True]), torch.tensor(a) > 0))


def test_a_combined_mask_picks_in_where_and_indexing():
    x = Tensor([-1.0, 0.25, 0.5, 2.0], requires_grad=True)
    inside = (x > 0) & (x < 1)
    np.testing.assert_array_equal(where(inside, x, 0.0).data, [0.0, 0.25, 0.5, 0.0])
    x[~inside].sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 0.0, 1.0])


def test_logic_on_float_tensors_is_a_type_error_naming_the_dtype():
    x = Tensor([1.0, 0.0])
    with pytest.raises(TypeError, match=r"and \(&\): takes bool tensors .* got dtype float64"):
        x & (x > 0)
    with pytest.raises(TypeError, match=r"invert \(~\): takes a bool tensor .* float64"):
        ~x
    with pytest.raises(ValueError, match=r"or \(\|\): cannot broadcast \(2,\) with \(3,\)"):
        (x > 0) | np.array([True, False, True])


def test_float_and_int_of_one_element_as_in_torch(torch):
    assert float(Tensor([[2.5]])) == 2.5 and int(Tensor(3.7)) == int(torch.tensor(3.7)) == 3
    assert isinstance(float(Tensor(1.0)), float) and isinstance(int(Tensor(1.0)), int)
    for convert in (float, int):
        with pytest.raises(ValueError, match=rf"{convert.__name__}: only a tensor with one "
                                             rf"element .* shape \(2,\)"):
            convert(Tensor([1.0, 2.0]))


def test_numpy_sees_the_data_not_an_array_of_tensors():
    x = Tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3))
    array = np.asarray(x)
    assert array.dtype == np.float32 and array.shape == (2, 3) and array is x.data
    assert np.asarray(x, dtype=np.float64).dtype == np.float64
    copied = np.array(x, copy=True)
    copied[0, 0] = 9.0
    assert x.data[0, 0] == 0.0
    np.testing.assert_array_equal(Tensor([Tensor(1.0), Tensor(2.0)]).data, [1.0, 2.0])


def test_iteration_gives_the_rows_and_refuses_a_0d_tensor(torch):
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    rows = list(x)
    assert [r.shape for r in rows] == [(3,), (3,)]
    (rows[0] * 2.0 + rows[1]).sum().backward()  # the rows are in the graph, as torch's are
    np.testing.assert_array_equal(x.grad, [[2.0] * 3, [1.0] * 3])
    with pytest.raises(TypeError, match="iter: a 0-d tensor cannot be iterated over"):
        list(Tensor(1.0))
    with pytest.raises(TypeError):
        list(torch.tensor(1.0))


def test_a_bool_mask_has_no_mean_and_no_negative_as_in_pytorch():
    mask = Tensor([1.0, -2.0, 3.0]) > 0
    with pytest.raises(TypeError, match=r"mean: a bool tensor has no mean"):
        mask.mean()
    with pytest.raises(TypeError, match=r"neg: a bool tensor has no negative"):
        -mask
    assert mask.sum().item() == 2 and (mask * 1.0).mean().item() == pytest.approx(2 / 3)
