"""Linear, activations, LayerNorm, BatchNorm1d, Flatten, and the init schemes."""
import math

import numpy as np
import pytest

import nets
from nets import init
from tinygrad_res import Tensor, gradcheck


def test_linear_computes_x_wt_plus_b(rng):
    layer = nets.Linear(3, 2, seed=0)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    x = rng.standard_normal((5, 3))
    out = layer(Tensor(x))
    assert out.op == "linear"
    np.testing.assert_allclose(out.data, x @ layer.weight.data.T + layer.bias.data, rtol=1e-14)
    assert nets.Linear(3, 2, bias=False).bias is None


def test_linear_default_init_is_pytorchs_uniform_and_seeded():
    layer = nets.Linear(400, 300, seed=1)
    bound = 1 / math.sqrt(400)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert layer.weight.data.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    np.testing.assert_array_equal(layer.weight.data, nets.Linear(400, 300, seed=1).weight.data)
    assert not np.array_equal(layer.weight.data, nets.Linear(400, 300, seed=2).weight.data)


def test_linear_bad_input_names_shapes():
    with pytest.raises(ValueError, match=r"Linear: expected input with 3 features on axis -1, "
                                         r"got shape \(4, 2\)"):
        nets.Linear(3, 2)(Tensor(np.ones((4, 2))))


def test_linear_gradcheck(rng):
    layer = nets.Linear(3, 2, seed=0)
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    assert gradcheck(lambda x, w, b: layer(x).tanh(), x, layer.weight, layer.bias)


def test_activations(rng):
    x = rng.standard_normal((3, 4))
    np.testing.assert_array_equal(nets.ReLU()(Tensor(x)).data, np.maximum(x, 0))
    np.testing.assert_allclose(nets.Tanh()(Tensor(x)).data, np.tanh(x), rtol=1e-14)
    np.testing.assert_allclose(nets.Sigmoid()(Tensor(x)).data, 1 / (1 + np.exp(-x)), rtol=1e-14)
    t = Tensor(x)
    assert nets.Identity()(t) is t


def test_layer_norm_by_hand_and_gradcheck(rng):
    x = rng.standard_normal((3, 5)) * 4 + 2
    norm = nets.LayerNorm(5)
    norm.weight.data = rng.standard_normal(5)
    norm.bias.data = rng.standard_normal(5)
    mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-5) * norm.weight.data + norm.bias.data
    np.testing.assert_allclose(norm(Tensor(x)).data, expected, rtol=1e-12)
    x_t = Tensor(x, requires_grad=True)
    assert gradcheck(lambda x, w, b: norm(x), x_t, norm.weight, norm.bias)


def test_layer_norm_matches_torch(torch, rng):
    x = rng.standard_normal((4, 6))
    ours = nets.LayerNorm(6)
    theirs = torch.nn.LayerNorm(6).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(rng.standard_normal(6)))
        theirs.bias.copy_(torch.tensor(rng.standard_normal(6)))
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    g = rng.standard_normal((4, 6))
    x_ours, x_theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = ours(x_ours)
    out.backward(g)
    expected = theirs(x_theirs)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(x_ours.grad, x_theirs.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-10)


def test_batch_norm_training_and_eval_match_torch(torch, rng):
    ours = nets.BatchNorm1d(3, momentum=0.1)
    theirs = torch.nn.BatchNorm1d(3, momentum=0.1).double()
    for step in range(4):
        x = rng.standard_normal((5, 3)) * (step + 1) + step
        g = rng.standard_normal((5, 3))
        x_ours, x_theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out = ours(x_ours)
        out.backward(g)
        expected = theirs(x_theirs)
        expected.backward(torch.tensor(g))
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(x_ours.grad, x_theirs.grad.numpy(), rtol=1e-9, atol=1e-12)
    state = theirs.state_dict()
    np.testing.assert_allclose(ours.running_mean, state["running_mean"].numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.running_var, state["running_var"].numpy(), rtol=1e-12)
    assert int(ours.num_batches_tracked) == int(state["num_batches_tracked"]) == 4
    ours.eval(), theirs.eval()
    x = rng.standard_normal((2, 3))
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10)


def test_batch_norm_running_stats_by_hand(rng):
    """One step by hand: momentum 0.1 and the unbiased (n - 1) running variance."""
    x = rng.standard_normal((4, 2))
    norm = nets.BatchNorm1d(2)
    norm(Tensor(x))
    np.testing.assert_allclose(norm.running_mean, 0.1 * x.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(norm.running_var, 0.9 + 0.1 * x.var(axis=0, ddof=1), rtol=1e-14)
    norm.eval()
    before = norm.running_mean.copy()
    out = norm(Tensor(x))
    np.testing.assert_array_equal(norm.running_mean, before)       # eval does not update
    np.testing.assert_allclose(out.data, (x - norm.running_mean)
                               / np.sqrt(norm.running_var + 1e-5), rtol=1e-12)


def test_batch_norm_gradcheck(rng):
    norm = nets.BatchNorm1d(3)
    norm.weight.data = rng.standard_normal(3)
    x = Tensor(rng.standard_normal((5, 3)), requires_grad=True)
    assert gradcheck(lambda x, w, b: norm(x), x, norm.weight, norm.bias)


def test_batch_norm_bad_input():
    norm = nets.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"BatchNorm1d: training needs more than 1 sample .*"
                                         r"got shape \(1, 3\)"):
        norm(Tensor(np.ones((1, 3))))
    with pytest.raises(ValueError, match=r"BatchNorm1d: expected input of shape \(N, 3\), got "
                                         r"shape \(2, 3, 4\)"):
        norm(Tensor(np.ones((2, 3, 4))))
    with pytest.raises(ValueError, match=r"expected input with 3 features .* shape \(4, 2\)"):
        norm(Tensor(np.ones((4, 2))))
    norm.eval()
    assert norm(Tensor(np.ones((1, 3)))).shape == (1, 3)


# ----- init --------------------------------------------------------------------------------
def test_kaiming_and_xavier_statistics():
    w = Tensor(np.zeros((300, 200)), requires_grad=True)
    init.kaiming_normal_(w, seed=0)
    assert w.data.std() == pytest.approx(math.sqrt(2 / 200), rel=0.02)
    assert abs(w.data.mean()) < 0.01
    init.kaiming_normal_(w, mode="fan_out", seed=0)
    assert w.data.std() == pytest.approx(math.sqrt(2 / 300), rel=0.02)
    init.xavier_normal_(w, seed=0)
    assert w.data.std() == pytest.approx(math.sqrt(2 / 500), rel=0.02)
    init.xavier_uniform_(w, gain=2.0, seed=0)
    bound = 2.0 * math.sqrt(6 / 500)
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.99 * bound
    conv = Tensor(np.zeros((8, 4, 3, 3)))
    assert init.fans(conv) == (36, 72)


def test_init_seeds_and_generators():
    a, b = Tensor(np.zeros((3, 3))), Tensor(np.zeros((3, 3)))
    init.kaiming_normal_(a, seed=5)
    init.kaiming_normal_(b, seed=5)
    np.testing.assert_array_equal(a.data, b.data)
    rng = np.random.default_rng(5)
    init.kaiming_normal_(a, seed=rng)
    init.kaiming_normal_(b, seed=rng)          # a shared generator moves on
    assert not np.array_equal(a.data, b.data)
    with pytest.raises(TypeError, match="seed must be an int, a numpy Generator or None, "
                                        "got float"):
        init.as_rng(1.5)
    with pytest.raises(ValueError, match=r"at least 2 dims, got shape \(3,\)"):
        init.kaiming_normal_(Tensor(np.zeros(3)))
    with pytest.raises(ValueError, match="unknown nonlinearity 'gelu'"):
        init.kaiming_normal_(a, nonlinearity="gelu")


def test_residual_branch_scaling_and_zero_init():
    model = nets.ResMLP(16, 4, seed=0)
    before = [layer.weight.data.copy() for layer in model.linears()]
    init.scale_residual_branches_(model)
    for layer, w in zip(model.linears(), before):
        np.testing.assert_allclose(layer.weight.data, w / 4, rtol=1e-15)
    stack = nets.ResidualStack(3, 4, block="preact", seed=0)
    init.zero_init_last_layers_(stack)
    for block in stack.blocks:
        assert not block.fc2.weight.data.any() and not block.fc2.bias.data.any()
        assert block.fc1.weight.data.any()
    x = Tensor(np.random.default_rng(0).standard_normal((2, 4)))
    np.testing.assert_array_equal(stack(x).data, x.data)   # every block starts as identity
    with pytest.raises(ValueError, match="PlainMLP has no residual branches"):
        init.zero_init_last_layers_(nets.PlainMLP(2, 2))


def test_fixup_scales_all_but_last_layer():
    stack = nets.ResidualStack(4, 6, block="bottleneck", bottleneck_features=2, seed=0)
    reduce_before = stack.blocks[0].reduce.weight.data.copy()
    init.fixup_init_(stack)
    factor = 4 ** (-1 / (2 * 3 - 2))                     # L = 4 branches of m = 3 layers
    np.testing.assert_allclose(stack.blocks[0].reduce.weight.data, reduce_before * factor)
    assert not stack.blocks[0].expand.weight.data.any()


# ----- Flatten ------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (2, 3), (7,), (), (2, 0, 3)])
@pytest.mark.parametrize("dims", [(1, -1), (0, -1), (0, 1), (-2, -1), (1, 2), (0, 0), (-1, -1)])
def test_flatten_matches_torch(torch, shape, dims):
    x = np.arange(float(np.prod(shape))).reshape(shape)
    try:
        expected = torch.nn.Flatten(*dims)(torch.tensor(x)).numpy()
    except (IndexError, RuntimeError) as error:           # torch refuses: so do we
        kind = IndexError if isinstance(error, IndexError) else ValueError
        with pytest.raises(kind, match="Flatten: "):
            nets.Flatten(*dims)(Tensor(x))
        return
    t = Tensor(x, requires_grad=True)
    out = nets.Flatten(*dims)(t)
    np.testing.assert_array_equal(out.data, expected)
    out.backward(np.ones(out.shape))                      # a reshape: the gradient is all ones
    np.testing.assert_array_equal(t.grad, np.ones(shape))


def test_flatten_errors_name_the_layer():
    with pytest.raises(IndexError, match=r"Flatten: dim 3 is out of range for an input with 2 "
                                         r"dims \(expected -2 to 1\)"):
        nets.Flatten(3)(Tensor(np.zeros((2, 3))))
    with pytest.raises(ValueError, match="Flatten: start_dim 1 comes after end_dim 0"):
        nets.Flatten(1, 0)(Tensor(np.zeros((2, 3))))
    with pytest.raises(TypeError, match="Flatten: start_dim must be an int, got 1.0"):
        nets.Flatten(1.0)
    assert repr(nets.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
