"""Hidden tests of assignment 5 (never in a handout; `grade` and the autograder run them).

The SGD rule over several steps by hand (the gradient array never written, float32 kept),
the per-sample step against nets/manual.py's hand-written backprop on small cells, and the
clipping factor at its corner cases.
"""
import math

import numpy as np
import pytest

import nets
from demos.depth_sweep_core import Cell, clip_factor, run_cell
from nets.optim import SGD
from nets.utils import clip_grad_norm_
from tinygrad_res import Tensor


def param(values, grad, dtype=np.float64):
    p = Tensor(np.array(values, dtype=dtype), requires_grad=True)
    p.grad = np.array(grad, dtype=dtype)
    return p


@pytest.mark.task_5_1
def test_sgd_momentum_over_three_steps_by_hand_leaves_the_gradient_alone():
    p = param([1.0, -1.0], [0.5, 2.0])
    grad = p.grad
    opt = SGD([p], lr=0.1, momentum=0.5)
    expected, buf = np.array([1.0, -1.0]), None
    for step_grad in ([0.5, 2.0], [1.0, -1.0], [0.0, 4.0]):
        p.grad[:] = step_grad  # the same array, changed by the caller between steps
        g = np.array(step_grad)
        buf = g.copy() if buf is None else 0.5 * buf + g
        expected = expected - 0.1 * buf
        opt.step()
        np.testing.assert_allclose(p.data, expected, rtol=1e-15)
        np.testing.assert_array_equal(p.grad, step_grad)  # read, never written
    assert p.grad is grad


@pytest.mark.task_5_1
def test_sgd_without_momentum_uses_each_steps_gradient_only():
    p = param([2.0], [1.0])
    opt = SGD([p], lr=0.5)
    opt.step()
    p.grad = np.array([-4.0])
    opt.step()
    np.testing.assert_allclose(p.data, [2.0 - 0.5 + 2.0], rtol=1e-15)
    assert opt.state[0] == {} or "momentum_buffer" not in opt.state[0]


@pytest.mark.task_5_1
def test_sgd_keeps_float32_parameters_float32_and_updates_in_place():
    p = param([1.0, 2.0], [0.5, -0.5], dtype=np.float32)
    data = p.data
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1)
    opt.step()
    opt.step()
    assert p.data is data and p.data.dtype == np.float32
    g1 = np.array([0.5, -0.5]) + 0.1 * np.array([1.0, 2.0])
    p1 = np.array([1.0, 2.0]) - 0.1 * g1
    g2 = np.array([0.5, -0.5]) + 0.1 * p1
    np.testing.assert_allclose(p.data, p1 - 0.1 * (0.9 * g1 + g2), rtol=1e-6)


@pytest.mark.task_5_1
def test_sgd_updates_every_parameter_with_its_own_buffer():
    a, b = param([1.0], [1.0]), param([[0.0, 0.0]], [[2.0, -2.0]])
    opt = SGD([a, b], lr=1.0, momentum=1.0)
    opt.step()
    opt.step()  # buf = 2 g: each parameter moves by 3 g over the two steps
    np.testing.assert_allclose(a.data, [-2.0])
    np.testing.assert_allclose(b.data, [[-6.0, 6.0]])


def tiny_data():
    return np.random.default_rng(12).standard_normal((6, 4)) * 0.5


@pytest.mark.task_5_2
@pytest.mark.parametrize("family", ["plain", "residual"])
def test_the_per_sample_step_trains_as_the_hand_written_backprop(family):
    cell = Cell(family, 3, epochs=3, lr=0.05, width=4, network_seed=2)
    autodiff = run_cell(cell, tiny_data(), "autodiff")
    manual = run_cell(cell, tiny_data(), "manual")
    assert autodiff["diverged"] is None and len(autodiff["curve"]) == 3
    np.testing.assert_allclose(autodiff["curve"], manual["curve"], rtol=1e-12)
    assert autodiff["curve"][-1] < autodiff["curve"][0]  # it learns


@pytest.mark.task_5_3
def test_a_clip_too_large_to_act_trains_as_no_clip_and_the_hand_written_backprop():
    # clipping keeps the step eager (no jit) and computes the factor, here 1: the same numbers
    data = tiny_data()
    eager = run_cell(Cell("residual", 2, epochs=2, lr=0.1, width=4, clip=1e300), data,
                     "autodiff")
    replayed = run_cell(Cell("residual", 2, epochs=2, lr=0.1, width=4), data, "autodiff")
    manual = run_cell(Cell("residual", 2, epochs=2, lr=0.1, width=4), data, "manual")
    assert eager["curve"] == replayed["curve"]
    np.testing.assert_allclose(eager["curve"], manual["curve"], rtol=1e-12)


@pytest.mark.task_5_2
def test_the_first_epoch_loss_is_the_mean_of_losses_before_each_update():
    data = tiny_data()[:1]
    cell = Cell("plain", 1, epochs=1, lr=0.1, width=4, network_seed=3)
    model = nets.seed000_network(1, False, 4, 3)
    layer = model.linears()[0]
    out = np.maximum(data @ layer.weight.data.T + layer.bias.data, 0.0)
    expected = float(np.mean((out - data) ** 2))
    assert run_cell(cell, data, "autodiff")["curve"] == [pytest.approx(expected, rel=1e-12)]


@pytest.mark.task_5_3
def test_clip_factor_hand_derived():
    grads = [np.array([3.0, 4.0]), np.array([[12.0]])]  # norm 13 over all of them
    assert clip_factor(grads, 6.5) == pytest.approx(6.5 / (13.0 + 1e-6), rel=1e-15)
    assert clip_factor(grads, 13.0) == pytest.approx(13.0 / (13.0 + 1e-6), rel=1e-15)
    assert clip_factor(grads, 14.0) == 1.0
    assert clip_factor(grads, 0.0) == 0.0
    assert clip_factor([np.array([-3.0, -4.0], dtype=np.float32)], 1.0) == \
        pytest.approx(1.0 / (5.0 + 1e-6), rel=1e-7)
    assert clip_factor([np.zeros(3)], 1.0) == 1.0


@pytest.mark.task_5_3
@pytest.mark.parametrize("norm_type, total", [(2.0, 13.0), (1.0, 19.0), (math.inf, 12.0),
                                              (3.0, (27 + 64 + 1728) ** (1 / 3))])
def test_clip_grad_norm_hand_derived_for_each_norm(norm_type, total):
    a, b = param([0.0, 0.0], [3.0, -4.0]), param([[0.0]], [[12.0]])
    returned = clip_grad_norm_([a, b], max_norm=2.0, norm_type=norm_type)
    assert returned.item() == pytest.approx(total, rel=1e-12)
    factor = 2.0 / (total + 1e-6)
    np.testing.assert_allclose(a.grad, [3.0 * factor, -4.0 * factor], rtol=1e-12)
    np.testing.assert_allclose(b.grad, [[12.0 * factor]], rtol=1e-12)


@pytest.mark.task_5_3
def test_clip_grad_norm_leaves_short_gradients_alone_and_keeps_float32():
    a = param([0.0, 0.0], [0.3, 0.4], dtype=np.float32)
    grad = a.grad
    total = clip_grad_norm_([a], max_norm=1.0)
    assert a.grad is grad and a.grad.dtype == np.float32
    np.testing.assert_array_equal(a.grad, np.array([0.3, 0.4], dtype=np.float32))
    assert total.item() == pytest.approx(0.5, rel=1e-6)
    clip_grad_norm_([a], max_norm=0.25)
    assert a.grad.dtype == np.float32
    np.testing.assert_allclose(a.grad, [0.15, 0.2], rtol=1e-5)
