"""Hidden tests of assignment 4 (never in a handout; `grade` and the autograder run them).

Seed 000's list-of-floats backprop, retyped from the seed text, lives here: shipped, it
would be the whole of task 4.2 in pure Python.
"""
import numpy as np
import pytest

import nets
from nets.losses import mse_loss
from nets.manual_mlp import mlp_backward, mlp_forward, mlp_loss_and_grads
from tinygrad_res import Tensor


@pytest.mark.task_4_1
def test_a_residual_layer_whose_branch_is_off_is_the_identity_and_passes_the_gradient_on():
    layer = nets.ResMLP(1, 3, seed=0).layers[0]
    layer.linear.bias.data[:] = -100.0  # relu(W x + b) = 0 for these x
    x = Tensor(np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]]), requires_grad=True)
    out = layer(x)
    np.testing.assert_array_equal(out.data, x.data)
    g = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]])
    out.backward(g)
    np.testing.assert_array_equal(x.grad, g)  # the skip: d out / d x = I
    np.testing.assert_array_equal(layer.linear.weight.grad, np.zeros((3, 3)))


@pytest.mark.task_4_1
def test_a_residual_layer_adds_its_branch_to_the_input():
    layer = nets.ResMLP(1, 2, seed=0).layers[0]
    layer.linear.weight.data[:] = [[1.0, 0.0], [0.0, -1.0]]
    layer.linear.bias.data[:] = [0.5, 0.5]
    x = Tensor(np.array([[1.0, 2.0], [-3.0, -1.0]]), requires_grad=True)
    out = layer(x)
    branch = np.maximum(x.data @ layer.linear.weight.data.T + 0.5, 0.0)
    np.testing.assert_array_equal(out.data, x.data + branch)
    out.backward(np.ones((2, 2)))
    # d out_j / d x_i = 1[i == j] + W_ji where the branch is on
    on = branch > 0
    np.testing.assert_array_equal(x.grad, 1.0 + on @ layer.linear.weight.data)


@pytest.mark.task_4_1
def test_a_residual_mlp_keeps_float32_and_a_batch_of_any_shape():
    model = nets.ResMLP(3, 4, seed=1)
    for p in model.parameters():
        p.data = p.data.astype(np.float32)
    x = np.random.default_rng(2).standard_normal((2, 5, 4)).astype(np.float32)
    out = model(Tensor(x))
    assert out.dtype == np.float32 and out.shape == (2, 5, 4)
    expected = x.astype(np.float64)
    for layer in model.linears():
        w, b = layer.weight.data.astype(np.float64), layer.bias.data.astype(np.float64)
        expected = expected + np.maximum(expected @ w.T + b, 0.0)
    np.testing.assert_allclose(out.data, expected, rtol=1e-5, atol=1e-5)


def engine_gradients(model, x, target):
    model.zero_grad()
    x_t = Tensor(x, requires_grad=True)
    loss = mse_loss(model(x_t), Tensor(target))
    loss.backward()
    return loss.item(), [p.grad for p in model.parameters()], x_t.grad


def weights_and_biases(model):
    return [l.weight.data for l in model.linears()], [l.bias.data for l in model.linears()]


@pytest.mark.task_4_2
@pytest.mark.parametrize("residual", [False, True], ids=["plain", "residual"])
def test_hand_written_backprop_on_a_target_that_is_not_the_input(residual):
    rng = np.random.default_rng(3)
    model = (nets.ResMLP if residual else nets.PlainMLP)(4, 5, seed=4)
    x, target = rng.standard_normal((6, 5)), rng.standard_normal((6, 5))
    weights, biases = weights_and_biases(model)
    loss, grads = mlp_loss_and_grads(weights, biases, x, target, residual)
    expected_loss, expected_grads, _ = engine_gradients(model, x, target)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    for got, expected in zip(grads, expected_grads):
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-13)


@pytest.mark.task_4_2
@pytest.mark.parametrize("residual", [False, True], ids=["plain", "residual"])
def test_hand_written_backprop_returns_the_input_gradient(residual):
    rng = np.random.default_rng(5)
    model = (nets.ResMLP if residual else nets.PlainMLP)(3, 4, seed=6)
    x, target = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    weights, biases = weights_and_biases(model)
    pre, acts = mlp_forward(weights, biases, x, residual)
    assert len(pre) == 3 and len(acts) == 4 and acts[0] is not None
    delta = 2.0 * (acts[-1] - target) / target.size
    _, grad_x = mlp_backward(weights, pre, acts, delta, residual)
    _, _, expected = engine_gradients(model, x, target)
    np.testing.assert_allclose(grad_x, expected, rtol=1e-9, atol=1e-13)


@pytest.mark.task_4_2
def test_hand_written_forward_records_every_layer():
    weights = [np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[0.5, 0.5], [-1.0, 1.0]])]
    biases = [np.array([0.0, -1.0]), np.array([1.0, 0.0])]
    x = np.array([[1.0, 2.0]])
    for residual in (False, True):
        pre, acts = mlp_forward(weights, biases, x, residual)
        np.testing.assert_array_equal(pre[0], [[-1.0, 1.0]])
        first = np.array([[0.0, 1.0]]) + (x if residual else 0.0)
        np.testing.assert_array_equal(acts[1], first)
        np.testing.assert_array_equal(pre[1], first @ weights[1].T + biases[1])
        second = np.maximum(pre[1], 0.0) + (first if residual else 0.0)
        np.testing.assert_array_equal(acts[2], second)


@pytest.mark.task_4_2
@pytest.mark.parametrize("residual", [False, True], ids=["plain", "residual"])
def test_hand_written_backprop_keeps_float32(residual):
    rng = np.random.default_rng(7)
    weights = [rng.standard_normal((3, 3)).astype(np.float32) for _ in range(2)]
    biases = [rng.standard_normal(3).astype(np.float32) for _ in range(2)]
    x = rng.standard_normal((4, 3)).astype(np.float32)
    pre, acts = mlp_forward(weights, biases, x, residual)
    assert all(a.dtype == np.float32 for a in pre + acts)
    loss, grads = mlp_loss_and_grads(weights, biases, x, x, residual)
    assert all(g.dtype == np.float32 for g in grads)


@pytest.mark.task_4_2
def test_a_pre_activation_of_exactly_zero_passes_no_gradient():
    # relu'(0) = 0, as in the engine and seed 000
    weights, biases = [np.eye(2)], [np.array([-1.0, 0.0])]
    x = np.array([[1.0, 3.0]])  # pre-activations [0, 3]
    for residual in (False, True):
        _, grads = mlp_loss_and_grads(weights, biases, x, np.zeros((1, 2)), residual)
        out = np.array([[0.0, 3.0]]) + (x if residual else 0.0)
        d_pre = np.array([[0.0, 1.0]]) * out  # 2 (out - 0) / 2, where the pre-activation > 0
        np.testing.assert_array_equal(grads[0], d_pre.T @ x)
        np.testing.assert_array_equal(grads[1], d_pre[0])


@pytest.mark.task_4_2
def test_manual_mlp_matches_seed000_per_sample_code(rng):
    """The vectorised manual backprop equals seed 000's list-of-floats code, one sample."""
    model = nets.seed000_network(4, residual=True, width=3)
    x = rng.standard_normal(3)
    _, grads = nets.manual.loss_and_grads(model, x[None, :], x[None, :])
    network = [(layer.weight.data.tolist(), layer.bias.data.tolist())
               for layer in model.linears()]
    expected = seed000_backward(network, x.tolist(), residual=True)
    for i, (gw, gb) in enumerate(expected):
        np.testing.assert_allclose(grads[2 * i], gw, rtol=1e-12)
        np.testing.assert_allclose(grads[2 * i + 1], gb, rtol=1e-12, atol=1e-300)


def seed000_backward(network, inputs, residual):
    """Seed 000's forward_pass and backward_pass, retyped from the text (pure Python)."""
    activations, pre_activations = [list(inputs)], []
    for weights, biases in network:
        previous = activations[-1]
        pre = [sum(w * v for w, v in zip(row, previous)) + b for row, b in zip(weights, biases)]
        post = [v if v > 0.0 else 0.0 for v in pre]
        if residual:
            post = [a + b for a, b in zip(post, previous)]
        pre_activations.append(pre)
        activations.append(post)
    output = activations[-1]
    delta = [2.0 * (o - t) / len(output) for o, t in zip(output, inputs)]
    gradients = []
    for layer_index in range(len(network) - 1, -1, -1):
        weights, _ = network[layer_index]
        previous = activations[layer_index]
        d_pre = [d * (1.0 if p > 0.0 else 0.0) for d, p in zip(delta, pre_activations[layer_index])]
        gradients.append(([[d * a for a in previous] for d in d_pre], list(d_pre)))
        new_delta = [0.0] * len(previous)
        for i, g in enumerate(d_pre):
            for j, w in enumerate(weights[i]):
                new_delta[j] += w * g
        if residual:
            new_delta = [a + b for a, b in zip(new_delta, delta)]
        delta = new_delta
    gradients.reverse()
    return gradients


