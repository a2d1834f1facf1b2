"""Probes read activation std and gradient norms per layer, checked against nets.manual."""
import re

import numpy as np
import pytest

import nets
from nets.losses import mse_loss
from nets.manual import mlp_backward, mlp_forward
from nets.probes import Probe, probe_layers, weight_grad_norms
from tinygrad_res import Tensor


def manual_layer_stats(model, x, residual):
    """Per layer, by hand: output std, branch std, pre-activation std, || dL/d output ||."""
    weights = [layer.weight.data for layer in model.linears()]
    biases = [layer.bias.data for layer in model.linears()]
    pre, act = mlp_forward(weights, biases, x, residual)
    delta = 2 * (act[-1] - x) / x.size
    output_grad_norms = []
    for i in range(1, len(act)):      # dL/d act[i] = backward through layers i+1 .. L
        _, grad = mlp_backward(weights[i:], pre[i:], act[i:], delta, residual)
        output_grad_norms.append(np.linalg.norm(grad))
    return ([a.std() for a in act[1:]], [np.maximum(p, 0).std() for p in pre],
            [p.std() for p in pre], output_grad_norms)


@pytest.mark.parametrize("residual", [False, True])
def test_layer_probes_match_hand_computation(residual, rng):
    model = nets.seed001_network(residual=residual, depth=6, width=16, seed=0)
    x = rng.uniform(-1, 1, (32, 16))
    probes = {part: probe_layers(model, part) for part in ("output", "branch", "pre")}
    for probe in probes.values():
        probe.__enter__()
    loss = mse_loss(model(Tensor(x)), Tensor(x))
    loss.backward()
    for probe in probes.values():
        probe.__exit__(None, None, None)
    out_std, branch_std, pre_std, grad_norms = manual_layer_stats(model, x, residual)
    np.testing.assert_allclose(probes["output"].activation_std(), out_std, rtol=1e-10)
    np.testing.assert_allclose(probes["branch"].activation_std(), branch_std, rtol=1e-10)
    np.testing.assert_allclose(probes["pre"].activation_std(), pre_std, rtol=1e-10)
    np.testing.assert_allclose(probes["output"].grad_norm(), grad_norms, rtol=1e-10)
    _, manual_grads = nets.manual.loss_and_grads(model, x, x)
    np.testing.assert_allclose(weight_grad_norms(model),
                               [np.linalg.norm(g) for g in manual_grads[::2]], rtol=1e-10)


def test_probe_shows_plain_signal_dying_and_residual_surviving(rng):
    """Seed 001's diagnosis at depth 20: the plain net's activations die going forward and the
    gradient w.r.t. each layer's output dies going backward (its weight gradients, dL/dout
    times the tiny activations, are all tiny); the residual stream and gradients survive."""
    x = rng.uniform(-1, 1, (64, 64))
    stats = {}
    for residual in (False, True):
        model = nets.seed001_network(residual=residual, seed=0)
        with probe_layers(model) as probe:
            mse_loss(model(Tensor(x)), Tensor(x)).backward()
        stats[residual] = (probe.activation_std(), probe.grad_norm(),
                           weight_grad_norms(model))
    plain_std, plain_out_grads, plain_weight_grads = stats[False]
    res_std, res_out_grads, res_weight_grads = stats[True]
    assert plain_std[-1] < 1e-6 * plain_std[0]
    assert plain_out_grads[0] < 1e-6 * plain_out_grads[-1]
    assert plain_weight_grads.max() < 1e-10
    assert res_std.min() > 0.3
    assert res_out_grads.min() > 0.05 and res_weight_grads.min() > 1.0


def test_probe_leaves_the_network_unchanged_and_detaches(rng):
    model = nets.ResidualStack(3, 4, block="preact", seed=0)
    x = Tensor(rng.standard_normal((2, 4)))
    before = model(x).data
    with Probe({"first": model.blocks[0], "last": model.blocks[2]}) as probe:
        during = model(x).data
    np.testing.assert_array_equal(before, during)
    assert list(probe.outputs) == ["first", "last"]
    assert all(not block._forward_hooks for block in model.blocks)


def test_probe_errors():
    model = nets.ResMLP(2, 3)
    with pytest.raises(ValueError, match="Probe: no modules to watch"):
        Probe([])
    with pytest.raises(TypeError, match="Probe: '0' is a int, expected a Module"):
        Probe([3])
    with pytest.raises(ValueError, match="part must be one of .* got 'post'"):
        probe_layers(model, "post")
    probe = probe_layers(model)
    with pytest.raises(RuntimeError, match="module.s. layers.0, layers.1 produced no output"):
        probe.activation_std()
    with probe:
        model(Tensor(np.ones((1, 3))))
    with pytest.raises(RuntimeError, match="the output of module layers.0 has no gradient"):
        probe.grad_norm()
    with pytest.raises(RuntimeError, match="weight_grad_norms: layers.0.linear.weight has no "
                                           "gradient"):
        weight_grad_norms(model)


def _bar_lengths(page: str) -> list:
    """The length (em) of each coloured bar in a Probe's HTML, in order."""
    return [float(w) for w in re.findall(r"width: ([0-9.]+)em; height", page)]


def test_probe_shows_itself_as_text_and_as_html(rng):
    model = nets.seed001_network(residual=False, depth=4, width=8, seed=0)
    probe = probe_layers(model, "branch")
    assert "nothing recorded yet" in repr(probe) and "layers.3.relu" in repr(probe)
    assert "nothing recorded yet" in probe._repr_html_()
    x = Tensor(rng.uniform(-1, 1, (16, 8)))
    with probe:
        loss = mse_loss(model(x), x)
    assert "no gradients yet: call backward()" in repr(probe)
    loss.backward()
    text, page = repr(probe), probe._repr_html_()
    assert "after a forward and a backward pass" in text
    stds, grads = probe.activation_std(), probe.grad_norm()
    for i, line in enumerate(text.splitlines()[2:]):
        assert line.split() == [f"layers.{i}.relu", "(16,", "8)", f"{stds[i]:.3e}",
                                f"{grads[i]:.3e}"]
    assert page.count("<tr>") == 5 and "<script" not in page
    lengths = _bar_lengths(page)
    std_bars, grad_bars = lengths[0::2], lengths[1::2]
    np.testing.assert_allclose(std_bars, 10 * stds / stds.max(), atol=0.005)
    low, high = np.floor(np.log10(grads.min())), np.ceil(np.log10(grads.max()))
    np.testing.assert_allclose(grad_bars, 10 * (np.log10(grads) - low) / (high - low),
                               atol=0.005)
    assert f"(log scale, {10 ** low:.0e} to {10 ** high:.0e})" in page


def test_probe_html_takes_one_gradient_range_escapes_names_and_draws_zeros(rng):
    first, second = nets.Linear(3, 3, seed=0), nets.Linear(3, 3, seed=1)
    probe = Probe({"<first>": first, "second": second})
    x = Tensor(rng.standard_normal((2, 3)))
    with probe:
        out = second(first(x))
    (out * 0.0).sum().backward()  # every gradient exactly zero: no log of 0
    page = probe.to_html(grad_range=(1e-6, 1e2))
    assert "<code>&lt;first&gt;</code>" in page and "<first>" not in page
    assert "(log scale, 1e-06 to 1e+02)" in page
    assert _bar_lengths(page)[1::2] == [0.0, 0.0]
    for bad in [(1.0, 1.0), (0.0, 1.0), (1.0,)]:
        with pytest.raises(ValueError, match="Probe.to_html: grad_range must be"):
            probe.to_html(grad_range=bad)
