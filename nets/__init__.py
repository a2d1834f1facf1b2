"""nets: modules, layers, plain and residual networks, init schemes, optimizers, losses, data,
probes, and the hand-written numpy backprop they are checked against (nets.manual).

    >>> import nets
    >>> model = nets.ResMLP(depth=20, width=64, seed=0)
    >>> opt = nets.optim.Adam(model.parameters(), lr=1e-3)
"""
from . import data, init, losses, manual, optim, probes, utils
from . import activations, attention, embedding, transformer
from . import conv, digits, export, imagenet, manual_conv, resnet, variants
from .activations import ELU, GELU, Hardtanh, LeakyReLU, ReLU6, SiLU, Softplus
from .attention import MultiheadAttention
from .blocks import (BottleneckBlock, DeepResNet, HighwayLayer, PostActBlock, PreActBlock,
                     ResidualStack)
from .embedding import Embedding
from .conv import (AdaptiveAvgPool2d, AvgPool2d, BatchNorm2d, Conv2d, GlobalAvgPool2d,
                   MaxPool2d)
from .dropout import Dropout
from .imagenet import ImageNetResNet, resnet18, resnet34, resnet50, resnet101, resnet152
from .layers import BatchNorm1d, Flatten, Identity, LayerNorm, Linear, ReLU, Sigmoid, Tanh
from .mlp import PlainMLP, ResMLP, kaiming_mlp, seed000_network, seed001_network
from .containers import ModuleList, Sequential
from .module import Module
from .parameter import Parameter
from .probes import Probe, probe_layers
from .resnet import BasicBlock, Bottleneck, PreActBasicBlock, ResNet
from .transformer import CausalLM, TransformerBlock

__all__ = ["Module", "Parameter", "Sequential", "ModuleList", "Linear", "ReLU", "Tanh", "Sigmoid",
           "LeakyReLU", "ELU", "Softplus", "GELU", "SiLU", "Hardtanh", "ReLU6", "activations",
           "Identity", "LayerNorm", "BatchNorm1d", "PlainMLP", "ResMLP", "kaiming_mlp",
           "seed000_network", "seed001_network", "PostActBlock", "PreActBlock",
           "BottleneckBlock", "HighwayLayer", "ResidualStack", "DeepResNet", "Probe",
           "probe_layers", "data", "init", "losses", "manual", "optim", "probes",
           "Conv2d", "BatchNorm2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
           "GlobalAvgPool2d", "BasicBlock", "PreActBasicBlock", "Bottleneck", "ResNet", "conv", "digits",
           "manual_conv", "resnet", "export", "imagenet", "variants", "ImageNetResNet",
           "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "attention",
           "embedding", "transformer", "MultiheadAttention", "Embedding", "TransformerBlock",
           "CausalLM",
           "Dropout", "Flatten", "utils"]
