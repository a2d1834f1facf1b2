"""nets: modules, layers, plain and residual networks, init schemes, optimizers, losses, data,
probes, and the hand-written numpy backprop they are checked against (nets.manual).

    >>> import nets
    >>> model = nets.ResMLP(depth=20, width=64, seed=0)
    >>> opt = nets.optim.Adam(model.parameters(), lr=1e-3)
"""
from . import data, init, losses, manual, optim, probes
from .blocks import (BottleneckBlock, DeepResNet, HighwayLayer, PostActBlock, PreActBlock,
                     ResidualStack)
from .layers import BatchNorm1d, Identity, LayerNorm, Linear, ReLU, Sigmoid, Tanh
from .mlp import PlainMLP, ResMLP, kaiming_mlp, seed000_network, seed001_network
from .module import Module, ModuleList, Sequential
from .probes import Probe, probe_layers

__all__ = ["Module", "Sequential", "ModuleList", "Linear", "ReLU", "Tanh", "Sigmoid",
           "Identity", "LayerNorm", "BatchNorm1d", "PlainMLP", "ResMLP", "kaiming_mlp",
           "seed000_network", "seed001_network", "PostActBlock", "PreActBlock",
           "BottleneckBlock", "HighwayLayer", "ResidualStack", "DeepResNet", "Probe",
           "probe_layers", "data", "init", "losses", "manual", "optim", "probes"]
