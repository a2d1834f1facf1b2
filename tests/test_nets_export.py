"""nets.export: to_torch builds a torch.nn module that computes the same outputs, input and
parameter gradients and running statistics (float64, to 1e-12 relative to the values' scale,
in train and eval mode) for every network nets builds; from_torch loads the other way and
names any key or shape that does not fit; a model trained here continues training in torch."""
import sys

import numpy as np
import pytest

import nets
from nets import resnet
from nets.export import from_torch, to_torch
from nets.losses import cross_entropy
from tinygrad_res import Tensor

TOLERANCE = 1e-12

VECTOR = [  # (label, factory, input features)
    ("Linear", lambda: nets.Linear(5, 3, seed=0), 5),
    ("Linear without bias", lambda: nets.Linear(5, 3, bias=False, seed=0), 5),
    ("LayerNorm", lambda: nets.LayerNorm(5), 5),
    ("LayerNorm without affine", lambda: nets.LayerNorm(5, elementwise_affine=False), 5),
    ("BatchNorm1d", lambda: nets.BatchNorm1d(5, momentum=0.3, eps=1e-3), 5),
    ("BatchNorm1d without affine", lambda: nets.BatchNorm1d(5, affine=False), 5),
    ("Sequential", lambda: nets.Sequential(nets.Linear(5, 4, seed=0), nets.Tanh(),
                                           nets.Linear(4, 4, seed=1), nets.Sigmoid(),
                                           nets.Identity(), nets.ReLU()), 5),
    ("Sequential of activations", lambda: nets.Sequential(
        nets.Linear(5, 5, seed=0), nets.LeakyReLU(0.2), nets.ELU(0.5, inplace=True),
        nets.Softplus(2.0, 1.0), nets.GELU(), nets.GELU("tanh"), nets.SiLU(),
        nets.Hardtanh(-0.5, 2.0), nets.ReLU6()), 5),
    ("PlainMLP", lambda: nets.PlainMLP(3, 5, seed=0), 5),
    ("ResMLP", lambda: nets.ResMLP(3, 5, seed=0), 5),
    ("seed000_network", lambda: nets.seed000_network(5, residual=True), 8),
    ("PostActBlock", lambda: nets.PostActBlock(5, seed=0), 5),
    ("PostActBlock no norm", lambda: nets.PostActBlock(5, norm=None, seed=0), 5),
    ("PostActBlock batch projection", lambda: nets.PostActBlock(5, 7, norm="batch", seed=0), 5),
    ("PreActBlock", lambda: nets.PreActBlock(5, seed=0), 5),
    ("PreActBlock batch projection", lambda: nets.PreActBlock(5, 7, norm="batch", seed=0), 5),
    ("BottleneckBlock", lambda: nets.BottleneckBlock(8, 4, seed=0), 8),
    ("BottleneckBlock batch projection",
     lambda: nets.BottleneckBlock(6, 3, 8, norm="batch", seed=0), 6),
    ("HighwayLayer", lambda: nets.HighwayLayer(5, seed=0), 5),
    ("ResidualStack preact", lambda: nets.ResidualStack(3, 5, "preact", seed=0), 5),
    ("ResidualStack highway", lambda: nets.ResidualStack(2, 5, "highway", seed=0), 5),
    ("ResidualStack bottleneck batch",
     lambda: nets.ResidualStack(2, 6, "bottleneck", seed=0, bottleneck_features=3,
                                norm="batch"), 6),
    ("DeepResNet", lambda: nets.DeepResNet(5, 3, seed=0), 5),
]
IMAGE = [  # (label, factory, input shape (C, H, W))
    ("Conv2d", lambda: nets.Conv2d(2, 3, 3, stride=2, padding=1, seed=0), (2, 7, 7)),
    ("Conv2d without bias", lambda: nets.Conv2d(2, 3, (3, 2), bias=False, seed=0), (2, 6, 5)),
    ("BatchNorm2d", lambda: nets.BatchNorm2d(3, momentum=0.2), (3, 4, 4)),
    ("MaxPool2d", lambda: nets.MaxPool2d(2), (2, 6, 6)),
    ("MaxPool2d overlapping", lambda: nets.MaxPool2d(3, stride=2), (2, 7, 7)),
    ("AvgPool2d", lambda: nets.AvgPool2d(3, stride=2), (2, 8, 8)),
    ("AdaptiveAvgPool2d", lambda: nets.AdaptiveAvgPool2d(3), (2, 7, 7)),
    ("GlobalAvgPool2d", lambda: nets.GlobalAvgPool2d(), (3, 4, 4)),
    ("BasicBlock", lambda: resnet.BasicBlock(3, 3, seed=0), (3, 6, 6)),
    ("BasicBlock projection", lambda: resnet.BasicBlock(2, 4, stride=2, seed=0), (2, 6, 6)),
    ("BasicBlock plain", lambda: resnet.BasicBlock(2, 4, stride=2, plain=True, seed=0),
     (2, 6, 6)),
    ("PreActBasicBlock", lambda: resnet.PreActBasicBlock(3, 3, seed=0), (3, 6, 6)),
    ("PreActBasicBlock projection", lambda: resnet.PreActBasicBlock(2, 4, stride=2, seed=0),
     (2, 6, 6)),
    ("PreActBasicBlock plain", lambda: resnet.PreActBasicBlock(2, 2, plain=True, seed=0),
     (2, 5, 5)),
    ("Bottleneck projection", lambda: resnet.Bottleneck(4, 8, stride=2, seed=0), (4, 6, 6)),
    ("ResNet-8", lambda: nets.ResNet(8, seed=0), (1, 8, 8)),
    ("plain ResNet-8", lambda: nets.ResNet(8, plain=True, seed=0), (1, 8, 8)),
    ("preact ResNet-8", lambda: nets.ResNet(8, block="preact", seed=0), (1, 8, 8)),
    ("bottleneck ResNet-11", lambda: nets.ResNet(11, block="bottleneck", num_classes=3,
                                                 seed=0), (1, 8, 8)),
]
CASES = ([(label, factory, (6, features)) for label, factory, features in VECTOR]
         + [(label, factory, (4,) + shape) for label, factory, shape in IMAGE])


def close(ours: np.ndarray, theirs: np.ndarray) -> float:
    """max |ours - theirs| relative to the larger of 1 and the values' scale."""
    assert ours.shape == theirs.shape
    scale = max(1.0, float(np.abs(theirs).max(initial=0.0)))
    return float(np.abs(ours - theirs).max(initial=0.0)) / scale


def compare(model, twin, torch, shape, rng) -> float:
    """Forward and backward on both sides; the worst relative difference of output, input
    gradient, parameter gradients and buffers (asserted below TOLERANCE each)."""
    x = rng.standard_normal(shape)
    xt = Tensor(x, requires_grad=True)
    out = model(xt)
    weights = rng.standard_normal(out.shape)
    (out * Tensor(weights)).sum().backward()
    x_torch = torch.tensor(x, requires_grad=True)
    out_torch = twin(x_torch)
    (out_torch * torch.from_numpy(weights)).sum().backward()
    pairs = [("output", out.data, out_torch.detach().numpy()),
             ("input gradient", xt.grad, x_torch.grad.numpy())]
    torch_params = dict(twin.named_parameters())
    pairs += [(f"{name}.grad", param.grad, torch_params[name].grad.numpy())
              for name, param in model.named_parameters()]
    torch_buffers = dict(twin.named_buffers())
    pairs += [(name, np.asarray(value), torch_buffers[name].numpy())
              for name, value in model.named_buffers()]
    worst = 0.0
    for what, ours, theirs in pairs:
        difference = close(np.asarray(ours, dtype=np.float64), theirs.astype(np.float64))
        assert difference <= TOLERANCE, (what, difference)
        worst = max(worst, difference)
    return worst


def test_embedding_flatten_and_dropout_have_twins(torch, rng):
    """Ids in, the same outputs and weight gradients; dropout is compared in eval mode (its
    masks are random on both sides), with its p carried over."""
    model = nets.Sequential(nets.Embedding(7, 3, padding_idx=0, seed=0), nets.Flatten(),
                            nets.Dropout(0.25), nets.Linear(6, 2, seed=1)).eval()
    twin = to_torch(model)
    assert isinstance(twin[0], torch.nn.Embedding) and twin[0].padding_idx == 0
    assert isinstance(twin[1], torch.nn.Flatten) and twin[2].p == 0.25 and not twin[2].training
    ids = np.array([[0, 3], [6, 6], [2, 0]])
    out, out_torch = model(ids), twin(torch.from_numpy(ids))
    assert close(out.data, out_torch.detach().numpy()) <= TOLERANCE
    g = rng.standard_normal(out.shape)
    out.backward(g)
    out_torch.backward(torch.from_numpy(g))
    for name, param in model.named_parameters():
        theirs = dict(twin.named_parameters())[name].grad.numpy()
        assert close(param.grad, theirs) <= TOLERANCE, name


@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("label, factory, shape", CASES, ids=[c[0] for c in CASES])
def test_torch_twin_has_the_same_outputs_gradients_and_buffers(torch, label, factory, shape,
                                                               mode):
    rng = np.random.default_rng(1)
    model = factory()
    if mode == "eval":  # move the running statistics off their start first
        for _ in range(2):
            model(Tensor(rng.standard_normal(shape)))
        model.eval()
    twin = to_torch(model)
    assert sorted(twin.state_dict()) == sorted(model.state_dict())
    assert all(m.training == (mode == "train") for m in twin.modules())
    compare(model, twin, torch, shape, rng)


def test_weights_are_copies_in_the_models_dtype_and_modes_are_per_module(torch):
    model = nets.PostActBlock(4, norm="batch", seed=0).to(np.float32)
    model.norm1.eval()
    twin = to_torch(model)
    assert twin.fc1.weight.dtype == torch.float32 and twin.norm1.running_var.dtype == torch.float32
    assert not twin.norm1.training and twin.norm2.training and twin.training
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(twin.state_dict()[name].numpy(), value)
    twin.fc1.weight.data.fill_(0.0)
    assert model.fc1.weight.data.any()  # the twin owns its own copy


def test_from_torch_loads_a_module_or_a_state_dict(torch):
    source = nets.ResNet(8, seed=1)
    source(Tensor(np.random.default_rng(0).standard_normal((4, 1, 8, 8))))  # running stats move
    twin = to_torch(source)
    for given in (twin, twin.state_dict()):
        target = nets.ResNet(8, seed=2)
        assert from_torch(target, given) is target
        for name, value in source.state_dict().items():
            np.testing.assert_array_equal(target.state_dict()[name], value)
    target = nets.ResMLP(2, 3)  # float32 tensors are cast to the model's float64
    from_torch(target, {k: v.float() for k, v in to_torch(nets.ResMLP(2, 3, seed=3)).state_dict()
                        .items()})
    assert target.layers[0].linear.weight.dtype == np.float64


def test_from_torch_names_every_key_and_shape_that_does_not_fit(torch):
    model = nets.PostActBlock(4, norm="batch", seed=0)
    before = model.state_dict()
    state = to_torch(nets.PostActBlock(4, norm="batch", seed=0)).state_dict()
    del state["norm1.running_mean"]
    state["extra.weight"] = torch.zeros(2)
    with pytest.raises(KeyError, match=r"from_torch\(PostActBlock\): the torch state does not "
                                       r"fit: missing key\(s\) norm1.running_mean; unexpected "
                                       r"key\(s\) extra.weight"):
        from_torch(model, state)
    state = to_torch(nets.PostActBlock(4, norm="batch", seed=0)).state_dict()
    state["fc1.weight"] = torch.zeros(4, 5)
    state["norm2.bias"] = torch.zeros(3)
    with pytest.raises(ValueError, match=r"shape mismatch for fc1.weight: torch has \(4, 5\), "
                                         r"the model has \(4, 4\); norm2.bias: torch has \(3,\)"):
        from_torch(model, state)
    state = to_torch(nets.PostActBlock(4, norm="batch", seed=5)).state_dict()
    state["fc2.bias"] = [0.0] * 4
    with pytest.raises(TypeError, match="from_torch: 'fc2.bias' holds a list, expected a tensor"):
        from_torch(model, state)
    with pytest.raises(TypeError, match="expected a torch.nn.Module or a state_dict"):
        from_torch(model, [1, 2])
    for name, value in model.state_dict().items():  # nothing changed by the failed loads
        np.testing.assert_array_equal(value, before[name])


def test_to_torch_refuses_modules_it_cannot_mirror(torch):
    class Mine(nets.Module):
        def __init__(self, width, seed=None):
            super().__init__()
            self.inner = nets.Linear(width, width, seed=seed)

        def forward(self, x):
            return self.inner(x) * 2

    class MyMLP(nets.ResMLP):  # a subclass may compute something else: refused too
        pass

    with pytest.raises(TypeError, match=r"no PyTorch equivalent for Mine \(at 'blocks.0'\)"):
        to_torch(nets.ResidualStack(1, 2, block=Mine))
    with pytest.raises(TypeError, match="no PyTorch equivalent for MyMLP: nets.export knows"):
        to_torch(MyMLP(2, 2))
    with pytest.raises(TypeError, match="to_torch: expected a nets.Module, got Linear"):
        to_torch(torch.nn.Linear(2, 2))


def test_without_torch_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"nets.export needs PyTorch.*pip install torch==2.13.0"):
        to_torch(nets.Linear(2, 2))


def test_a_model_trained_here_continues_training_in_torch(torch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 1, 8, 8))
    labels = rng.integers(0, 10, 8)
    model = nets.ResNet(8, seed=0)
    optimizer = nets.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    for _ in range(3):  # trained here: weights and running statistics moved
        loss = cross_entropy(model(Tensor(x)), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    twin = to_torch(model)
    ours = nets.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    theirs = torch.optim.SGD(twin.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    batch, batch_labels = rng.standard_normal((8, 1, 8, 8)), rng.integers(0, 10, 8)
    for _ in range(2):  # two steps on each side: the second uses the momentum buffers
        loss = cross_entropy(model(Tensor(batch)), batch_labels)
        ours.zero_grad()
        loss.backward()
        ours.step()
        torch_loss = torch.nn.functional.cross_entropy(twin(torch.from_numpy(batch)),
                                                       torch.from_numpy(batch_labels))
        theirs.zero_grad()
        torch_loss.backward()
        theirs.step()
        assert abs(loss.item() - torch_loss.item()) <= TOLERANCE
    torch_state = twin.state_dict()
    for name, value in model.state_dict().items():
        assert close(np.asarray(value, dtype=np.float64),
                     torch_state[name].numpy().astype(np.float64)) <= TOLERANCE, name
    model.eval()
    twin.eval()
    with torch.no_grad():
        assert close(model(Tensor(batch)).data, twin(torch.from_numpy(batch)).numpy()) <= TOLERANCE
