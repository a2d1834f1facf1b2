"""nets/activations.py: each module against its torch.nn namesake built with the same
arguments (outputs, input gradients, repr), inplace, and constructor errors."""
import numpy as np
import pytest

import nets
from tinygrad_res import Tensor

MODULES = [  # (class name, constructor arguments): the same call builds ours and torch's
    ("LeakyReLU", ()), ("LeakyReLU", (0.3,)), ("LeakyReLU", (0.2, True)),
    ("ELU", ()), ("ELU", (0.5,)), ("ELU", (2.0, True)),
    ("Softplus", ()), ("Softplus", (2.0, 1.0)),
    ("GELU", ()), ("GELU", ("tanh",)),
    ("SiLU", ()), ("SiLU", (True,)),
    ("Hardtanh", ()), ("Hardtanh", (-2.0, 0.5)), ("Hardtanh", (0.0, 1.0, True)),
    ("ReLU6", ()), ("ReLU6", (True,)),
]


@pytest.mark.parametrize("name, args", MODULES, ids=[f"{n}{a}" for n, a in MODULES])
def test_matches_torch_nn(torch, rng, name, args):
    ours, theirs = getattr(nets, name)(*args), getattr(torch.nn, name)(*args)
    data = np.concatenate([rng.standard_normal(20) * 4, [0.0, 6.0, -1.0, 1.0]])
    x = Tensor(data, requires_grad=True)
    t = torch.tensor(data, requires_grad=True)
    out, expected = ours(x), theirs(t.clone())  # torch's inplace=True writes into its input
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-15)
    grad = rng.standard_normal(out.shape)
    out.backward(grad)
    expected.backward(torch.tensor(grad))
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-15)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("name, args", MODULES, ids=[f"{n}{a}" for n, a in MODULES])
def test_has_no_parameters_and_leaves_its_input_alone(rng, name, args):
    module = getattr(nets, name)(*args)
    assert list(module.parameters()) == [] and module.state_dict() == {}
    data = rng.standard_normal(5)
    x = Tensor(data.copy())
    module(x)
    np.testing.assert_array_equal(x.data, data)  # inplace=True is computed out of place


def test_works_inside_a_network(rng):
    model = nets.Sequential(nets.Linear(3, 4, seed=0), nets.GELU(), nets.Linear(4, 2, seed=1),
                            nets.ELU())
    model(Tensor(rng.standard_normal((5, 3)))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())


@pytest.mark.parametrize("make, error, message", [
    (lambda: nets.LeakyReLU("0.1"), TypeError, "LeakyReLU: negative_slope must be a number"),
    (lambda: nets.ELU(alpha=None), TypeError, "ELU: alpha must be a number, got None"),
    (lambda: nets.Softplus(threshold="20"), TypeError, "Softplus: threshold must be a number"),
    (lambda: nets.GELU("erf"), ValueError, "GELU: approximate must be 'none' or 'tanh'"),
    (lambda: nets.Hardtanh(1.0, -1.0), ValueError,
     "Hardtanh: max_val \\(-1.0\\) must not be less than min_val \\(1.0\\)"),
])
def test_constructor_errors_name_the_layer_and_argument(make, error, message):
    with pytest.raises(error, match=message):
        make()
