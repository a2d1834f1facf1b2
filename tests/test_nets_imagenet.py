"""nets/imagenet.py: the ImageNet ResNets. Parameter counts equal torchvision's (as published
in its model docs), the stage shapes of a 224x224 image are He et al.'s Table 1, and the
outputs and gradients equal those of a PyTorch network with torchvision's layout (written here
from torch.nn, with torchvision's parameter names) carrying the same weights."""
import numpy as np
import pytest

import nets
from nets.imagenet import block_count, from_torchvision, projection_blocks, resnet
from tinygrad_res import Tensor, no_grad

TORCHVISION = {18: 11_689_512, 34: 21_797_672, 50: 25_557_032, 101: 44_549_160,
               152: 60_192_808}


@pytest.mark.parametrize("depth", sorted(TORCHVISION))
def test_parameter_counts_are_torchvisions(depth):
    model = getattr(nets, f"resnet{depth}")()
    assert model.num_parameters() == TORCHVISION[depth]
    blocks = {18: 8, 34: 16, 50: 16, 101: 33, 152: 50}[depth]
    # every weighted layer: the stem conv, 2 or 3 per block, the Linear
    assert 1 + (2 if depth < 50 else 3) * blocks + 1 == depth
    assert block_count(model) == blocks
    # basic nets keep 64 channels into layer1: 3 projections; bottlenecks widen it to 256: 4
    assert projection_blocks(model) == (3 if depth < 50 else 4)


def test_stage_shapes_of_a_224_image_are_table_1s():
    model = nets.resnet18(seed=0).eval()
    with no_grad():
        h = model.stem(Tensor(np.zeros((1, 3, 224, 224), dtype=np.float32)))
        assert h.shape == (1, 64, 56, 56)
        shapes = []
        for stage in model.stages():
            h = stage(h)
            shapes.append(h.shape)
    assert shapes == [(1, 64, 56, 56), (1, 128, 28, 28), (1, 256, 14, 14), (1, 512, 7, 7)]
    assert model.fc(model.avgpool(h)).shape == (1, 1000)


def test_plain_twin_drops_the_shortcuts_and_nothing_else():
    residual, plain = resnet(18, num_classes=10), resnet(18, num_classes=10, plain=True)
    projection = sum(p.data.size for name, p in residual.named_parameters()
                     if ".shortcut." in name)
    assert projection == 64 * 128 + 2 * 128 + 128 * 256 + 2 * 256 + 256 * 512 + 2 * 512
    assert plain.num_parameters() == residual.num_parameters() - projection
    assert projection_blocks(plain) == 0


def test_init_is_torchvisions():
    model = nets.resnet50(num_classes=10, seed=0)
    w = model.layer4[0].conv2.weight.data  # 512 out channels, 3x3: fan_out = 512 * 9
    assert w.std() == pytest.approx(np.sqrt(2.0 / (512 * 9)), rel=0.02)
    np.testing.assert_array_equal(model.layer4[0].bn3.weight.data, 1.0)
    bound = 1 / np.sqrt(2048)
    assert np.abs(model.fc.weight.data).max() <= bound and np.abs(model.fc.bias.data).max() <= bound


@pytest.mark.parametrize("call, message", [
    (lambda: resnet(20), r"resnet: depth must be one of \[18, 34, 50, 101, 152\], got 20"),
    (lambda: nets.ImageNetResNet("preact"), r"block must be 'basic' or 'bottleneck'"),
    (lambda: nets.ImageNetResNet("basic", (2, 2, 2)), r"layers must be 4 block counts"),
])
def test_bad_layouts_are_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def torchvision_layout(torch, bottleneck: bool, layers, num_classes: int):
    """torchvision's ResNet from torch.nn: same modules, same parameter names."""
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, cin, width, stride):
            super().__init__()
            out = width * 4 if bottleneck else width
            if bottleneck:
                self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
                self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
                self.conv3 = nn.Conv2d(width, out, 1, bias=False)
                self.bn3 = nn.BatchNorm2d(out)
            else:
                self.conv1 = nn.Conv2d(cin, width, 3, stride, 1, bias=False)
                self.conv2 = nn.Conv2d(width, width, 3, 1, 1, bias=False)
            self.bn1, self.bn2 = nn.BatchNorm2d(width), nn.BatchNorm2d(width)
            self.downsample = None
            if stride != 1 or cin != out:
                self.downsample = nn.Sequential(nn.Conv2d(cin, out, 1, stride, bias=False),
                                                nn.BatchNorm2d(out))

        def forward(self, x):
            h = torch.relu(self.bn1(self.conv1(x)))
            h = self.bn2(self.conv2(h))
            if bottleneck:
                h = self.bn3(self.conv3(torch.relu(h)))
            return torch.relu(h + (x if self.downsample is None else self.downsample(x)))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            cin = 64
            for stage, (width, count) in enumerate(zip((64, 128, 256, 512), layers), start=1):
                blocks = []
                for i in range(count):
                    blocks.append(Block(cin, width, 2 if stage > 1 and i == 0 else 1))
                    cin = width * 4 if bottleneck else width
                setattr(self, f"layer{stage}", nn.Sequential(*blocks))
            self.fc = nn.Linear(cin, num_classes)

        def forward(self, x):
            h = self.maxpool(torch.relu(self.bn1(self.conv1(x))))
            for stage in (self.layer1, self.layer2, self.layer3, self.layer4):
                h = stage(h)
            return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(h, 1), 1))

    return Net().double()


@pytest.mark.parametrize("depth, training", [(18, False), (50, False), (18, True)])
def test_outputs_and_gradients_match_a_torchvision_layout(torch, depth, training):
    block, layers = nets.imagenet.LAYOUTS[depth]
    reference = torchvision_layout(torch, block == "bottleneck", layers, num_classes=7)
    generator = torch.Generator().manual_seed(0)
    for name, buffer in reference.named_buffers():  # eval mode reads these: make them matter
        if name.endswith("running_mean"):
            buffer.copy_(0.1 * torch.randn(buffer.shape, generator=generator))
        elif name.endswith("running_var"):
            buffer.copy_(0.5 + torch.rand(buffer.shape, generator=generator))
    ours = resnet(depth, num_classes=7)
    ours.load_state_dict(from_torchvision({k: v.numpy() for k, v in
                                           reference.state_dict().items()}))
    reference.train(training)
    ours.train(training)
    x = np.random.default_rng(1).standard_normal((2, 3, 40, 36))
    mine, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(mine), reference(theirs)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-9, atol=1e-9)
    grad_output = np.random.default_rng(2).standard_normal(out.shape)
    out.backward(grad_output)
    expected.backward(torch.tensor(grad_output))
    np.testing.assert_allclose(mine.grad, theirs.grad.numpy(), rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(ours.conv1.weight.grad, reference.conv1.weight.grad.numpy(),
                               rtol=1e-7, atol=1e-10)
