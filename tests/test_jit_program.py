"""jit_program.py: the replay's source, and why two recordings cannot share one (an op, a
constant or a tensor made inside differs, or a numpy argument never reaches an op)."""
import numpy as np
import pytest

import tinygrad_res
from nets.losses import mse_loss
from tinygrad_res import JitError, Tensor

X = [Tensor(np.full((2, 3), 0.5 * i - 1.0)) for i in range(4)]


def replayed(fn, *args):
    """`fn` under jit, called three times (recorded, recorded, replayed)."""
    jitted = tinygrad_res.jit(fn)
    for _ in range(3):
        jitted(*args)
    assert jitted.replayed_calls == 1
    return jitted


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


def test_a_tensor_with_requires_grad_made_inside_is_refused():
    @tinygrad_res.jit
    def f(x):
        return (x * Tensor(np.ones(3), requires_grad=True)).sum()

    f(X[0])
    with pytest.raises(JitError, match="requires_grad=True is made inside"):
        f(X[1])


def test_the_source_fits_gradients_only_where_eager_mode_did():
    """b (3,) is broadcast over the batch: its gradient is summed down (fit_gradient); w's and
    the leaf copy rules need nothing here. Variables are deleted after their last use."""
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.zeros(3), requires_grad=True)

    def step(x):
        loss = ((x * w + b).relu() * 3.0).sum()
        loss.backward()
        return loss

    source = replayed(step, X[3]).source
    fits = [line for line in source.splitlines() if "fit_gradient(" in line]
    assert len(fits) == 1 and "d_w1 = fit_gradient(r1, target0, d_add1)" in fits[0]
    assert "add1 = op1.forward(mul0, w1.data)" in source
    assert "sum4 = asarray(op4.forward(mul3, axis=None, keepdims=False))" in source
    assert "w1.grad = d_w1 if w1.grad is None else w1.grad + d_w1; del d_w1" in source
    assert source.rstrip().endswith("return detached(sum4, None)")


def test_options_are_written_as_literals_or_named_constants():
    index = (slice(0, 2), np.array([2, 0]))
    source = replayed(lambda x: x[index].reshape(4).sum(axis=(0,), keepdims=True), X[2]).source
    assert "op0.forward(x0.data, index=(slice(0, 2, None), k0))" in source
    assert "op1.forward(getitem0, shape=(4,))" in source


def test_class_labels_and_a_tensor_index_are_this_calls():
    """cross_entropy's labels (a numpy argument) and an index Tensor argument reach ops as
    options; the replay hands on each call's, so a replay of new labels gives eager's loss."""
    from nets.losses import cross_entropy

    f = tinygrad_res.jit(lambda logits, labels: cross_entropy(logits, labels))
    rng = np.random.default_rng(0)
    for _ in range(4):
        logits, labels = Tensor(rng.normal(size=(5, 3))), rng.integers(0, 3, size=5)
        assert f(logits, labels).item() == cross_entropy(logits, labels).item()
    assert f.replayed_calls == 2 and "a1" in f.source


def test_a_boolean_mask_that_may_change_is_refused():
    mask = Tensor(np.array([1.0, -1.0, 1.0])) > 0.0  # a bool tensor (made outside the function)
    with pytest.raises(JitError, match="boolean mask that may change"):
        tinygrad_res.jit(lambda x, m: x[:, m].sum())(X[0], mask)
    held = tinygrad_res.jit(lambda x: x[:, mask].sum())  # the same mask object in every call
    held(X[0])
    with pytest.raises(JitError, match="boolean mask that may change"):
        held(X[1])
