"""Convolutional residual networks for small images (He et al. 2015 and 2016; seed 004).

    BasicBlock        (v1, post-activation)  relu( bn(conv3(relu(bn(conv3(x))))) + shortcut(x) )
    PreActBasicBlock  (v2, pre-activation)   conv3(relu(bn(conv3(relu(bn(x)))))) + shortcut(x)
    Bottleneck        (v1)  relu( bn(conv1(relu(bn(conv3(relu(bn(conv1(x)))))))) + shortcut(x) )
                            (conv1, conv3: 1x1 and 3x3 convolutions)

The shortcut is the identity where the block keeps the shape, and "option B" where it does not
(stride 2 or more channels): a 1x1 convolution with that stride, then batch norm. `plain=True`
removes the shortcut, projection included, and changes nothing else: that is He et al.'s
"plain" network, the control the residual network is compared with.

PreActBasicBlock is the convolutional twin of nets.PreActBlock (nets/blocks.py), which works on
vectors.
"""
from __future__ import annotations

from typing import Optional

from tinygrad_res import Tensor

from .conv import BatchNorm2d, Conv2d, GlobalAvgPool2d
from .init import Seed, as_rng, kaiming_normal_
from .layers import Identity, Linear, ReLU
from .containers import ModuleList, Sequential
from .module import Module
from .sizes import check_size


def conv_he(in_channels: int, out_channels: int, kernel_size: int, stride: int, rng) -> Conv2d:
    """A bias-free convolution (batch norm supplies the shift) with He et al.'s initialisation,
    N(0, sqrt(2 / fan_in)), fan_in = in_channels * k * k; 'same' padding for odd k."""
    conv = Conv2d(in_channels, out_channels, kernel_size, stride=stride,
                  padding=kernel_size // 2, bias=False, seed=rng)
    kaiming_normal_(conv.weight, mode="fan_in", nonlinearity="relu", seed=rng)
    return conv


def conv_shortcut(in_channels: int, out_channels: int, stride: int, plain: bool, rng,
                  norm: bool = True) -> Optional[Module]:
    """None for a plain block; the identity if the shape is kept; else option B, a 1x1 conv
    with the block's stride (followed by batch norm when `norm`)."""
    if plain:
        return None
    if stride == 1 and in_channels == out_channels:
        return Identity()
    projection = conv_he(in_channels, out_channels, 1, stride, rng)
    return Sequential(projection, BatchNorm2d(out_channels)) if norm else projection


def _check_block(name: str, in_channels, out_channels, stride) -> tuple:
    """(in_channels, out_channels, stride) as ints, each at least 1."""
    return (check_size(name, "in_channels", in_channels, 1),
            check_size(name, "out_channels", out_channels, 1),
            check_size(name, "stride", stride, 1))


class BasicBlock(Module):
    """Two 3x3 convolutions with batch norm; ReLU after the addition (ResNet v1).

    `shortcut_seed` draws the projection's weights from a stream of their own, so a plain and a
    residual network built from the same seed share every weight on the main path.

    >>> import numpy as np
    >>> block = BasicBlock(16, 32, stride=2, seed=0)     # projection shortcut
    >>> block(Tensor(np.zeros((2, 16, 8, 8)))).shape
    (2, 32, 4, 4)
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, plain: bool = False,
                 seed: Seed = None, shortcut_seed: Seed = None) -> None:
        super().__init__()
        in_channels, out_channels, stride = _check_block("BasicBlock", in_channels, out_channels,
                                                         stride)
        rng = as_rng(seed)
        self.conv1 = conv_he(in_channels, out_channels, 3, stride, rng)
        self.bn1 = BatchNorm2d(out_channels)
        self.conv2 = conv_he(out_channels, out_channels, 3, 1, rng)
        self.bn2 = BatchNorm2d(out_channels)
        self.shortcut = conv_shortcut(in_channels, out_channels, stride, plain,
                                      rng if shortcut_seed is None else as_rng(shortcut_seed))

    def forward(self, x: Tensor) -> Tensor:
        h = self.bn1(self.conv1(x)).relu()
        h = self.bn2(self.conv2(h))
        if self.shortcut is not None:
            h = h + self.shortcut(x)
        return h.relu()


class PreActBasicBlock(Module):
    """Batch norm and ReLU before each 3x3 convolution (ResNet v2): on the identity path
    nothing but the addition touches x. A projection (1x1 conv, no norm: the next block
    normalises) reads the pre-activated input relu(bn1(x)), as in the authors' code."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, plain: bool = False,
                 seed: Seed = None, shortcut_seed: Seed = None) -> None:
        super().__init__()
        in_channels, out_channels, stride = _check_block("PreActBasicBlock", in_channels, out_channels,
                                                         stride)
        rng = as_rng(seed)
        self.bn1 = BatchNorm2d(in_channels)
        self.conv1 = conv_he(in_channels, out_channels, 3, stride, rng)
        self.bn2 = BatchNorm2d(out_channels)
        self.conv2 = conv_he(out_channels, out_channels, 3, 1, rng)
        self.shortcut = conv_shortcut(in_channels, out_channels, stride, plain,
                                      rng if shortcut_seed is None else as_rng(shortcut_seed),
                                      norm=False)

    def forward(self, x: Tensor) -> Tensor:
        pre = self.bn1(x).relu()
        h = self.conv2(self.bn2(self.conv1(pre)).relu())
        if self.shortcut is None:
            return h
        # the identity carries x itself; a projection reads the normalised input
        return h + (x if isinstance(self.shortcut, Identity) else self.shortcut(pre))


class Bottleneck(Module):
    """1x1 conv down to `bottleneck_channels` (out_channels // 4 by default), 3x3 conv there
    (with the block's stride), 1x1 conv up to out_channels; batch norm after each, ReLU after
    the addition. Three layers for the price of less than two full-width 3x3 convolutions."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, plain: bool = False,
                 bottleneck_channels: Optional[int] = None, seed: Seed = None,
                 shortcut_seed: Seed = None) -> None:
        super().__init__()
        in_channels, out_channels, stride = _check_block("Bottleneck", in_channels, out_channels,
                                                         stride)
        narrow = (max(1, out_channels // 4) if bottleneck_channels is None else
                  check_size("Bottleneck", "bottleneck_channels", bottleneck_channels, 1))
        rng = as_rng(seed)
        self.conv1 = conv_he(in_channels, narrow, 1, 1, rng)
        self.bn1 = BatchNorm2d(narrow)
        self.conv2 = conv_he(narrow, narrow, 3, stride, rng)
        self.bn2 = BatchNorm2d(narrow)
        self.conv3 = conv_he(narrow, out_channels, 1, 1, rng)
        self.bn3 = BatchNorm2d(out_channels)
        self.shortcut = conv_shortcut(in_channels, out_channels, stride, plain,
                                      rng if shortcut_seed is None else as_rng(shortcut_seed))

    def forward(self, x: Tensor) -> Tensor:
        h = self.bn1(self.conv1(x)).relu()
        h = self.bn2(self.conv2(h)).relu()
        h = self.bn3(self.conv3(h))
        if self.shortcut is not None:
            h = h + self.shortcut(x)
        return h.relu()


BLOCKS = {"basic": BasicBlock, "preact": PreActBasicBlock, "bottleneck": Bottleneck}


def blocks_per_stage(depth: int, block: str) -> int:
    """n of the CIFAR layout: depth = 6n + 2 (two-layer blocks) or 9n + 2 (bottlenecks)."""
    layers = 3 if block == "bottleneck" else 2
    depth = check_size("ResNet", "depth", depth, 1)
    n, rest = divmod(depth - 2, 3 * layers)
    if rest or n < 1:
        raise ValueError(f"ResNet: depth {depth} does not fit the CIFAR layout for {block!r} "
                         f"blocks: it must be {3 * layers}n + 2 with n >= 1 "
                         f"(e.g. {3 * layers + 2}, {6 * layers + 2}, {9 * layers + 2})")
    return n


class ResNet(Module):
    """The CIFAR-style network of He et al. 2015, section 4.2, for small images.

    3x3 conv (widths[0] channels) -> three stages of n blocks with widths (16, 32, 64) and
    strides 1, 2, 2 -> global average pooling -> Linear. `depth` counts the weighted layers on
    the main path (convolutions and the Linear, not projections): 6n + 2, or 9n + 2 for
    bottleneck blocks, whose stages are 4x wider (64, 128, 256) around a (16, 32, 64) bottleneck.
    Pre-activation networks end with batch norm and ReLU before pooling, as in He et al. 2016.

    >>> import numpy as np
    >>> model = ResNet(20, num_classes=10, seed=0)                 # ResNet-20
    >>> plain = ResNet(20, num_classes=10, plain=True, seed=0)     # plain-20, same main path
    >>> model(Tensor(np.zeros((4, 1, 8, 8)))).shape
    (4, 10)
    """

    def __init__(self, depth: int = 20, num_classes: int = 10, in_channels: int = 1,
                 block: str = "basic", plain: bool = False, widths=(16, 32, 64),
                 seed: Seed = None) -> None:
        super().__init__()
        if block not in BLOCKS:
            raise ValueError(f"ResNet: unknown block {block!r}, expected one of {sorted(BLOCKS)}")
        self.n = blocks_per_stage(depth, block)
        self.depth, self.block, self.plain = int(depth), block, plain
        num_classes = check_size("ResNet", "num_classes", num_classes, 1)
        in_channels = check_size("ResNet", "in_channels", in_channels, 1)
        if not isinstance(widths, (tuple, list)) or not widths:
            raise ValueError(f"ResNet: widths must be a non-empty tuple of channel counts, "
                             f"got {widths!r}")
        widths = [check_size("ResNet", f"widths[{i}]", w, 1) for i, w in enumerate(widths)]
        rng = as_rng(seed)
        shortcut_rng = rng.spawn(1)[0]  # a separate stream: projections do not shift the rest
        expansion = 4 if block == "bottleneck" else 1
        stem_conv = conv_he(in_channels, widths[0], 3, 1, rng)
        # a pre-activation block starts with its own bn and relu, and the last one ends without
        self.stem = (Sequential(stem_conv) if block == "preact" else
                     Sequential(stem_conv, BatchNorm2d(widths[0]), ReLU()))
        blocks, channels = [], widths[0]
        for stage, width in enumerate(widths):
            for i in range(self.n):
                stride = 2 if stage > 0 and i == 0 else 1
                extra = {"bottleneck_channels": width} if block == "bottleneck" else {}
                blocks.append(BLOCKS[block](channels, width * expansion, stride, plain,
                                            seed=rng, shortcut_seed=shortcut_rng, **extra))
                channels = width * expansion
        self.blocks = ModuleList(blocks)
        self.head = Sequential(BatchNorm2d(channels), ReLU()) if block == "preact" else Identity()
        self.pool = GlobalAvgPool2d()
        self.fc = Linear(channels, num_classes, seed=rng)

    def forward(self, x: Tensor) -> Tensor:
        h = self.stem(x)
        for block in self.blocks:
            h = block(h)
        return self.fc(self.pool(self.head(h)))

    def extra_repr(self) -> str:
        return f"depth={self.depth}, block={self.block!r}, plain={self.plain}, n={self.n}"
