"""topological_order on its own, without running any backward: what backprop relies on."""
import pytest

from tinygrad_res import Tensor, topological_order


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
