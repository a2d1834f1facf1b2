"""PlainMLP / ResMLP, the seed network recipes, the seed data, and the seed 000 claim."""
import math
import random

import numpy as np
import pytest

import nets
from tinygrad_res import Tensor, gradcheck


def test_exactly_depth_square_linear_layers():
    for model_type in (nets.PlainMLP, nets.ResMLP):
        model = model_type(depth=7, width=5)
        assert len(model.linears()) == 7
        assert all(layer.weight.shape == (5, 5) for layer in model.linears())
        assert model.num_parameters() == 7 * (25 + 5)
    with pytest.raises(ValueError, match="ResMLP: depth must be >= 1, got 0"):
        nets.ResMLP(0, 5)


@pytest.mark.task_4_1
def test_layer_formulas(rng):
    x = rng.standard_normal((3, 4))
    plain, residual = nets.PlainMLP(2, 4, seed=0), nets.ResMLP(2, 4, seed=0)
    expected_plain, expected_residual = x, x
    for layer in plain.linears():
        expected_plain = np.maximum(expected_plain @ layer.weight.data.T + layer.bias.data, 0)
    for layer in residual.linears():
        pre = expected_residual @ layer.weight.data.T + layer.bias.data
        expected_residual = expected_residual + np.maximum(pre, 0)
    np.testing.assert_allclose(plain(Tensor(x)).data, expected_plain, rtol=1e-14)
    np.testing.assert_allclose(residual(Tensor(x)).data, expected_residual, rtol=1e-14)


@pytest.mark.task_4_1
def test_residual_mlp_gradients_match_finite_differences(rng):
    model = nets.ResMLP(3, 4, seed=0)
    x = Tensor(rng.standard_normal((2, 4)), requires_grad=True)
    params = list(model.parameters())
    assert all(p.dtype == np.float64 for p in params)  # finite differences need float64
    assert gradcheck(lambda x, *params: model(x), x, *params)


def seed_text_make_network(depth, width, use_residual):
    """Seed 000's kaiming_layer / make_network, retyped from the text (global `random`)."""
    scale_factor = 1.0 / math.sqrt(depth) if use_residual else 1.0
    network = []
    for _ in range(depth):
        scale = scale_factor * math.sqrt(2.0 / width)
        weights = [[random.gauss(0.0, scale) for _ in range(width)] for _ in range(width)]
        network.append((weights, [0.0 for _ in range(width)]))
    return network


@pytest.mark.parametrize("residual", [False, True])
def test_seed000_recipe_is_bit_exact(residual):
    random.seed(12345)
    state = random.getstate()
    model = nets.seed000_network(10, residual=residual)
    assert random.getstate() == state          # the global stream is left alone
    random.seed(13)
    expected = seed_text_make_network(10, 8, residual)
    for layer, (weights, biases) in zip(model.linears(), expected):
        assert layer.weight.data.tolist() == weights
        assert layer.bias.data.tolist() == biases
    assert isinstance(model, nets.ResMLP if residual else nets.PlainMLP)


def test_numpy_recipes_scale_and_reproducibility():
    a = nets.seed000_network(16, residual=True, width=64, seed=3, exact=False)
    b = nets.seed000_network(16, residual=True, width=64, seed=3, exact=False)
    weights = np.concatenate([layer.weight.data.ravel() for layer in a.linears()])
    assert weights.std() == pytest.approx(math.sqrt(2 / 64) / 4, rel=0.02)
    assert all(not layer.bias.data.any() for layer in a.linears())
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    for residual in (False, True):
        model = nets.seed001_network(residual=residual, seed=0)
        assert len(model.linears()) == 20 and model.width == 64
        weights = np.concatenate([layer.weight.data.ravel() for layer in model.linears()])
        assert weights.std() == pytest.approx(math.sqrt(2 / 64) / math.sqrt(20), rel=0.02)


def test_seed000_baseline_is_1_076610():
    x = nets.data.identity_data()
    assert x.shape == (32, 8)
    assert f"{nets.data.zero_prediction_loss(x):.6f}" == "1.076610"


def test_identity_data_is_the_global_random_recipe():
    random.seed(91)
    expected = [[random.gauss(0.0, 1.0) for _ in range(8)] for _ in range(32)]
    assert nets.data.identity_data().tolist() == expected


def test_uniform_batches():
    batches = list(nets.data.uniform_batches(3, batch_size=1000, dim=64, seed=0))
    assert len(batches) == 3 and batches[0].shape == (1000, 64)
    assert not np.array_equal(batches[0], batches[1])          # a fresh batch each step
    assert np.abs(batches[0]).max() <= 1.0
    assert np.mean(batches[0] ** 2) == pytest.approx(1 / 3, rel=0.01)


def test_spirals():
    X, y = nets.data.make_spirals()
    assert X.shape == (400, 2) and y.tolist() == [0] * 200 + [1] * 200
    X2, _ = nets.data.make_spirals()
    np.testing.assert_array_equal(X, X2)
    clean, _ = nets.data.make_spirals(n_points=50, noise=0.0)
    np.testing.assert_allclose(clean[50:], -clean[:50], atol=1e-15)   # turned by pi
    np.testing.assert_allclose(np.linalg.norm(clean[:50], axis=1), np.linspace(0.3, 1, 50))
    noise = X - nets.data.make_spirals(noise=0.0)[0]
    assert noise.std() == pytest.approx(0.03, rel=0.1)
