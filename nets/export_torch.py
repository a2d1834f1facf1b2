"""The PyTorch twins of the networks nets builds beyond torch.nn's own layers (nets/export.py
puts them together). Each forward is the nets forward, line for line, on torch tensors:

    nets.blocks.PostActBlock   relu(norm2(fc2(relu(norm1(fc1(x))))) + shortcut(x))
    nets.blocks.PreActBlock    fc2(relu(norm2(fc1(relu(norm1(x)))))) + shortcut(x)
    nets.PreActBasicBlock      ... + (x if the shortcut is the identity else shortcut(pre)),
                               pre = relu(bn1(x)): a projection reads the pre-activated input
    nets.variants.ReZeroLayer  x + alpha * relu(linear(x)), alpha an nn.Parameter
    nets.transformer.CausalLM  its blocks are torch.nn.TransformerEncoderLayer (dropout 0),
                               called with the causal mask: block(x, src_mask, is_causal=True)

The classes are made on first use, so importing nets never imports torch.
"""
from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace


@lru_cache(maxsize=None)
def torch_classes() -> SimpleNamespace:
    """The torch.nn.Module classes, by the name of the nets class each one mirrors."""
    import torch
    from torch import nn

    class GlobalAvgPool2d(nn.Module):
        """(N, C, H, W) -> (N, C), the mean of each feature map."""

        def forward(self, x):
            return x.mean(dim=(2, 3))

    class PlainLayer(nn.Module):
        def forward(self, x):
            return self.relu(self.linear(x))

    class ResidualLayer(PlainLayer):
        """The plain layer with the input added back."""

        def forward(self, x):
            return x + super().forward(x)

    class Chain(nn.Module):
        """PlainMLP / ResMLP (`layers`) and ResidualStack / DeepResNet (`blocks`): one after
        another."""

        def __init__(self, attribute: str, name: str) -> None:
            super().__init__()
            self.attribute, self.name = attribute, name

        def _get_name(self) -> str:  # what repr() prints: the nets class's name
            return self.name

        def forward(self, x):
            for layer in getattr(self, self.attribute):
                x = layer(x)
            return x

    class PostActBlock(nn.Module):
        def forward(self, x):
            h = torch.relu(self.norm1(self.fc1(x)))
            h = self.norm2(self.fc2(h))
            return torch.relu(h + self.shortcut(x))

    class PreActBlock(nn.Module):
        def forward(self, x):
            h = self.fc1(torch.relu(self.norm1(x)))
            h = self.fc2(torch.relu(self.norm2(h)))
            return h + self.shortcut(x)

    class BottleneckBlock(nn.Module):
        def forward(self, x):
            h = torch.relu(self.norm1(self.reduce(x)))
            h = torch.relu(self.norm2(self.process(h)))
            h = self.norm3(self.expand(h))
            return torch.relu(h + self.shortcut(x))

    class HighwayLayer(nn.Module):
        def forward(self, x):
            transform = torch.relu(self.hidden(x))
            carry_gate = torch.sigmoid(self.gate(x))
            return carry_gate * transform + (1 - carry_gate) * x

    class BasicBlock(nn.Module):
        def forward(self, x):
            h = torch.relu(self.bn1(self.conv1(x)))
            h = self.bn2(self.conv2(h))
            if self.shortcut is not None:
                h = h + self.shortcut(x)
            return torch.relu(h)

    class PreActBasicBlock(nn.Module):
        def forward(self, x):
            pre = torch.relu(self.bn1(x))
            h = self.conv2(torch.relu(self.bn2(self.conv1(pre))))
            if self.shortcut is None:
                return h
            return h + (x if isinstance(self.shortcut, nn.Identity) else self.shortcut(pre))

    class Bottleneck(nn.Module):
        def forward(self, x):
            h = torch.relu(self.bn1(self.conv1(x)))
            h = torch.relu(self.bn2(self.conv2(h)))
            h = self.bn3(self.conv3(h))
            if self.shortcut is not None:
                h = h + self.shortcut(x)
            return torch.relu(h)

    class ResNet(nn.Module):
        def forward(self, x):
            h = self.stem(x)
            for block in self.blocks:
                h = block(h)
            return self.fc(self.pool(self.head(h)))

    class ImageNetResNet(nn.Module):
        def forward(self, x):
            h = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            for stage in (self.layer1, self.layer2, self.layer3, self.layer4):
                h = stage(h)
            return self.fc(self.avgpool(h))

    class ScaledResidualLayer(nn.Module):
        def forward(self, x):
            return x + self.scale * self.relu(self.linear(x))

    class ReZeroLayer(nn.Module):
        def forward(self, x):
            return x + self.alpha * self.relu(self.linear(x))

    class GatedResidualLayer(nn.Module):
        def forward(self, x):
            return x + torch.sigmoid(self.gate(x)) * self.relu(self.linear(x))

    class CausalLM(nn.Module):
        """ids (N, T) -> logits (N, T, vocab); ids a LongTensor or an integer array."""

        def forward(self, ids):
            ids = torch.as_tensor(ids)
            if ids.ndim != 2 or ids.shape[1] > self.max_len:
                raise ValueError(f"CausalLM: ids must be (N, T) with T <= max_len = "
                                 f"{self.max_len}, got shape {tuple(ids.shape)}")
            length = ids.shape[1]
            x = self.token(ids) + self.position(torch.arange(length, device=ids.device))
            mask = torch.ones(length, length, dtype=torch.bool, device=ids.device).triu(1)
            for block in self.blocks:  # True above the diagonal: a later key is not attended
                x = block(x, src_mask=mask, is_causal=True)
            return self.head(self.norm(x))

    return SimpleNamespace(
        GlobalAvgPool2d=GlobalAvgPool2d, PlainLayer=PlainLayer, ResidualLayer=ResidualLayer,
        Chain=Chain, PostActBlock=PostActBlock, PreActBlock=PreActBlock,
        BottleneckBlock=BottleneckBlock, HighwayLayer=HighwayLayer, BasicBlock=BasicBlock,
        PreActBasicBlock=PreActBasicBlock, Bottleneck=Bottleneck, ResNet=ResNet,
        ImageNetResNet=ImageNetResNet, ScaledResidualLayer=ScaledResidualLayer,
        ReZeroLayer=ReZeroLayer, GatedResidualLayer=GatedResidualLayer, CausalLM=CausalLM)
