"""trace_backward / trace_forward: one step per op, the right gradients, accumulation shown."""
import numpy as np
import pytest

from tinygrad_res import Tensor, viz


def named_tensors(root) -> dict:
    """name -> tensor for every named tensor in root's graph (a walk of our own)."""
    found, stack = {}, [root]
    while stack:
        t = stack.pop()
        if t.name and t.name not in found:
            found[t.name] = t
            stack.extend(t.parents)
        elif not t.name:
            stack.extend(t.parents)
    return found


def test_one_backward_step_per_op_in_backward_order():
    loss = viz.residual_mlp_example(blocks=2)
    steps = list(viz.trace_backward(loss))
    # per block linear, relu, add; then sub, pow, mean: 9 ops, the loss's own op first
    assert [s.op for s in steps] == ["mean", "pow", "sub", "add", "relu", "linear",
                                     "add", "relu", "linear"]
    assert [s.index for s in steps] == list(range(9))
    assert steps[0].output.name == "loss" and steps[0].grad_output == 1.0


def test_the_last_frame_holds_what_backward_puts_in_grad():
    loss = viz.residual_mlp_example(blocks=3, width=4, batch=5, seed=7)
    steps = list(viz.trace_backward(loss))
    final = viz.gradients_after(steps)
    names = {s.to.id: s.to.name for step in steps for s in step.sent}
    names[steps[0].output.id] = "loss"
    tensors = named_tensors(loss)
    assert all(t.grad is None for t in tensors.values())  # tracing writes no .grad
    loss.backward()
    assert {names[i] for i in final} == {n for n, t in tensors.items() if t.requires_grad}
    for tensor_id, grad in final.items():
        np.testing.assert_allclose(grad, tensors[names[tensor_id]].grad, rtol=1e-12)


def test_hand_derived_steps_for_a_times_b_plus_a():
    # y = sum(a * b + a). add sends 1 to a*b and 1 to a (a skip: a also feeds a*b);
    # mul then sends b to a (a's second share: 1 + b) and a to b.
    a = Tensor([2.0, -1.0], requires_grad=True, name="a")
    b = Tensor([5.0, 3.0], requires_grad=True, name="b")
    steps = list(viz.trace_backward((a * b + a).sum()))
    add, mul = steps[1], steps[2]
    assert (add.op, mul.op) == ("add", "mul")
    to_a = add.sent[1]
    assert to_a.to.name == "a" and to_a.via_skip and not to_a.accumulated
    np.testing.assert_array_equal(to_a.contribution, [1.0, 1.0])
    first, second = mul.sent
    assert first.to.name == "a" and first.accumulated and not first.via_skip
    np.testing.assert_array_equal(first.previous, [1.0, 1.0])
    np.testing.assert_array_equal(first.contribution, [5.0, 3.0])
    np.testing.assert_array_equal(first.total, [6.0, 4.0])
    np.testing.assert_array_equal(second.contribution, [2.0, -1.0])
    assert mul.rule == "mul: each input gets the gradient times the other input"
    assert mul.formula == "dz/da = b   dz/db = a"


def test_a_residual_block_shows_the_skip_gradient_being_added():
    loss = viz.residual_mlp_example(blocks=2)
    steps = list(viz.trace_backward(loss))
    skips = [(step.op, s.to.name) for step in steps for s in step.sent if s.via_skip]
    assert skips == [("add", "h1"), ("add", "x")]
    accumulations = [(step.op, s) for step in steps for s in step.sent if s.accumulated]
    assert [(op, s.to.name) for op, s in accumulations] == [("linear", "h1"), ("linear", "x")]
    for _, sent in accumulations:  # the skip's share, then the share through F, summed
        np.testing.assert_allclose(sent.total, sent.previous + sent.contribution)


def test_broadcast_inputs_show_the_summing():
    x = Tensor(np.ones((4, 3)), requires_grad=True)
    b = Tensor([1.0, 2.0, 3.0], requires_grad=True, name="b")
    add = list(viz.trace_backward((x + b).sum()))[1]
    to_b = add.sent[1]
    assert to_b.broadcast_from == (4, 3)
    np.testing.assert_array_equal(to_b.contribution, [4.0, 4.0, 4.0])  # 4 rows summed
    assert add.sent[0].broadcast_from is None


def test_constants_receive_nothing():
    w = Tensor([1.0], requires_grad=True)
    mul = list(viz.trace_backward((w * 3.0).sum()))[1]
    assert mul.op == "mul" and mul.sent[1].contribution is None and mul.sent[1].total is None


def test_forward_steps_replay_the_ops_in_order():
    loss = viz.residual_mlp_example(blocks=2)
    steps = list(viz.trace_forward(loss))
    assert [s.op for s in steps] == ["linear", "relu", "add", "linear", "relu", "add",
                                     "sub", "pow", "mean"]
    tensors = named_tensors(loss)
    for step in steps:
        np.testing.assert_array_equal(step.value, tensors[step.output.name].data)
        for ref, value in zip(step.inputs, step.input_values):
            np.testing.assert_array_equal(value, tensors[ref.name].data)
    assert steps[2].formula == "z = a + b" and steps[2].scope == "block1"
    made_before = set()
    for step in steps:  # every input is a leaf or was made by an earlier step
        assert all(ref.id in made_before or tensors[ref.name].is_leaf for ref in step.inputs)
        made_before.add(step.output.id)


def test_ids_match_the_drawing():
    pytest.importorskip("graphviz")
    loss = viz.residual_mlp_example(blocks=1)
    source = viz.draw_graph(loss).source
    for step in viz.trace_backward(loss):
        assert f"{step.op_id} [label={step.op} " in source
        assert f'{step.output.id} [label="{step.output.name}|' in source


def test_a_tensor_without_grad_has_no_backward_trace():
    with pytest.raises(RuntimeError, match="trace_backward: this tensor does not require grad"):
        next(viz.trace_backward(Tensor([1.0]) * 2))


def test_a_step_shows_the_ops_own_rule_and_formula():
    from tinygrad_res import ops
    x = Tensor([-1.0, 2.0], requires_grad=True)
    (step,) = [s for s in viz.trace_backward(x.leaky_relu(0.1).sum()) if s.op == "leaky_relu"]
    assert step.rule == "leaky_relu: " + ops.LeakyReLU.rule
    assert step.formula == "dz/da = 1 where a > 0, else slope"
    np.testing.assert_allclose(step.sent[0].contribution, [0.1, 1.0])
