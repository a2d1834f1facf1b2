"""nets/variants.py: the scaled, ReZero and gated residual layers, by hand, by finite
differences and against PyTorch."""
import numpy as np
import pytest

from nets.variants import GatedResidualLayer, ReZeroLayer, ScaledResidualLayer
from tinygrad_res import Tensor, gradcheck


def branch(layer, x):
    return np.maximum(x @ layer.linear.weight.data.T + layer.linear.bias.data, 0.0)


def test_scaled_layer_adds_a_fixed_share_of_the_branch(rng):
    layer = ScaledResidualLayer(5, scale=0.25, seed=0)
    x = rng.standard_normal((3, 5))
    np.testing.assert_allclose(layer(Tensor(x)).data, x + 0.25 * branch(layer, x))
    assert [name for name, _ in layer.named_parameters()] == ["linear.weight", "linear.bias"]


def test_rezero_starts_as_the_identity_and_first_trains_alpha(rng):
    layer = ReZeroLayer(4, seed=0)
    x = Tensor(rng.standard_normal((6, 4)), requires_grad=True)
    out = layer(x)
    np.testing.assert_array_equal(out.data, x.data)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones((6, 4)))  # the identity's gradient, exactly
    np.testing.assert_array_equal(layer.linear.weight.grad, 0.0)  # scaled by alpha = 0
    # d out / d alpha = F(x): the branch's sum
    assert layer.alpha.grad.shape == (1,)
    assert layer.alpha.grad[0] == pytest.approx(branch(layer, x.data).sum())


def test_gated_layer_by_hand(rng):
    layer = GatedResidualLayer(3, gate_bias=0.5, seed=1)
    np.testing.assert_array_equal(layer.gate.bias.data, 0.5)
    x = rng.standard_normal((4, 3))
    gate = 1 / (1 + np.exp(-(x @ layer.gate.weight.data.T + layer.gate.bias.data)))
    np.testing.assert_allclose(layer(Tensor(x)).data, x + gate * branch(layer, x))


@pytest.mark.parametrize("make", [lambda: ScaledResidualLayer(3, 0.5, seed=2),
                                  lambda: ReZeroLayer(3, alpha_init=0.3, seed=2),
                                  lambda: GatedResidualLayer(3, seed=2)])
def test_variants_gradcheck(rng, make):
    layer = make()
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    # gradcheck perturbs each tensor's data in place: the layer reads its own parameters
    assert gradcheck(lambda x, *weights: layer(x), x, *layer.parameters())


def test_variants_match_pytorch(torch, rng):
    nn = torch.nn
    x = rng.standard_normal((5, 4))
    for layer in (ScaledResidualLayer(4, 0.2, seed=3), ReZeroLayer(4, 0.7, seed=3),
                  GatedResidualLayer(4, seed=3)):
        fc = nn.Linear(4, 4).double()
        fc.weight.data = torch.tensor(layer.linear.weight.data)
        fc.bias.data = torch.tensor(layer.linear.bias.data)
        xt = torch.tensor(x, requires_grad=True)
        f = torch.relu(fc(xt))
        if isinstance(layer, ScaledResidualLayer):
            expected = xt + 0.2 * f
        elif isinstance(layer, ReZeroLayer):
            alpha = torch.tensor([0.7], dtype=torch.float64, requires_grad=True)
            expected = xt + alpha * f
        else:
            gate = nn.Linear(4, 4).double()
            gate.weight.data = torch.tensor(layer.gate.weight.data)
            gate.bias.data = torch.tensor(layer.gate.bias.data)
            expected = xt + torch.sigmoid(gate(xt)) * f
        g = rng.standard_normal((5, 4))
        expected.backward(torch.tensor(g))
        mine = Tensor(x, requires_grad=True)
        out = layer(mine)
        out.backward(g)
        np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=1e-12)
        np.testing.assert_allclose(mine.grad, xt.grad.numpy(), atol=1e-12)
        np.testing.assert_allclose(layer.linear.weight.grad, fc.weight.grad.numpy(), atol=1e-12)
        if isinstance(layer, ReZeroLayer):
            np.testing.assert_allclose(layer.alpha.grad, alpha.grad.numpy(), atol=1e-12)
