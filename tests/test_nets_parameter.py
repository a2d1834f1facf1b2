"""nets.Parameter and the registration rules of Module: PyTorch's, checked against torch."""
import warnings

import numpy as np
import pytest

import nets
from nets import Parameter
from nets.module import UnregisteredTensorWarning
from tinygrad_res import Tensor, no_grad


# ----- a Parameter is a Tensor -------------------------------------------------------------
def test_a_parameter_is_a_leaf_tensor_that_requires_grad():
    p = Parameter([1.0, 2.0])
    assert isinstance(p, Tensor) and p.requires_grad and p.is_leaf and p.dtype == np.float64
    assert not Parameter([1.0], requires_grad=False).requires_grad
    assert Parameter().shape == (0,)                       # as torch.nn.Parameter()
    assert Parameter(np.zeros(2, dtype=np.float32)).dtype == np.float32


def test_ops_backward_and_in_place_methods_work_on_a_parameter():
    p = Parameter([1.0, -2.0, 3.0])
    y = p * p
    assert type(y) is Tensor and type(p.detach()) is Tensor and type(p[0]) is Tensor
    (y.sum() + p[0]).backward()
    np.testing.assert_array_equal(p.grad, [3.0, -4.0, 6.0])
    with no_grad():
        p.sub_(0.5 * p.grad).mul_(2.0)
    np.testing.assert_array_equal(p.data, [-1.0, 0.0, 0.0])
    assert p._version == 2


def test_the_version_check_guards_a_parameter():
    layer = nets.Linear(2, 2, seed=0)
    loss = (layer(Tensor(np.ones((3, 2)))) ** 2).sum()
    with no_grad():
        layer.weight.add_(1.0)
    with pytest.raises(RuntimeError, match="changed in place after"):
        loss.backward()


def test_a_parameter_made_from_a_tensor_shares_its_memory_as_in_pytorch():
    t = Tensor([1.0, 2.0], name="w")
    p = Parameter(t)
    assert p.data is t.data and p.name == "w"
    copied = np.array([1.0, 2.0])
    assert Parameter(copied).data is not copied            # numbers and arrays are copied


def test_repr_says_parameter_containing():
    assert repr(Parameter([1.0, 2.0])) == ("Parameter containing:\n"
                                           "Tensor([1., 2.], requires_grad=True)")


# ----- what Module registers ---------------------------------------------------------------
def test_every_layer_and_network_creates_parameters():
    models = [nets.Linear(2, 3), nets.LayerNorm(3), nets.BatchNorm1d(3), nets.Conv2d(1, 2, 3),
              nets.BatchNorm2d(2), nets.ResMLP(2, 3), nets.ResidualStack(2, 4, block="highway"),
              nets.ResidualStack(1, 4, block="bottleneck", bottleneck_features=2),
              nets.ResNet(8, seed=0)]
    for model in models:
        params = list(model.parameters())
        assert params and all(type(p) is Parameter for p in params), type(model).__name__


@pytest.mark.parametrize("make", [lambda layer: Tensor(np.ones((3, 2))),
                                  lambda layer: layer.weight * 2,
                                  lambda layer: layer.weight.detach(),
                                  lambda layer: np.ones((3, 2))],
                         ids=["tensor", "op output", "detached", "array"])
def test_a_parameter_replaced_by_a_non_parameter_is_a_type_error(make):
    layer = nets.Linear(2, 3, seed=0)
    value = make(layer)
    with pytest.raises(TypeError, match=rf"Linear: cannot assign '{type(value).__name__}' as "
                                        r"parameter 'weight' \(nets.Parameter or None "
                                        r"expected\)"):
        layer.weight = value
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    assert isinstance(layer.weight, Parameter)


def test_none_removes_a_parameter_and_a_new_parameter_keeps_its_place():
    layer = nets.Linear(2, 3, seed=0)
    layer.weight = None
    assert [name for name, _ in layer.named_parameters()] == ["bias"]
    assert list(layer.state_dict()) == ["bias"]
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'weight'"):
        layer.weight = Tensor(np.ones((3, 2)))
    layer.weight = Parameter(np.ones((3, 2)))
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    np.testing.assert_array_equal(layer.state_dict()["weight"], 1.0)


def test_a_plain_tensor_that_requires_grad_is_not_registered_and_warns():
    class Custom(nets.Module):
        def __init__(self):
            super().__init__()
            self.scale = Parameter([2.0])
            self.constant = Tensor([1.0])
            self.derived = self.scale * 2                  # an op's output: a value, no warning
            with pytest.warns(UnregisteredTensorWarning,
                              match=r"Custom.loose: a Tensor that requires grad is not a "
                                    r"parameter .*nets.Parameter\(tensor\)"):
                self.loose = Tensor([3.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnregisteredTensorWarning)  # only `loose` warns
        model = Custom()
    assert [name for name, _ in model.named_parameters()] == ["scale"]
    assert list(model.state_dict()) == ["scale"]


def test_a_submodule_replaced_by_a_non_module_is_a_type_error():
    model = nets.Sequential(nets.Linear(2, 2), nets.ReLU())
    with pytest.raises(TypeError, match=r"Sequential: cannot assign 'int' as child module '0' "
                                        r"\(nets.Module or None expected\)"):
        setattr(model, "0", 3)
    block = nets.PostActBlock(2, 4)
    block.shortcut = None
    assert [name for name, _ in block.named_children()] == ["fc1", "norm1", "fc2", "norm2"]
    assert not any(name.startswith("shortcut") for name in block.state_dict())


def test_register_parameter():
    module = nets.Module()
    module.register_parameter("w", Parameter([1.0]))
    module.register_parameter("b", None)
    assert [name for name, _ in module.named_parameters()] == ["w"] and module.b is None
    with pytest.raises(TypeError, match="register_parameter: cannot assign 'Tensor' as "
                                        "parameter 'w'"):
        module.register_parameter("w", Tensor([1.0]))


def test_a_frozen_parameter_is_saved_and_skipped_by_the_optimizer():
    layer = nets.Linear(2, 1, seed=0)
    layer.bias = Parameter([0.5], requires_grad=False)
    assert list(layer.state_dict()) == ["weight", "bias"]
    opt = nets.optim.SGD(layer.parameters(), lr=0.1)
    layer(Tensor(np.ones((1, 2)))).sum().backward()
    opt.step()
    assert layer.bias.grad is None and layer.bias.data[0] == 0.5


def test_registration_matches_torch(torch):
    """The same assignments to a Linear in both libraries: the same parameter names after each,
    and a TypeError where torch raises one."""
    ours, theirs = nets.Linear(2, 3), torch.nn.Linear(2, 3)
    steps = [("weight", "none"), ("weight", "tensor"), ("weight", "parameter"),
             ("bias", "op"), ("scale", "tensor"), ("scale", "parameter")]
    for name, kind in steps:
        outcomes = []
        for module, make_tensor, make_param in (
                (ours, lambda: Tensor(np.ones((3, 2))), lambda: Parameter(np.ones((3, 2)))),
                (theirs, lambda: torch.ones(3, 2), lambda: torch.nn.Parameter(torch.ones(3, 2)))):
            value = {"tensor": make_tensor, "parameter": make_param,
                     "op": lambda: module.weight * 2}.get(kind, lambda: None)()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UnregisteredTensorWarning)
                    setattr(module, name, value)
                outcomes.append(("ok", [n for n, _ in module.named_parameters()]))
            except TypeError:
                outcomes.append(("TypeError", [n for n, _ in module.named_parameters()]))
        assert outcomes[0] == outcomes[1], (name, kind, outcomes)
