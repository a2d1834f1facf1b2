"""What tinygrad_res.jit refuses to replay, with an error naming why, and what it leaves alone:
no hook stays on the engine after a recording, anomaly mode runs eagerly."""
import numpy as np
import pytest

import nets
import tinygrad_res
from nets.losses import mse_loss
from tinygrad_res import Function, JitError, Tensor, detect_anomaly, rerun_on_replay

X = [Tensor(np.full((2, 3), 0.5 * i - 1.0)) for i in range(4)]


def model_and_optimizer():
    model = nets.kaiming_mlp(2, 3, residual=True, seed=0)
    return model, nets.optim.SGD(list(model.parameters()), lr=0.1)


def test_reading_a_value_inside_is_refused_on_the_first_call():
    model, opt = model_and_optimizer()

    @tinygrad_res.jit
    def step(x):
        loss = mse_loss(model(x), x)
        if loss.item() > 0.1:  # control flow on the data: a replay would always take one branch
            loss = loss * 2.0
        return loss

    with pytest.raises(JitError, match=r"step: the step calls item\(\) on a tensor at .*"
                                       r"test_jit_errors.py:\d+"):
        step(X[0])


@pytest.mark.parametrize("action", ["read .data", "read .grad", "write .grad", "numpy()",
                                    "repr", "Tensor.zero_grad", "write .data"])
def test_every_way_out_of_the_graph_is_refused(action):
    model, opt = model_and_optimizer()
    weight = model.linears()[0].weight

    def act():
        if action == "read .data":
            return weight.data.sum()
        if action == "read .grad":
            return weight.grad
        if action == "write .grad":
            weight.grad = weight.grad * 0.5
        if action == "numpy()":
            return weight.numpy()
        if action == "repr":
            return repr(weight)
        if action == "Tensor.zero_grad":
            weight.zero_grad()
        if action == "write .data":
            weight.data = weight.data
        return None

    @tinygrad_res.jit
    def step(x):
        opt.zero_grad()
        mse_loss(model(x), x).backward()
        act()
        opt.step()

    with pytest.raises(JitError, match="while the call is recorded"):
        step(X[0])


def test_control_flow_on_a_counter_is_caught_by_comparing_two_recordings():
    calls = [0]

    @tinygrad_res.jit
    def f(x):
        calls[0] += 1
        return x.relu() if calls[0] % 2 else x.tanh()

    assert np.array_equal(f(X[1]).data, X[1].relu().data)
    with pytest.raises(JitError, match=r"different operations.*relu.*tanh"):
        f(X[2])
    with pytest.raises(JitError, match="different operations"):  # and stays refused
        f(X[3])


def test_a_constant_computed_from_data_outside_the_graph_is_caught():
    scale = {"values": np.array([1.0, 2.0, 3.0])}

    @tinygrad_res.jit
    def f(x):
        return x * Tensor(scale["values"])  # a copy: the jit sees a new constant tensor

    f(X[0])
    scale["values"] = scale["values"] + 1.0
    with pytest.raises(JitError, match="holds different values in the two calls"):
        f(X[1])


def test_a_numpy_argument_must_reach_an_op_as_itself():
    @tinygrad_res.jit
    def f(x, target):
        return mse_loss(x, Tensor(target))  # copied into a Tensor: the replay could not swap it

    with pytest.raises(JitError, match="argument 1 is a numpy array that no op received"):
        f(X[0], np.zeros((2, 3)))


def test_backward_other_than_tensor_backward_is_refused():
    w = Tensor(np.ones((3, 3)), requires_grad=True)

    @tinygrad_res.jit
    def f(x):
        return tinygrad_res.grad((x @ w).sum(), [w])[0]

    with pytest.raises(JitError, match="did not start from Tensor.backward"):
        f(X[0])


def test_graph_from_before_the_call_and_tensor_made_inside_with_grad():
    outside = X[0] * Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(JitError, match="made a tensor before the jitted call"):
        tinygrad_res.jit(lambda x: (x + outside).sum())(X[1])

    @tinygrad_res.jit
    def f(x):
        return (x * Tensor(np.ones(3), requires_grad=True)).sum()

    f(X[0])
    with pytest.raises(JitError, match="requires_grad=True is made inside"):
        f(X[1])


def test_rerun_method_must_return_none_and_argument_must_be_hashable():
    class Counter:
        @rerun_on_replay
        def bump(self):
            return 1

    counter = Counter()
    assert counter.bump() == 1  # outside a recording: an ordinary call
    with pytest.raises(JitError, match="returned a value"):
        tinygrad_res.jit(lambda x: counter.bump())(X[0])
    with pytest.raises(JitError, match="neither a Tensor"):
        tinygrad_res.jit(lambda x, options: x)(X[0], {"lr", "momentum"})  # a set


def test_hooks_are_gone_after_a_recording_and_after_an_error():
    originals = {name: Tensor.__dict__[name] for name in ("data", "grad", "item", "backward")}
    apply = Function.__dict__["apply"]
    f = tinygrad_res.jit(lambda x: x.relu().sum().item())
    with pytest.raises(JitError):
        f(X[0])
    g = tinygrad_res.jit(lambda x: x.relu().sum())
    g(X[0])
    assert Function.__dict__["apply"] is apply
    assert {name: Tensor.__dict__[name] for name in originals} == originals
    assert type(Tensor.__dict__["data"]).__name__ == "member_descriptor"


def test_anomaly_mode_runs_eagerly_and_still_finds_the_op():
    f = tinygrad_res.jit(lambda x: (x.log() * 0.0).sum())
    for x in X[:3]:
        f(Tensor(np.abs(x.data) + 1.0))
    with detect_anomaly(), pytest.raises(tinygrad_res.AnomalyError, match="log"):
        f(Tensor(np.zeros((2, 3)), requires_grad=True)).data
    assert f.recorded_calls == 2
