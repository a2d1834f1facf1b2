"""function.py: backprop (deep graphs, reuse at a skip connection, accumulation, detach) and
topological_order on its own."""
import re

import numpy as np
import pytest

from tinygrad_res import Tensor, topological_order


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


@pytest.mark.task_3_2
def test_detach_cuts_the_graph_and_shares_data():
    x = Tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf and d.data is x.data
    (d * x).sum().backward()  # only the path through x itself carries a gradient
    np.testing.assert_array_equal(x.grad, [1.0, 2.0])
    assert d.grad is None


# ----- topological_order on its own, without running any backward -------------------------
def assert_inputs_come_first(order):
    position = {id(node): i for i, node in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)], (parent, node)


@pytest.mark.task_3_1
def test_diamond_lists_the_shared_node_once_before_both_users():
    x = Tensor(0.5, requires_grad=True, name="x")
    h = x * 3.0
    left, right = h * h, h.exp()
    z = left + right
    order = topological_order(z)
    # x, the constant 3.0, h, left, right, z
    assert len(order) == len({id(n) for n in order}) == 6
    assert order[0] is x and order[-1] is z
    assert_inputs_come_first(order)


@pytest.mark.task_3_1
def test_skip_connection_block():
    # y = x + relu(w * x): x feeds the branch and the skip path
    x = Tensor([1.0, -2.0], requires_grad=True)
    w = Tensor([0.5, 0.5], requires_grad=True)
    product = w * x
    branch = product.relu()
    y = x + branch
    order = topological_order(y)
    assert {id(n) for n in order} == {id(t) for t in (x, w, product, branch, y)}
    assert len(order) == 5
    assert_inputs_come_first(order)


@pytest.mark.task_3_1
def test_constants_are_listed_once_before_their_users():
    x = Tensor([1.0, 2.0], requires_grad=True)
    constant = Tensor([3.0, 4.0])
    twice = constant * 2.0  # no input needs a gradient: a constant, not an op in the graph
    product = x * constant
    total = product + twice
    y = total.sum()
    order = topological_order(y)
    assert sum(node is constant for node in order) == 1
    assert {id(n) for n in order} == {id(t) for t in (x, constant, product, twice, total, y)}
    assert order[0] is x and order[-1] is y
    assert_inputs_come_first(order)


@pytest.mark.task_3_1
def test_a_leaf_alone():
    x = Tensor(1.0, requires_grad=True)
    assert topological_order(x) == [x]


@pytest.mark.task_3_1
def test_a_chain_of_20000_ops_needs_no_recursion():
    # ten times Python's default recursion limit: a recursive walk would fail here
    x0 = Tensor(1.0, requires_grad=True)
    x, chain = x0, [x0]
    for _ in range(10_000):
        scaled = x * 1e-4
        x = x + scaled
        chain += [scaled, x]
    order = topological_order(x)
    assert len(order) == len(chain) + 10_000  # and one constant 1e-4 per mul
    assert order[0] is x0 and order[-1] is x
    assert_inputs_come_first(order)
