"""A way out to PyTorch: the same network as a torch.nn module with the same weights, and back.

    >>> import nets
    >>> from nets.export import to_torch, from_torch
    >>> model = nets.ResNet(20, seed=0)          # trained here ...
    >>> torch_model = to_torch(model)            # doctest: +SKIP
    >>> from_torch(model, torch_model)           # doctest: +SKIP

(The lines marked SKIP need PyTorch; tests/test_nets_export*.py run them.) `torch_model`
continues where `model` stopped: same outputs, same gradients, same running statistics.

Every module keeps its name, so `to_torch(model).state_dict()` has exactly the keys of
`model.state_dict()`: weights are laid out as PyTorch lays them out already (Linear's weight
is (out_features, in_features), Conv2d's (out, in, kh, kw)), and batch norms carry
running_mean, running_var and num_batches_tracked. Each module's train / eval mode is copied
too. torch is optional: it is imported when one of these functions is called.

Where torch.nn has the module, the twin is torch.nn's own: MultiheadAttention, and for a
TransformerBlock torch.nn.TransformerEncoderLayer (dropout 0, batch_first, norm_first =
pre_norm), called as PyTorch calls it: `block(x, src_mask=mask, is_causal=True)` where the
nets block takes `block(x, is_causal=True)` and builds the mask itself (a CausalLM's twin does
that for its blocks).
"""
from __future__ import annotations

import inspect
from typing import Dict, Mapping

import numpy as np

from . import (activations, attention, blocks, conv, dropout, embedding, imagenet, layers, mlp,
               resnet, transformer, variants)
from .containers import ModuleList, Sequential
from .module import Module
from .export_torch import torch_classes


def _torch():
    try:
        import torch
    except ImportError:
        raise ImportError("nets.export needs PyTorch, which is not installed: "
                          "pip install torch==2.13.0 (a CPU build)") from None
    return torch


def _dtype(module: Module):
    """The torch dtype of a leaf layer's parameters (float64 unless converted with .to)."""
    torch = _torch()
    param = next(module.parameters(), None)
    return getattr(torch, str(param.dtype if param is not None else np.dtype(np.float64)))


def _leaf(module: Module):
    """The torch.nn layer for a nets layer that torch.nn has (None if it has none)."""
    nn = _torch().nn
    kind = type(module)
    if kind is layers.Linear:
        return nn.Linear(module.in_features, module.out_features, bias=module.bias is not None,
                         dtype=_dtype(module))
    if kind is layers.LayerNorm:
        return nn.LayerNorm(module.normalized_shape, eps=module.eps,
                            elementwise_affine=module.weight is not None, dtype=_dtype(module))
    if kind in (layers.BatchNorm1d, conv.BatchNorm2d):
        norm = nn.BatchNorm1d if kind is layers.BatchNorm1d else nn.BatchNorm2d
        return norm(module.num_features, eps=module.eps, momentum=module.momentum,
                    affine=module.weight is not None, dtype=_dtype(module))
    if kind is conv.Conv2d:
        return nn.Conv2d(module.in_channels, module.out_channels, module.kernel_size,
                         stride=module.stride, padding=module.padding, dilation=module.dilation,
                         groups=module.groups, bias=module.bias is not None,
                         dtype=_dtype(module))
    if kind is conv.MaxPool2d:
        return nn.MaxPool2d(module.kernel_size, stride=module.stride, padding=module.padding)
    if kind is conv.AvgPool2d:
        return nn.AvgPool2d(module.kernel_size, stride=module.stride, padding=module.padding,
                            count_include_pad=module.count_include_pad)
    if kind is attention.MultiheadAttention:
        return nn.MultiheadAttention(module.embed_dim, module.num_heads,
                                     bias=module.in_proj_bias is not None,
                                     batch_first=module.batch_first, dtype=_dtype(module))
    if kind is transformer.TransformerBlock:  # nets has no dropout there: torch's p is 0
        return nn.TransformerEncoderLayer(
            module.linear1.in_features, module.self_attn.num_heads,
            module.linear1.out_features, dropout=0.0, layer_norm_eps=module.norm1.eps,
            batch_first=True, norm_first=module.pre_norm, dtype=_dtype(module))
    if kind is conv.AdaptiveAvgPool2d:
        return nn.AdaptiveAvgPool2d(module.output_size)
    if kind.__module__ == activations.__name__:  # torch.nn's names and constructor arguments
        names = list(inspect.signature(kind.__init__).parameters)[1:]
        return getattr(nn, kind.__name__)(**{name: getattr(module, name) for name in names})
    if kind is embedding.Embedding:
        return nn.Embedding(module.num_embeddings, module.embedding_dim,
                            padding_idx=module.padding_idx, dtype=_dtype(module))
    if kind is layers.Flatten:
        return nn.Flatten(module.start_dim, module.end_dim)
    if kind is dropout.Dropout:
        return nn.Dropout(module.p)
    simple = {layers.ReLU: nn.ReLU, layers.Tanh: nn.Tanh, layers.Sigmoid: nn.Sigmoid,
              layers.Identity: nn.Identity, conv.GlobalAvgPool2d: torch_classes().GlobalAvgPool2d}
    return simple[kind]() if kind in simple else None


_SETTINGS = {variants.ScaledResidualLayer: ("scale",), transformer.CausalLM: ("max_len",)}


def _composite(module: Module, children: Dict[str, object]):
    """The torch twin of a nets block or network holding `children` (its own children,
    converted) under the same names; None if nets has no such class."""
    torch, twins = _torch(), torch_classes()
    nn = torch.nn
    kind = type(module)
    if kind is Sequential:
        return nn.Sequential(*children.values())
    if kind is ModuleList:
        return nn.ModuleList(children.values())
    chains = {mlp.PlainMLP: "layers", mlp.ResMLP: "layers", blocks.ResidualStack: "blocks",
              blocks.DeepResNet: "blocks"}
    mirrors = {mlp.PlainLayer: twins.PlainLayer, mlp.ResidualLayer: twins.ResidualLayer,
               blocks.PostActBlock: twins.PostActBlock, blocks.PreActBlock: twins.PreActBlock,
               blocks.BottleneckBlock: twins.BottleneckBlock,
               blocks.HighwayLayer: twins.HighwayLayer, resnet.BasicBlock: twins.BasicBlock,
               resnet.PreActBasicBlock: twins.PreActBasicBlock,
               resnet.Bottleneck: twins.Bottleneck, resnet.ResNet: twins.ResNet,
               imagenet.ImageNetResNet: twins.ImageNetResNet,
               variants.ScaledResidualLayer: twins.ScaledResidualLayer,
               variants.ReZeroLayer: twins.ReZeroLayer,
               variants.GatedResidualLayer: twins.GatedResidualLayer,
               transformer.CausalLM: twins.CausalLM}
    if kind in chains:
        twin = twins.Chain(chains[kind], kind.__name__)
    elif kind in mirrors:
        twin = mirrors[kind]()
    else:
        return None
    for name in _SETTINGS.get(kind, ()):  # plain numbers the forward reads
        setattr(twin, name, getattr(module, name))
    for name, param in module._parameters.items():  # its own (a nets.Parameter), e.g. alpha
        value = None if param is None else nn.Parameter(
            torch.zeros(param.shape, dtype=getattr(torch, str(param.dtype))))
        twin.register_parameter(name, value)  # the values are loaded with the state dict
    if kind in (resnet.BasicBlock, resnet.PreActBasicBlock, resnet.Bottleneck):
        twin.shortcut = None  # a plain block has none; a residual one sets it just below
    for name, child in children.items():
        setattr(twin, name, child)
    return twin


def _convert(module: Module, where: str = ""):
    """The torch twin of `module` (found at `where` in the network being converted)."""
    twin = _leaf(module)
    if twin is None:
        children = {name: _convert(child, f"{where}.{name}" if where else name)
                    for name, child in module.named_children()}
        twin = _composite(module, children)
    if twin is None:
        at = f" (at {where!r})" if where else ""
        raise TypeError(f"to_torch: no PyTorch equivalent for {type(module).__name__}{at}: "
                        f"nets.export knows the layers, blocks and networks nets defines, not "
                        f"subclasses or modules of your own")
    return twin


def to_torch(model: Module):
    """The torch.nn module that computes what `model` computes, with copies of its weights and
    buffers and each submodule in the same train / eval mode.

    >>> torch_model = to_torch(nets.ResMLP(20, 64, seed=0))                  # doctest: +SKIP
    >>> torch_model(torch.zeros(8, 64, dtype=torch.float64)).shape          # doctest: +SKIP
    torch.Size([8, 64])
    """
    torch = _torch()
    if not isinstance(model, Module):
        raise TypeError(f"to_torch: expected a nets.Module, got {type(model).__name__}")
    twin = _convert(model)
    state = {key: torch.from_numpy(np.array(value)) for key, value in model.state_dict().items()}
    twin.load_state_dict(state, strict=True)
    modes = dict(twin.named_modules())
    for name, module in model.named_modules():
        modes[name].train(module.training)  # train() recurses: parents first, then children
    return twin


def _as_arrays(source) -> Dict[str, np.ndarray]:
    torch = _torch()
    state = source.state_dict() if isinstance(source, torch.nn.Module) else source
    if not isinstance(state, Mapping):
        raise TypeError(f"from_torch: expected a torch.nn.Module or a state_dict (a mapping of "
                        f"names to tensors), got {type(source).__name__}")
    arrays = {}
    for key, value in state.items():
        if not isinstance(value, (torch.Tensor, np.ndarray)):
            raise TypeError(f"from_torch: {key!r} holds a {type(value).__name__}, expected a "
                            f"tensor")
        arrays[key] = value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else value
    return arrays


def from_torch(model: Module, source) -> Module:
    """Load the weights and buffers of a torch module (or of its `state_dict()`) into `model`,
    in place; `model` is returned. Every key must fit: a missing or unexpected key, or a shape
    that differs, is an error naming each one, and then nothing is changed. Values are cast
    to the dtype of `model`'s own arrays.

    >>> from_torch(nets.ResMLP(20, 64), torch_model)                        # doctest: +SKIP
    """
    where = f"from_torch({type(model).__name__})"
    arrays = _as_arrays(source)
    ours = model.state_dict()
    missing = [key for key in ours if key not in arrays]
    unexpected = [key for key in arrays if key not in ours]
    if missing or unexpected:
        parts = ([f"missing key(s) {', '.join(missing)}"] if missing else []) + (
            [f"unexpected key(s) {', '.join(unexpected)}"] if unexpected else [])
        raise KeyError(f"{where}: the torch state does not fit: {'; '.join(parts)}")
    wrong = [f"{key}: torch has {tuple(arrays[key].shape)}, the model has {value.shape}"
             for key, value in ours.items() if tuple(arrays[key].shape) != value.shape]
    if wrong:
        raise ValueError(f"{where}: shape mismatch for {'; '.join(wrong)}")
    model.load_state_dict(arrays)
    return model
