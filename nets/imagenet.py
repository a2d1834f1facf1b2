"""The ImageNet ResNets of He et al. 2015 (Table 1; seed 004's "ResNet family" table), laid out
as torchvision builds them: resnet18() ... resnet152().

    stem      7x7 conv, 64 channels, stride 2, padding 3 (no bias) -> batch norm -> ReLU
              -> 3x3 max pool, stride 2, padding 1              224x224 -> 112x112 -> 56x56
    layer1-4  blocks of nets.resnet.BasicBlock (18, 34) or Bottleneck (50, 101, 152), widths
              64, 128, 256, 512 (x4 out of a bottleneck), the first block of layers 2-4 with
              stride 2 (in the 3x3 convolution, as torchvision)  -> 56, 28, 14, 7
    head      global average pooling -> Linear(512 or 2048, num_classes)

Shortcuts are option B: a 1x1 convolution and batch norm where the block changes the shape, the
identity elsewhere. Initialised as torchvision: convolutions He-normal with fan_out, batch norm
weight 1 and bias 0, the Linear as torch.nn.Linear. Parameter names match torchvision's but for
`shortcut` (torchvision: `downsample`); from_torchvision() renames a torchvision state dict.

    >>> model = resnet18()
    >>> model.num_parameters()
    11689512
"""
from __future__ import annotations

import re
from typing import Dict, Sequence

import numpy as np

from tinygrad_res import Tensor

from .conv import BatchNorm2d, Conv2d, GlobalAvgPool2d, MaxPool2d
from .init import Seed, as_rng, kaiming_normal_
from .layers import Linear, ReLU
from .containers import Sequential
from .module import Module
from .resnet import BasicBlock, Bottleneck

LAYOUTS = {18: ("basic", (2, 2, 2, 2)), 34: ("basic", (3, 4, 6, 3)),
           50: ("bottleneck", (3, 4, 6, 3)), 101: ("bottleneck", (3, 4, 23, 3)),
           152: ("bottleneck", (3, 8, 36, 3))}
WIDTHS = (64, 128, 256, 512)


class ImageNetResNet(Module):
    """Stem, four stages of `layers[i]` blocks, pooling, Linear (see the module docstring).

    block is "basic" or "bottleneck"; plain=True removes every shortcut (He et al.'s plain
    nets, Table 1's "plain" column), nothing else.
    """

    def __init__(self, block: str = "basic", layers: Sequence[int] = (2, 2, 2, 2),
                 num_classes: int = 1000, in_channels: int = 3, plain: bool = False,
                 seed: Seed = None) -> None:
        super().__init__()
        if block not in ("basic", "bottleneck"):
            raise ValueError(f"ImageNetResNet: block must be 'basic' or 'bottleneck', got "
                             f"{block!r}")
        if len(layers) != 4 or min(layers) < 1:
            raise ValueError(f"ImageNetResNet: layers must be 4 block counts of at least 1, got "
                             f"{tuple(layers)}")
        rng = as_rng(seed)
        self.block, self.layers, self.plain = block, tuple(layers), plain
        expansion = 4 if block == "bottleneck" else 1
        self.conv1 = Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False, seed=rng)
        self.bn1 = BatchNorm2d(64)
        self.relu = ReLU()
        self.maxpool = MaxPool2d(3, stride=2, padding=1)
        channels = 64
        for stage, (width, count) in enumerate(zip(WIDTHS, layers), start=1):
            blocks = []
            for i in range(count):
                stride = 2 if stage > 1 and i == 0 else 1
                if block == "basic":
                    blocks.append(BasicBlock(channels, width, stride, plain, seed=rng))
                else:
                    blocks.append(Bottleneck(channels, width * expansion, stride, plain,
                                             bottleneck_channels=width, seed=rng))
                channels = width * expansion
            setattr(self, f"layer{stage}", Sequential(*blocks))
        self.avgpool = GlobalAvgPool2d()
        self.fc = Linear(channels, num_classes, seed=rng)
        for module in self.modules():
            if isinstance(module, Conv2d):  # torchvision: kaiming_normal_(mode="fan_out")
                kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu", seed=rng)

    def stages(self) -> list:
        """The four stages, layer1 to layer4."""
        return [self.layer1, self.layer2, self.layer3, self.layer4]

    def stem(self, x: Tensor) -> Tensor:
        return self.maxpool(self.relu(self.bn1(self.conv1(x))))

    def forward(self, x: Tensor) -> Tensor:
        h = self.stem(x)
        for stage in self.stages():
            h = stage(h)
        return self.fc(self.avgpool(h))

    def extra_repr(self) -> str:
        return f"block={self.block!r}, layers={self.layers}, plain={self.plain}"


def resnet(depth: int, num_classes: int = 1000, plain: bool = False,
           seed: Seed = None) -> ImageNetResNet:
    """ResNet-`depth` for depth in 18, 34, 50, 101, 152 (He et al. 2015, Table 1)."""
    if depth not in LAYOUTS:
        raise ValueError(f"resnet: depth must be one of {sorted(LAYOUTS)}, got {depth}")
    block, layers = LAYOUTS[depth]
    return ImageNetResNet(block, layers, num_classes, plain=plain, seed=seed)


def resnet18(num_classes: int = 1000, seed: Seed = None) -> ImageNetResNet:
    """BasicBlocks [2, 2, 2, 2]: 11,689,512 parameters with 1000 classes, as torchvision."""
    return resnet(18, num_classes, seed=seed)


def resnet34(num_classes: int = 1000, seed: Seed = None) -> ImageNetResNet:
    """BasicBlocks [3, 4, 6, 3]: 21,797,672 parameters with 1000 classes."""
    return resnet(34, num_classes, seed=seed)


def resnet50(num_classes: int = 1000, seed: Seed = None) -> ImageNetResNet:
    """Bottlenecks [3, 4, 6, 3]: 25,557,032 parameters with 1000 classes."""
    return resnet(50, num_classes, seed=seed)


def resnet101(num_classes: int = 1000, seed: Seed = None) -> ImageNetResNet:
    """Bottlenecks [3, 4, 23, 3]: 44,549,160 parameters with 1000 classes."""
    return resnet(101, num_classes, seed=seed)


def resnet152(num_classes: int = 1000, seed: Seed = None) -> ImageNetResNet:
    """Bottlenecks [3, 8, 36, 3]: 60,192,808 parameters with 1000 classes."""
    return resnet(152, num_classes, seed=seed)


def from_torchvision(state_dict: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
    """A torchvision ResNet state dict (arrays) with our names: `downsample` -> `shortcut`."""
    return {re.sub(r"\.downsample\.", ".shortcut.", key): np.asarray(value)
            for key, value in state_dict.items()}


def projection_blocks(model: ImageNetResNet) -> int:
    """How many blocks have a projection shortcut (a 1x1 conv), not the identity."""
    return sum(isinstance(block.shortcut, Sequential) for stage in model.stages()
               for block in stage)


def block_count(model: ImageNetResNet) -> int:
    return sum(len(stage) for stage in model.stages())


__all__ = ["ImageNetResNet", "resnet", "resnet18", "resnet34", "resnet50", "resnet101",
           "resnet152", "from_torchvision", "projection_blocks", "block_count", "LAYOUTS"]
