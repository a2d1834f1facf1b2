"""SGD and Adam: steps computed by hand, PyTorch parity over several steps, bad input."""
import math

import numpy as np
import pytest

import nets
from nets.losses import mse_loss
from nets.optim import SGD, Adam
from optim_parity import assert_steps_match_torch
from tinygrad_res import Tensor


def param(values, grad):
    p = Tensor(values, requires_grad=True)
    p.grad = np.array(grad, dtype=np.float64)
    return p


@pytest.mark.task_5_1
def test_sgd_plain_step_by_hand():
    p = param([1.0, -2.0], [0.5, 0.25])
    SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [1.0 - 0.05, -2.0 - 0.025], rtol=1e-15)


@pytest.mark.task_5_1
def test_sgd_momentum_and_weight_decay_by_hand():
    p = param([1.0], [0.5])
    grad_before = p.grad
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)
    opt.step()        # g = 0.5 + 0.01 * 1 = 0.51; buf = 0.51; p = 1 - 0.051 = 0.949
    np.testing.assert_allclose(p.data, [0.949], rtol=1e-15)
    p.grad = np.array([0.2])
    opt.step()        # g = 0.2 + 0.00949 = 0.20949; buf = 0.9 * 0.51 + 0.20949 = 0.66849
    np.testing.assert_allclose(p.data, [0.949 - 0.066849], rtol=1e-14)
    assert grad_before[0] == 0.5     # the gradient array was read, never changed


def test_adam_first_steps_by_hand():
    p = param([1.0], [0.5])
    opt = Adam([p], lr=0.1)
    opt.step()        # bias-corrected m / sqrt(v) = g / |g| on step 1: a step of lr * sign(g)
    np.testing.assert_allclose(p.data, [1.0 - 0.1 * 0.5 / (0.5 + 1e-8)], rtol=1e-14)
    after_first = p.data[0]
    p.grad = np.array([-0.25])
    opt.step()
    m = 0.9 * (0.1 * 0.5) + 0.1 * -0.25                 # m_1 = 0.05, then m_2
    v = 0.999 * (0.001 * 0.25) + 0.001 * 0.0625         # v_1 = 0.00025, then v_2
    step = 0.1 / (1 - 0.9 ** 2) * m / (math.sqrt(v) / math.sqrt(1 - 0.999 ** 2) + 1e-8)
    np.testing.assert_allclose(p.data, [after_first - step], rtol=1e-13)


@pytest.mark.task_5_1
def test_parameters_without_grad_are_skipped_and_zero_grad_clears():
    a, b = param([1.0], [1.0]), Tensor([2.0], requires_grad=True)
    opt = SGD([a, b], lr=0.5, momentum=0.9)
    opt.step()
    assert b.data[0] == 2.0 and opt.state[1] == {}
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_errors_name_the_optimizer_and_value():
    p = Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="SGD: got an empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Adam: got an empty parameter list"):
        Adam(iter([]))
    with pytest.raises(ValueError, match="SGD: invalid learning rate -0.1"):
        SGD([p], lr=-0.1)
    with pytest.raises(ValueError, match="Adam: invalid learning rate nan"):
        Adam([p], lr=float("nan"))
    with pytest.raises(ValueError, match=r"Adam: invalid betas \(0.9, 1.0\)"):
        Adam([p], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="Adam: invalid eps -1"):
        Adam([p], eps=-1)
    with pytest.raises(ValueError, match="SGD: invalid momentum -0.5"):
        SGD([p], lr=0.1, momentum=-0.5)
    with pytest.raises(ValueError, match="SGD: invalid weight_decay -1"):
        SGD([p], lr=0.1, weight_decay=-1)
    with pytest.raises(TypeError, match="SGD: parameter 1 is a ndarray, expected a Tensor"):
        SGD([p, np.ones(2)], lr=0.1)
    with pytest.raises(ValueError, match="appears more than once"):
        SGD([p, p], lr=0.1)


def train_ours(make_opt, model, batches):
    opt = make_opt(model.parameters())
    for x, y in batches:
        opt.zero_grad()
        mse_loss(model(Tensor(x)), Tensor(y)).backward()
        opt.step()
    return [p.data for p in model.parameters()]


def train_torch(torch, make_opt, model, batches):
    layers = []
    for linear in model.linears():
        layer = torch.nn.Linear(linear.in_features, linear.out_features).double()
        with torch.no_grad():
            layer.weight.copy_(torch.tensor(linear.weight.data))
            layer.bias.copy_(torch.tensor(linear.bias.data))
        layers.append(layer)
    params = [p for layer in layers for p in (layer.weight, layer.bias)]
    opt = make_opt(params)
    for x, y in batches:
        opt.zero_grad()
        h = torch.tensor(x)
        for layer in layers:
            h = h + torch.relu(layer(h))
        torch.nn.functional.mse_loss(h, torch.tensor(y)).backward()
        opt.step()
    return [p.detach().numpy() for p in params]


@pytest.mark.parametrize("name, ours, theirs", [
    pytest.param("sgd", lambda p: SGD(p, lr=0.05), lambda t, p: t.optim.SGD(p, lr=0.05),
                 marks=pytest.mark.task_5_1),
    pytest.param("sgd-momentum-wd", lambda p: SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01),
                 lambda t, p: t.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01),
                 marks=pytest.mark.task_5_1),
    ("adam", lambda p: Adam(p, lr=0.01), lambda t, p: t.optim.Adam(p, lr=0.01)),
    ("adam-wd-betas", lambda p: Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6,
                                     weight_decay=0.05),
     lambda t, p: t.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)),
])
def test_matches_torch_optim_over_several_steps(torch, rng, name, ours, theirs):
    model = nets.kaiming_mlp(3, 5, residual=True, branch_scale=0.5, seed=1)
    nn_model = nets.kaiming_mlp(3, 5, residual=True, branch_scale=0.5, seed=1)
    batches = [(rng.standard_normal((8, 5)), rng.standard_normal((8, 5))) for _ in range(6)]
    expected = train_torch(torch, lambda p: theirs(torch, p), nn_model, batches)
    got = train_ours(ours, model, batches)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13, err_msg=name)
    start = nets.kaiming_mlp(3, 5, residual=True, branch_scale=0.5, seed=1)
    assert not np.allclose(got[0], next(start.parameters()).data)   # it did move


# ----- hyperparameters, the parameter group, what is refused -------------------------------
@pytest.mark.parametrize("lr", [np.float32(0.5), np.float64(0.5), np.int64(1), np.array(0.5),
                                1])
def test_a_numpy_scalar_learning_rate_is_a_number(lr):
    p = param([1.0], [0.5])
    opt = Adam([p], lr=lr)
    assert opt.lr == float(lr) and type(opt.lr) is float
    opt.step()                               # Adam's first step: lr * g / (|g| + eps)
    np.testing.assert_allclose(p.data, [1.0 - float(lr) * 0.5 / (0.5 + 1e-8)], rtol=1e-15)
    for bad in (True, "0.1", None, np.array([0.1, 0.2]), float("inf")):
        with pytest.raises(ValueError, match="SGD: invalid learning rate"):
            SGD([p], lr=bad)


@pytest.mark.parametrize("make, op", [(lambda w: w * 2, "mul"), (lambda w: w[0], "getitem"),
                                      (lambda w: w.T, "permute")],
                         ids=["op output", "row view", "transpose"])
def test_a_non_leaf_tensor_is_refused_with_pytorchs_reason(make, op):
    layer = nets.Linear(3, 2)
    with pytest.raises(ValueError, match=rf"SGD: can't optimize a non-leaf Tensor: parameter 1 "
                                         rf"is the output of {op}"):
        SGD([layer.bias, make(layer.weight)], lr=0.1)


def test_pytorch_refuses_the_same_things(torch):
    w = torch.nn.Parameter(torch.ones(2, 3))
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        torch.optim.SGD([w * 2], lr=0.1)
    with pytest.raises(TypeError, match="should be an iterable of Tensors"):
        torch.optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="SGD: params must be an iterable of Tensors"):
        SGD(Tensor(np.ones(3), requires_grad=True), lr=0.1)
    with pytest.raises(TypeError, match="parameter groups .dicts. are not supported"):
        SGD([{"params": [Tensor([1.0], requires_grad=True)]}], lr=0.1)


@pytest.mark.task_5_1
def test_hyperparameters_live_in_the_parameter_group_as_in_pytorch():
    p = param([1.0], [1.0])
    opt = SGD([p], lr=0.1, momentum=0.5)
    group = opt.param_groups[0]
    assert group["params"] == [p] and group["lr"] == 0.1 and group["momentum"] == 0.5
    group["lr"] = 0.2                      # what a scheduler does
    assert opt.lr == 0.2
    opt.lr = 0.3                           # what demos/degradation.py does
    assert group["lr"] == 0.3
    opt.step()
    np.testing.assert_allclose(p.data, [0.7])
    assert opt.defaults == {"lr": 0.1, "weight_decay": 0.0, "momentum": 0.5}
    assert Adam([p]).param_groups[0]["betas"] == (0.9, 0.999)


# ----- PyTorch parity of every variant, gradients fed to both --------------------------------
@pytest.mark.parametrize("name, ours, theirs", [
    pytest.param("sgd-momentum-wd", lambda p: SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01),
                 lambda t, p: t.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01),
                 marks=pytest.mark.task_5_1),
    ("adam-defaults", lambda p: Adam(p), lambda t, p: t.optim.Adam(p)),
    ("adam-amsgrad-wd", lambda p: Adam(p, lr=0.02, betas=(0.8, 0.95), weight_decay=0.1,
                                       amsgrad=True),
     lambda t, p: t.optim.Adam(p, lr=0.02, betas=(0.8, 0.95), weight_decay=0.1, amsgrad=True)),
    ("adam-decoupled", lambda p: Adam(p, lr=0.01, weight_decay=0.3,
                                      decoupled_weight_decay=True),
     lambda t, p: t.optim.Adam(p, lr=0.01, weight_decay=0.3, decoupled_weight_decay=True)),
])
def test_each_step_matches_torch_to_1e_12(torch, name, ours, theirs):
    assert_steps_match_torch(torch, ours, lambda p: theirs(torch, p))


def test_amsgrad_keeps_the_largest_second_moment():
    p = param([0.0], [10.0])
    opt = Adam([p], lr=0.1, betas=(0.0, 0.5), amsgrad=True)
    opt.step()                                # v = 50, v_max = 50
    p.grad = np.array([1.0])
    opt.step()                                # v = 25.5, v_max stays 50
    assert opt.state[0]["exp_avg_sq"][0] == 25.5 and opt.state[0]["max_exp_avg_sq"][0] == 50.0


def test_sgd_defaults_and_positions_as_torch(torch):
    p = Tensor([1.0], requires_grad=True)
    assert SGD([p]).lr == torch.optim.SGD([torch.ones(1, requires_grad=True)]).defaults["lr"]
    # torch.optim.SGD(params, lr, momentum, dampening, ...): a fourth positional argument is
    # its dampening, which this SGD does not have; it must not become a weight decay
    with pytest.raises(TypeError):
        SGD([p], 0.1, 0.9, 0.5)
    assert SGD([p], 0.1, 0.9, weight_decay=0.5).weight_decay == 0.5


@pytest.mark.parametrize("owner", ["module", "optimizer"])
def test_zero_grad_set_to_none_false_zeroes_in_place(torch, owner):
    model = nets.Linear(2, 1)
    opt = SGD(model.parameters(), lr=0.1)
    mse_loss(model(Tensor(np.ones((3, 2)))), Tensor(np.zeros((3, 1)))).backward()
    grad = model.weight.grad
    (model if owner == "module" else opt).zero_grad(set_to_none=False)
    assert model.weight.grad is grad and not grad.any()
    (model if owner == "module" else opt).zero_grad()
    assert model.weight.grad is None
    theirs = torch.nn.Linear(2, 1)
    theirs(torch.ones(3, 2)).sum().backward()
    theirs.zero_grad(set_to_none=False)
    assert not theirs.weight.grad.any()
