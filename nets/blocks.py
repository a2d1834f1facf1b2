"""Residual blocks for vectors, and a stack of them (seeds 002 and 004).

    PostActBlock   (ResNet v1)  relu( norm(W2 relu(norm(W1 x))) + shortcut(x) )
    PreActBlock    (ResNet v2)  W2 relu(norm(W1 relu(norm(x)))) + shortcut(x)
    BottleneckBlock             relu( norm(W3 relu(norm(W2 relu(norm(W1 x))))) + shortcut(x) )
    HighwayLayer                T(x) * H(x) + (1 - T(x)) * x,  T = sigmoid(Wt x + bt),
                                                               H = relu(Wh x + bh)

The shortcut is the identity when the block keeps the width, else a Linear projection
("option B" of He et al.). `norm` is "layer" (LayerNorm, the default), "batch" (BatchNorm1d)
or None (no normalisation: PostActBlock(norm=None) is seed 002's ResidualBlock).

Seen from the skip path, the post-activation block ends with a ReLU that can zero the identity
signal, while the pre-activation block leaves it a pure addition: the difference seed 000's
last paragraph and seed 004 are about.
"""
from __future__ import annotations

from typing import Optional, Union

from tinygrad_res import Tensor

from .init import Seed, as_rng, constant_
from .layers import BatchNorm1d, Identity, LayerNorm, Linear
from .containers import ModuleList
from .module import Module
from .sizes import check_size

NORMS = {"layer": LayerNorm, "batch": BatchNorm1d}


def make_norm(norm: Optional[str], features: int) -> Module:
    """"layer" -> LayerNorm, "batch" -> BatchNorm1d, None -> Identity (no normalisation)."""
    if norm is None:
        return Identity()
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {sorted(NORMS)} or None, got {norm!r}")
    return NORMS[norm](features)


def block_widths(block: str, in_features, out_features) -> tuple:
    """(in_features, out_features), checked; out_features None means in_features."""
    in_features = check_size(block, "in_features", in_features, 1)
    if out_features is None:
        return in_features, in_features
    return in_features, check_size(block, "out_features", out_features, 1)


def linear_shortcut(in_features: int, out_features: int, rng) -> Module:
    """The identity when the widths match, else a learned projection to the new width."""
    if in_features == out_features:
        return Identity()
    return Linear(in_features, out_features, seed=rng)


class PostActBlock(Module):
    """The original ResNet block (v1): Linear, norm, relu, Linear, norm, add, relu.

    >>> block = PostActBlock(8, seed=0)              # identity shortcut
    >>> block = PostActBlock(8, 16, norm=None)      # projection shortcut, no norm
    """

    def __init__(self, in_features: int, out_features: Optional[int] = None,
                 norm: Optional[str] = "layer", seed: Seed = None) -> None:
        super().__init__()
        in_features, out_features = block_widths("PostActBlock", in_features, out_features)
        self.in_features, self.out_features, self.norm = in_features, out_features, norm
        rng = as_rng(seed)
        self.fc1 = Linear(in_features, out_features, seed=rng)
        self.norm1 = make_norm(norm, out_features)
        self.fc2 = Linear(out_features, out_features, seed=rng)
        self.norm2 = make_norm(norm, out_features)
        self.shortcut = linear_shortcut(in_features, out_features, rng)

    def forward(self, x: Tensor) -> Tensor:
        h = self.norm1(self.fc1(x)).relu()
        h = self.norm2(self.fc2(h))
        return (h + self.shortcut(x)).relu()

    def residual_branch(self) -> list:
        return [self.fc1, self.fc2]


class PreActBlock(Module):
    """The pre-activation block (v2, "pre-norm"): norm, relu, Linear, norm, relu, Linear, add.
    Nothing but the addition touches the skip path."""

    def __init__(self, in_features: int, out_features: Optional[int] = None,
                 norm: Optional[str] = "layer", seed: Seed = None) -> None:
        super().__init__()
        in_features, out_features = block_widths("PreActBlock", in_features, out_features)
        self.in_features, self.out_features, self.norm = in_features, out_features, norm
        rng = as_rng(seed)
        self.norm1 = make_norm(norm, in_features)
        self.fc1 = Linear(in_features, out_features, seed=rng)
        self.norm2 = make_norm(norm, out_features)
        self.fc2 = Linear(out_features, out_features, seed=rng)
        self.shortcut = linear_shortcut(in_features, out_features, rng)

    def forward(self, x: Tensor) -> Tensor:
        h = self.fc1(self.norm1(x).relu())
        h = self.fc2(self.norm2(h).relu())
        return h + self.shortcut(x)

    def residual_branch(self) -> list:
        return [self.fc1, self.fc2]


class BottleneckBlock(Module):
    """Reduce to a narrow width, process there, expand back (seed 004's bottleneck, for
    vectors): Linear(in, b), norm, relu, Linear(b, b), norm, relu, Linear(b, out), norm, add,
    relu."""

    def __init__(self, in_features: int, bottleneck_features: int,
                 out_features: Optional[int] = None, norm: Optional[str] = "layer",
                 seed: Seed = None) -> None:
        super().__init__()
        in_features, out_features = block_widths("BottleneckBlock", in_features, out_features)
        bottleneck_features = check_size("BottleneckBlock", "bottleneck_features",
                                         bottleneck_features, 1)
        self.in_features, self.out_features, self.norm = in_features, out_features, norm
        self.bottleneck_features = bottleneck_features
        rng = as_rng(seed)
        self.reduce = Linear(in_features, bottleneck_features, seed=rng)
        self.norm1 = make_norm(norm, bottleneck_features)
        self.process = Linear(bottleneck_features, bottleneck_features, seed=rng)
        self.norm2 = make_norm(norm, bottleneck_features)
        self.expand = Linear(bottleneck_features, out_features, seed=rng)
        self.norm3 = make_norm(norm, out_features)
        self.shortcut = linear_shortcut(in_features, out_features, rng)

    def forward(self, x: Tensor) -> Tensor:
        h = self.norm1(self.reduce(x)).relu()
        h = self.norm2(self.process(h)).relu()
        h = self.norm3(self.expand(h))
        return (h + self.shortcut(x)).relu()

    def residual_branch(self) -> list:
        return [self.reduce, self.process, self.expand]


class HighwayLayer(Module):
    """y = T(x) * H(x) + (1 - T(x)) * x (Srivastava et al. 2015): a learned gate T in (0, 1)
    mixes the transform H(x) = relu(Wh x + bh) with the carried input. The gate's bias starts
    negative (`gate_bias`), so the layer starts close to carrying x through."""

    def __init__(self, width: int, gate_bias: float = -1.0, seed: Seed = None) -> None:
        super().__init__()
        self.in_features = self.out_features = width = check_size("HighwayLayer", "width", width, 1)
        rng = as_rng(seed)
        self.hidden = Linear(width, width, seed=rng)
        self.gate = Linear(width, width, seed=rng)
        constant_(self.gate.bias, gate_bias)

    def forward(self, x: Tensor) -> Tensor:
        transform = self.hidden(x).relu()
        carry_gate = self.gate(x).sigmoid()
        return carry_gate * transform + (1 - carry_gate) * x


BLOCKS = {"postact": PostActBlock, "preact": PreActBlock, "bottleneck": BottleneckBlock,
          "highway": HighwayLayer}


class ResidualStack(Module):
    """`n_blocks` blocks of one kind, all of width `width`, applied in turn.

    `block` is a name from BLOCKS or a block class; extra keyword arguments go to every block
    (e.g. `bottleneck_features=4`, `norm=None`). Usable hundreds of blocks deep: nothing in
    the forward or the engine's backward recurses.

    >>> model = ResidualStack(100, 16, block="preact", seed=0)
    """

    def __init__(self, n_blocks: int, width: int, block: Union[str, type] = "preact",
                 seed: Seed = None, **block_kwargs) -> None:
        super().__init__()
        name = type(self).__name__
        n_blocks = check_size(name, "n_blocks", n_blocks, 1)
        width = check_size(name, "width", width, 1)
        block_type = BLOCKS.get(block) if isinstance(block, str) else block
        if block_type is None:
            raise ValueError(f"ResidualStack: unknown block {block!r}, expected one of "
                             f"{sorted(BLOCKS)} or a block class")
        rng = as_rng(seed)
        self.width, self.block_type = width, block_type
        self.blocks = ModuleList(block_type(width, seed=rng, **block_kwargs)
                                 for _ in range(n_blocks))

    def forward(self, x: Tensor) -> Tensor:
        for block in self.blocks:
            x = block(x)
        return x


class DeepResNet(ResidualStack):
    """Seed 002's DeepResNet: `n_blocks` of its ResidualBlock, relu(fc2(relu(fc1(x))) + x),
    which is PostActBlock without normalisation."""

    def __init__(self, width: int = 128, n_blocks: int = 100, seed: Seed = None) -> None:
        super().__init__(n_blocks, width, block="postact", seed=seed, norm=None)
