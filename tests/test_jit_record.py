"""jit_record.py: while a call is recorded, the function's own Python may not take values out
of the graph (each way is refused, naming the file and line), and the hooks are gone afterwards."""
import numpy as np
import pytest

import nets
import tinygrad_res
from nets.losses import mse_loss
from tinygrad_res import Function, JitError, Tensor, no_grad, rerun_on_replay

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
                                       r"test_jit_record.py:\d+"):
        step(X[0])


@pytest.mark.parametrize("action", ["read .data", "read .grad", "write .grad", "numpy()",
                                    "repr", "Tensor.zero_grad", "write .data", "compare",
                                    "bool", "float", "np.asarray", "logic on a mask", "in place",
                                    "requires_grad"])
def test_every_way_out_of_the_graph_is_refused(action):
    model, opt = model_and_optimizer()
    weight = model.linears()[0].weight
    mask = weight > 0.0

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
        if action == "compare":
            return weight > 0.0  # a mask computed outside the graph
        if action == "bool":
            return bool(weight[0, 0])
        if action == "float":
            return float(weight[0, 0])
        if action == "np.asarray":
            return np.asarray(weight)
        if action == "logic on a mask":
            return ~mask  # made before the call: a replay would keep it
        if action == "in place":
            with no_grad():
                weight.mul_(0.5)
        if action == "requires_grad":
            weight.requires_grad = False
        return None

    @tinygrad_res.jit
    def step(x):
        opt.zero_grad()
        mse_loss(model(x), x).backward()
        act()
        opt.step()

    with pytest.raises(JitError, match="while the call is recorded"):
        step(X[0])


def test_backward_other_than_tensor_backward_is_refused():
    w = Tensor(np.ones((3, 3)), requires_grad=True)

    @tinygrad_res.jit
    def f(x):
        return tinygrad_res.grad((x @ w).sum(), [w])[0]

    with pytest.raises(JitError, match="did not start from Tensor.backward"):
        f(X[0])


def test_hooks_are_gone_after_a_recording_and_after_an_error():
    originals = {name: Tensor.__dict__[name] for name in ("data", "grad", "item", "backward",
                                                          "requires_grad")}
    apply = Function.__dict__["apply"]
    f = tinygrad_res.jit(lambda x: x.relu().sum().item())
    with pytest.raises(JitError):
        f(X[0])
    g = tinygrad_res.jit(lambda x: x.relu().sum())
    g(X[0])
    assert Function.__dict__["apply"] is apply
    assert {name: Tensor.__dict__[name] for name in originals} == originals
    assert type(Tensor.__dict__["data"]).__name__ == "member_descriptor"
    for inherited in ("mul_", "__gt__", "__invert__"):  # from InPlaceMethods, ComparisonMethods
        assert inherited not in Tensor.__dict__


def test_a_graph_from_before_the_call_is_refused():
    outside = X[0] * Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(JitError, match="made a tensor before the jitted call"):
        tinygrad_res.jit(lambda x: (x + outside).sum())(X[1])


def test_a_rerun_method_must_return_none():
    class Counter:
        @rerun_on_replay
        def bump(self):
            return 1

    counter = Counter()
    assert counter.bump() == 1  # outside a recording: an ordinary call
    with pytest.raises(JitError, match="returned a value"):
        tinygrad_res.jit(lambda x: counter.bump())(X[0])
