"""In-place methods and the check that an array saved for backward was not changed since
(inplace.py): PyTorch's "modified by an inplace operation" error, never a silent wrong grad."""
import re

import numpy as np
import pytest

import nets
from nets.losses import mse_loss
from tinygrad_res import Tensor, no_grad

CHANGED = "was changed in place after"


def test_an_optimizer_step_between_forward_and_backward_is_an_error():
    # the example: backward after opt.step() used to return gradients off by 0.15
    model = nets.PlainMLP(2, 3, seed=0)
    opt = nets.optim.SGD(model.parameters(), lr=0.5)
    x = Tensor(np.ones((4, 3)))
    loss = mse_loss(model(x), x)
    loss.backward()
    opt.step()
    opt.zero_grad()
    with pytest.raises(RuntimeError, match=re.escape("backward through linear: its input 1, a "
                                                     "tensor of shape (3, 3), " + CHANGED)):
        loss.backward()


def test_the_error_names_the_tensor_and_its_version():
    w = Tensor([1.0, 2.0], requires_grad=True, name="w")
    x = Tensor([3.0, 4.0], name="x")
    y = (w * x).sum()
    with no_grad():
        x.mul_(2.0)
        x.add_(1.0)
    with pytest.raises(RuntimeError, match=r"backward through mul: its input 1, tensor 'x' of "
                                           r"shape \(2,\), was changed in place after mul ran "
                                           r"\(its memory is at version 2; it was at version "
                                           r"0 then\)"):
        y.backward()
    assert x._version == 2 and w._version == 0
    y = (w * x).sum()
    with no_grad():
        for _ in range(100):
            x.add_(1.0)
    with pytest.raises(RuntimeError, match=r"at version 102; it was at version at most 38 "):
        y.backward()  # more changes than are remembered: a bound, not a guess
    y = (w * x).sum()
    with no_grad():
        x.mul_(1.0)
    with pytest.raises(RuntimeError, match=r"at version 103; it was at version 102 then"):
        y.backward()


def test_an_op_that_saved_nothing_does_not_mind():
    # add's backward reads no input: PyTorch raises nothing either, and the gradient is right
    w = Tensor([1.0, 2.0], requires_grad=True)
    x = Tensor([3.0, 4.0])
    y = (w + x).sum()
    x.add_(100.0)
    y.backward()
    np.testing.assert_array_equal(w.grad, [1.0, 1.0])


def test_a_saved_output_changed_in_place_is_an_error():
    x = Tensor([-1.0, 2.0], requires_grad=True)
    y = x.exp()  # exp saves its output
    with no_grad():
        y.zero_()
    with pytest.raises(RuntimeError, match="backward through exp: its output, a tensor of shape "
                                           r"\(2,\), was changed in place"):
        y.sum().backward()


@pytest.mark.parametrize("keepdim", [False, True])
def test_std_backward_refuses_its_output_changed_in_place(keepdim):
    # std's backward reads its output: a change to it would give a silently wrong gradient
    x = Tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
    y = x.std(0, keepdim=keepdim)
    with no_grad():
        y.add_(1.0)
    with pytest.raises(RuntimeError, match="backward through std: its output, a tensor of shape"):
        y.backward(np.ones(y.shape))


def test_changes_through_a_view_or_a_detached_copy_count():
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = Tensor([1.0, 1.0, 1.0])
    y = (w * x).sum()
    x.detach().fill_(5.0)  # the same memory as x
    with pytest.raises(RuntimeError, match="input 1, a tensor of shape \\(3,\\), " + CHANGED):
        y.backward()
    data = Tensor(np.arange(6.0).reshape(2, 3))
    z = (w * data[1]).sum()  # getitem copies: data's memory is not what mul saved
    data.reshape(6).add_(1.0)  # a view of data's memory
    z.backward()
    np.testing.assert_array_equal(w.grad, [3.0, 4.0, 5.0])
    v = (w * data).sum()
    data.reshape(6).add_(1.0)
    with pytest.raises(RuntimeError, match=CHANGED):
        v.backward()


@pytest.mark.parametrize("change", [
    pytest.param(lambda m: nets.init.zeros_(m.layers[0].linear.weight), id="nets.init"),
    pytest.param(lambda m: nets.init.scale_residual_branches_(m, 0.5), id="scale branches"),
    pytest.param(lambda m: m.load_state_dict(nets.ResMLP(2, 3, seed=1).state_dict()),
                 id="load_state_dict"),
    pytest.param(lambda m: m.to(np.float32), id="Module.to"),
])
def test_library_changes_to_parameters_are_noticed(change):
    model = nets.ResMLP(2, 3, seed=0)
    loss = mse_loss(model(Tensor(np.ones((2, 3)))), Tensor(np.zeros((2, 3))))
    change(model)
    with pytest.raises(RuntimeError, match="backward through linear"):
        loss.backward()


def test_no_change_no_error_and_a_fresh_forward_after_the_step_is_fine():
    model = nets.ResMLP(2, 3, seed=0)
    opt = nets.optim.Adam(model.parameters(), lr=0.1)
    x = Tensor(np.ones((2, 3)))
    before = [p._version for p in model.parameters()]  # initialisation changed them in place
    for _ in range(2):
        opt.zero_grad()
        mse_loss(model(x), x * 0.5).backward()
        opt.step()
    assert [p._version for p in model.parameters()] == [v + 2 for v in before]


@pytest.mark.parametrize("method, args, expected", [
    ("add_", ([1.0, 2.0],), [2.0, 4.0]),
    ("add_", (Tensor([1.0, 2.0]),), [2.0, 4.0]),
    ("add_", (2.0,), [3.0, 4.0]),
    ("sub_", ([1.0, 1.0],), [0.0, 1.0]),
    ("mul_", (3.0,), [3.0, 6.0]),
    ("fill_", (7.0,), [7.0, 7.0]),
    ("zero_", (), [0.0, 0.0]),
    ("copy_", (np.array([5, 6]),), [5.0, 6.0]),
    ("copy_", (Tensor([9.0]),), [9.0, 9.0]),
])
def test_in_place_methods_match_torch(torch, method, args, expected):
    ours = Tensor([1.0, 2.0])
    theirs = torch.tensor([1.0, 2.0], dtype=torch.float64)
    torch_args = [torch.tensor(a.data) if isinstance(a, Tensor) else
                  torch.tensor(a) if isinstance(a, (list, np.ndarray)) else a for a in args]
    assert getattr(ours, method)(*args) is ours
    getattr(theirs, method)(*torch_args)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    np.testing.assert_array_equal(ours.data, expected)
    assert ours._version == theirs._version == 1


def test_alpha_and_dtype_are_kept():
    x = Tensor(np.ones(3, dtype=np.float32))
    data = x.data
    x.add_(np.ones(3), alpha=-0.5).sub_(Tensor([1.0, 2.0, 3.0]), alpha=2)
    assert x.dtype == np.float32 and x.data is data
    np.testing.assert_allclose(x.data, [-1.5, -3.5, -5.5])


def test_in_place_on_a_tensor_that_requires_grad():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"add_: a tensor of shape \(2,\) requires grad and is "
                                           r"being changed in place.*inside no_grad\(\)"):
        w.add_(1.0)
    y = w * 2.0
    with pytest.raises(RuntimeError, match="zero_: a tensor of shape \\(2,\\) is the output of "
                                           "mul in a graph that requires grad"):
        y.zero_()
    with no_grad():
        w.add_(1.0)
    np.testing.assert_array_equal(w.data, [2.0, 3.0])


def test_in_place_shape_and_type_errors():
    x = Tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=re.escape(
            "add_: a value of shape (2, 2) does not fit in place into a tensor of shape (2,)")):
        x.add_(np.ones((2, 2)))
    with pytest.raises(TypeError, match="copy_: expected numbers, got str"):
        x.copy_("ab")
    with pytest.raises(TypeError, match="set_: expected a Tensor or a float numpy array"):
        x.set_([1, 2])
    assert x._version == 0


def test_set_takes_the_array_and_counts_as_a_change():
    w = Tensor([1.0, 2.0], requires_grad=True)
    x = Tensor([3.0, 4.0])
    y = (w * x).sum()
    new = np.array([1.0, 1.0, 1.0], dtype=np.float32)
    with no_grad():
        x.set_(new)
    assert x.data is new and x.shape == (3,)
    with pytest.raises(RuntimeError, match=r"backward through mul: an array it saved of shape \(2,\) " + CHANGED):
        y.backward()


def test_fill_takes_one_value_as_torch(torch):
    x = Tensor([1.0, 2.0])
    np.testing.assert_array_equal(x.fill_(Tensor(3.0)).data, [3.0, 3.0])
    with pytest.raises(ValueError, match=r"fill_: takes a number or a 0-d tensor, got a value "
                                         r"of shape \(2,\); to copy values in, use copy_"):
        x.fill_(np.array([5.0, 6.0]))
    with pytest.raises(RuntimeError, match="fill_ only supports 0-dimension value tensor"):
        torch.zeros(2).fill_(torch.tensor([5.0, 6.0]))
    np.testing.assert_array_equal(x.data, [3.0, 3.0])
