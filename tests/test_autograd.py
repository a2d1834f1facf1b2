"""backward(): deep graphs, reuse (the skip connection), accumulation, no_grad, detach."""
import re
import threading

import numpy as np
import pytest

from tinygrad_res import Tensor, enable_grad, is_grad_enabled, no_grad


@pytest.mark.task_3_2
def test_deep_residual_chain_has_no_recursion_limit():
    # x_{k+1} = x_k + a x_k = (1 + a) x_k, so x_n = (1 + a)^n x_0 and dx_n/dx_0 = (1 + a)^n.
    # 10,000 steps make 20,000 ops: ten times Python's default recursion limit.
    steps, a = 10_000, 1e-4
    x0 = Tensor(0.5, requires_grad=True)
    x = x0
    for _ in range(steps):
        x = x + a * x
    x.backward()
    np.testing.assert_allclose(x.item(), 0.5 * (1 + a) ** steps, rtol=1e-9)
    np.testing.assert_allclose(x0.grad, (1 + a) ** steps, rtol=1e-9)


@pytest.mark.task_3_2
def test_skip_connection_accumulates_both_paths():
    # y = x + relu(w x): dy/dx = 1 + w [w x > 0], dy/dw = x [w x > 0]
    x = Tensor([2.0, -1.0, 3.0], requires_grad=True)
    w = Tensor([0.5, 0.5, -2.0], requires_grad=True)
    y = x + (w * x).relu()
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.5, 1.0, 1.0])
    np.testing.assert_array_equal(w.grad, [2.0, 0.0, 0.0])


@pytest.mark.task_3_2
def test_tensor_used_twice_in_one_op():
    x = Tensor([1.0, -2.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, -4.0])


@pytest.mark.task_3_2
def test_diamond_graph():
    # h = 3x feeds both branches: z = h^2 + exp(h), dz/dx = 3 (2h + exp(h))
    x = Tensor(0.2, requires_grad=True)
    h = x * 3.0
    z = h * h + h.exp()
    z.backward()
    np.testing.assert_allclose(x.grad, 3 * (2 * 0.6 + np.exp(0.6)))
    np.testing.assert_allclose(h.grad, 2 * 0.6 + np.exp(0.6))


@pytest.mark.task_3_2
def test_intermediate_tensors_get_grad():
    x = Tensor([0.5, -1.0], requires_grad=True)
    h = x * 2.0
    s = h.tanh().sum()
    loss = s * 3.0
    loss.backward()
    np.testing.assert_allclose(h.grad, 3.0 * (1 - np.tanh(h.data) ** 2))
    np.testing.assert_allclose(x.grad, 2.0 * h.grad)
    for t in (x, h, s, loss):
        assert isinstance(t.grad, np.ndarray) and t.grad.shape == t.shape
    np.testing.assert_array_equal(s.grad, 3.0)
    np.testing.assert_array_equal(loss.grad, 1.0)


@pytest.mark.task_3_2
def test_constants_get_no_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


@pytest.mark.task_3_2
def test_gradients_accumulate_over_two_backward_calls():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    y = h.sum()
    y.backward()
    y.backward()
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])
    np.testing.assert_array_equal(h.grad, [2.0, 2.0])


@pytest.mark.task_3_2
def test_zero_grad_resets():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3.0).sum().backward()
    x.zero_grad()
    assert x.grad is None
    (x * 5.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [5.0, 5.0])


@pytest.mark.task_3_2
def test_leaf_grad_is_its_own_array():
    # optimizers update .grad in place; that must not change what other nodes hold
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x + 0.0
    h.sum().backward()
    x.grad *= 10
    np.testing.assert_array_equal(h.grad, [1.0, 1.0])


@pytest.mark.task_3_2
def test_backward_with_explicit_grad():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).backward(np.array([1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, -6.0])
    x.grad = None
    (x * 2.0).backward(Tensor([1.0, 1.0, 1.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])


def test_backward_errors():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=re.escape(
            "backward: grad can be implied only for a scalar output, got shape (3,)")):
        (x * 2.0).backward()
    with pytest.raises(ValueError, match=re.escape(
            "backward: grad has shape (2,) but the output has shape (3,)")):
        (x * 2.0).backward(np.ones(2))
    with pytest.raises(RuntimeError, match="backward: this tensor does not require grad"):
        Tensor([1.0, 2.0]).sum().backward()


def test_no_grad_records_nothing():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2.0 + 1.0
        with enable_grad():
            z = x * 2.0
    assert is_grad_enabled()
    assert not y.requires_grad and y.is_leaf and y.op is None and y.parents == ()
    np.testing.assert_array_equal(y.data, [3.0, 5.0])
    assert z.requires_grad and z.op == "mul"
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()


def test_no_grad_is_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            1 / 0
    assert is_grad_enabled()


def test_no_grad_is_thread_local():
    # another thread sits inside no_grad() while this thread records a graph
    entered, release = threading.Event(), threading.Event()
    seen_in_thread = []

    def worker():
        with no_grad():
            seen_in_thread.append(is_grad_enabled())
            entered.set()
            release.wait(timeout=10)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert entered.wait(timeout=10)
        x = Tensor([1.0], requires_grad=True)
        y = x * 2.0
        assert is_grad_enabled() and y.requires_grad and y.op == "mul"
    finally:
        release.set()
        thread.join()
    assert seen_in_thread == [False]


@pytest.mark.task_3_2
def test_detach_cuts_the_graph_and_shares_data():
    x = Tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf and d.data is x.data
    (d * x).sum().backward()  # only the path through x itself carries a gradient
    np.testing.assert_array_equal(x.grad, [1.0, 2.0])
    assert d.grad is None
