"""The op table: every op in tinygrad_res.ops has at least one row here.

tests/test_ops_table.py checks each row three ways: its gradients against central finite
differences (gradcheck, float64), its forward values and gradients against PyTorch's when torch
is installed, and that every op class of the engine appears in some row. A new op's test is one
row here.

A row is `Row(op, ours, theirs, *inputs, smooth=True)`:
    op      the op's class name in tinygrad_res.ops, e.g. "LeakyReLU", or the name of a
            composite op in tinygrad_res.composite, e.g. "logsumexp"
    ours    the expression on our tensors
    theirs  the same expression on torch tensors: SAME when it reads the same, else a function
            taking the torch module first
    inputs  shapes (filled with standard normal numbers) or arrays
    smooth  False when an input sits on a kink (relu or abs at 0, tied maxima): a finite
            difference straddles it and measures an average, so only PyTorch checks the gradient
"""
from typing import Callable, NamedTuple, Optional, Tuple

import numpy as np

from tinygrad_res import (adaptive_avg_pool2d, avg_pool2d, batch_norm, cat, concat, conv2d,
                          linear, max_pool2d, maximum, pad, stack, where)

SAME = None
MASK = np.array([[True, False, True, True], [False, False, True, False], [True] * 4])
COND = np.array([[True], [False], [True]])
TIES = np.array([[1.0, 3.0, 3.0, -1.0], [2.0, 2.0, 2.0, 2.0], [0.0, 5.0, -5.0, 5.0]])
KINKS = np.array([-1.5, 0.0, 0.0, 2.0])
BOUNDS = np.array([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
SIX = np.array([-1.0, 0.0, 3.0, 6.0, 7.0])
CONSTANT_ROW = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]])
INFINITE = np.array([[np.inf, 1.0], [-np.inf, -np.inf], [1.0, 2.0]])
EMPTY = np.zeros((2, 0))


class Row(NamedTuple):
    op: str
    ours: Callable
    theirs: Optional[Callable]
    inputs: Tuple
    smooth: bool = True


def row(op: str, ours: Callable, theirs: Optional[Callable], *inputs, smooth: bool = True) -> Row:
    return Row(op, ours, theirs, inputs, smooth)


def functional(name: str, *args, **kwargs) -> Callable:
    """torch.nn.functional.<name>(a, *args, **kwargs), the reference of a row."""
    return lambda t, a: getattr(t.nn.functional, name)(a, *args, **kwargs)


def matmul(a, b):
    return a @ b


def torch_batch_norm(training: bool):
    def run(t, x, w, b):
        mean, var = t.zeros(x.shape[1], dtype=x.dtype), t.ones(x.shape[1], dtype=x.dtype)
        return t.nn.functional.batch_norm(x, mean, var, w, b, training=training)
    return run


def our_batch_norm(training: bool):
    def run(x, w, b):
        mean, var = np.zeros(x.shape[1]), np.ones(x.shape[1])
        return batch_norm(x, mean, var, w, b, training=training)
    return run


ROWS = {
    "add broadcast": row("Add", lambda a, b: a + b, SAME, (3, 4), (4,)),
    "sub broadcast": row("Sub", lambda a, b: a - b, SAME, (3, 1), (1, 4)),
    "mul outer": row("Mul", lambda a, b: a * b, SAME, (3, 1), (1, 4)),
    "mul scalar": row("Mul", lambda a, b: a * b, SAME, (), (3, 4)),
    "div broadcast": row("Div", lambda a, b: a / (b * b + 1.0), SAME, (2, 3, 4), (3, 1)),
    "neg and numbers": row("Neg", lambda a: 2.0 - (-a) * 3.0 / 4.0 + 1.0 / (a * a + 1.0), SAME,
                           (3, 4)),
    "pow number": row("PowScalar", lambda a: (a * a + 0.5) ** 1.5 + a ** 3 + a ** -2, SAME,
                      (3, 4)),
    "pow 0 at zero": row("PowScalar", lambda a: a ** 0 + a ** 2, SAME, np.array([0.0, 1.5])),
    "number ** tensor": row("Pow", lambda a: 2.0 ** a, SAME, (3, 4)),
    "tensor ** tensor": row("Pow", lambda a, b: (a * a + 0.5) ** b, SAME, (3, 4), (4,)),
    "zero base": row("Pow", lambda a, b: a ** b, SAME, np.array([0.0, 0.0, 2.0]),
                     np.array([2.0, 0.0, 1.5]), smooth=False),
    "vec@vec": row("MatMul", matmul, SAME, (4,), (4,)),
    "mat@vec": row("MatMul", matmul, SAME, (3, 4), (4,)),
    "vec@mat": row("MatMul", matmul, SAME, (4,), (4, 2)),
    "mat@mat": row("MatMul", matmul, SAME, (3, 4), (4, 2)),
    "batched broadcast matmul": row("MatMul", matmul, SAME, (2, 1, 3, 4), (5, 4, 2)),
    "vec@batch": row("MatMul", matmul, SAME, (4,), (2, 4, 3)),
    "linear": row("Linear", linear, lambda t, x, w, b: t.nn.functional.linear(x, w, b),
                  (2, 3, 4), (5, 4), (5,)),
    "linear no bias": row("Linear", linear, lambda t, x, w: t.nn.functional.linear(x, w),
                          (3, 4), (5, 4)),
    "exp log": row("Exp", lambda a: a.exp() + (a * a + 0.1).log(), SAME, (3, 4)),
    "log": row("Log", lambda a: (a * a + 0.1).log(), SAME, (3, 4)),
    "relu": row("ReLU", lambda a: a.relu(), SAME, (3, 4)),
    "relu with zeros": row("ReLU", lambda a: a.relu(), SAME, KINKS, smooth=False),
    "leaky_relu": row("LeakyReLU", lambda a: a.leaky_relu(0.2),
                      lambda t, a: t.nn.functional.leaky_relu(a, 0.2), (3, 4)),
    "leaky_relu default at zeros": row("LeakyReLU", lambda a: a.leaky_relu(),
                                       lambda t, a: t.nn.functional.leaky_relu(a), KINKS,
                                       smooth=False),
    "sign": row("Sign", lambda a: a.sign() * a, SAME, (3, 4)),
    "sign at zero": row("Sign", lambda a: a.sign(), SAME, KINKS, smooth=False),
    "clamp": row("Clamp", lambda a: a.clamp(-0.5, 0.5), SAME, (3, 4)),
    "clamp at the bounds": row("Clamp", lambda a: a.clamp(-0.5, 0.5), SAME, BOUNDS, smooth=False),
    "clamp min only": row("Clamp", lambda a: a.clamp(min=0.2), SAME, (3, 4)),
    "clip max only": row("Clamp", lambda a: a.clip(max=0.2), SAME, (3, 4)),
    "clamp min above max": row("Clamp", lambda a: a.clamp(1.0, -1.0) * a, SAME, (3, 4)),
    "elu": row("ELU", lambda a: a.elu(0.7), functional("elu", 0.7), (3, 4)),
    "elu at zero": row("ELU", lambda a: a.elu(2.0), functional("elu", 2.0), KINKS, smooth=False),
    "elu large": row("ELU", lambda a: a.elu(), functional("elu"),
                     np.array([-800.0, -30.0, 30.0, 800.0])),
    "softplus beta threshold": row("Softplus", lambda a: a.softplus(2.0, 1.0),
                                   functional("softplus", beta=2.0, threshold=1.0), (3, 4)),
    "softplus large": row("Softplus", lambda a: a.softplus(), functional("softplus"),
                          np.array([-800.0, -30.0, 0.0, 19.5, 20.5, 800.0])),
    "gelu": row("GELU", lambda a: a.gelu(), functional("gelu"), (3, 4)),
    "gelu tanh": row("GELU", lambda a: a.gelu("tanh"), functional("gelu", approximate="tanh"),
                     (3, 4)),
    "hardtanh": row("Hardtanh", lambda a: a.hardtanh(-0.5, 1.0), functional("hardtanh", -0.5, 1.0),
                    (3, 4)),
    "hardtanh at the bounds": row("Hardtanh", lambda a: a.hardtanh(), functional("hardtanh"),
                                  BOUNDS, smooth=False),
    "relu6": row("relu6", lambda a: (a * 4.0).relu6(), lambda t, a: t.nn.functional.relu6(a * 4.0),
                 (3, 4)),
    "relu6 at 0 and 6": row("relu6", lambda a: a.relu6(), functional("relu6"), SIX, smooth=False),
    "silu": row("silu", lambda a: a.silu(), functional("silu"), (3, 4)),
    "tanh": row("Tanh", lambda a: a.tanh(), SAME, (3, 4)),
    "sigmoid large": row("Sigmoid", lambda a: a.sigmoid(), SAME,
                         np.array([-800.0, -30.0, 0.0, 0.3, 30.0, 800.0])),
    "sqrt": row("Sqrt", lambda a: (a * a + 0.1).sqrt(), SAME, (3, 4)),
    "abs": row("Abs", lambda a: a.abs(), SAME, (3, 4)),
    "abs with zeros": row("Abs", lambda a: a.abs(), SAME, KINKS, smooth=False),
    "sum tuple axis": row("Sum", lambda a: a.sum(axis=(0, -1), keepdims=True),
                          lambda t, a: a.sum(dim=(0, -1), keepdim=True), (2, 3, 4)),
    "sum all": row("Sum", lambda a: a.sum(), SAME, (2, 3)),
    "mean axis": row("Mean", lambda a: a.mean(axis=1), lambda t, a: a.mean(dim=1), (2, 3, 4)),
    "mean all": row("Mean", lambda a: a.mean(), SAME, (2, 3)),
    "max axis": row("Max", lambda a: a.max(axis=0), lambda t, a: a.amax(dim=0), (3, 4)),
    # torch.amax, like our max, shares the gradient evenly between tied maxima
    "max ties axis": row("Max", lambda a: a.max(axis=1), lambda t, a: a.amax(dim=1), TIES,
                         smooth=False),
    "max ties all": row("Max", lambda a: a.max(), lambda t, a: a.amax(), TIES, smooth=False),
    "max ties tuple keepdims": row("Max", lambda a: a.max(axis=(0, 1), keepdims=True),
                                   lambda t, a: a.amax(dim=(0, 1), keepdim=True), TIES,
                                   smooth=False),
    "sum dim= keepdim=": row("Sum", lambda a: a.sum(dim=1, keepdim=True), SAME, (2, 3, 4)),
    "sum and mean of 0-d over dim -1 and 0": row("Sum", lambda a: a.sum(-1) * 2.0 + a.mean(0),
                                                SAME, ()),
    "max of 0-d": row("Max", lambda a: a.max(dim=0), lambda t, a: a.amax(dim=0), ()),
    "min dim": row("Min", lambda a: a.min(dim=0), lambda t, a: a.amin(dim=0), (3, 4)),
    "min ties": row("Min", lambda a: a.min(axis=1) + a.min(), lambda t, a: a.amin(1) + a.amin(),
                    -TIES, smooth=False),
    "var": row("Var", lambda a: a.var(1), SAME, (3, 4)),
    "var all unbiased=False": row("Var", lambda a: a.var(unbiased=False), SAME, (3, 4)),
    "var tuple keepdim correction 0": row(
        "Var", lambda a: a.var((0, 2), keepdim=True, correction=0), SAME, (2, 3, 4)),
    "var correction 2.5": row("Var", lambda a: a.var(0, correction=2.5), SAME, (4, 3)),
    "std": row("Std", lambda a: a.std(dim=0), SAME, (4, 3)),
    "std keepdim correction 0": row("Std", lambda a: a.std(-1, keepdim=True, correction=0), SAME,
                                    (3, 4)),
    "std of a constant row": row("Std", lambda a: a.std(1), SAME, CONSTANT_ROW, smooth=False),
    "maximum": row("Maximum", maximum, lambda t, a, b: t.maximum(a, b), (3, 4), (4,)),
    "maximum ties": row("Maximum", maximum, lambda t, a, b: t.maximum(a, b),
                        TIES, np.array([2.0, 3.0, 0.0, 5.0]), smooth=False),
    "logsumexp": row("logsumexp", lambda a: a.logsumexp(1) + a.logsumexp((0, 1), keepdim=True),
                     lambda t, a: t.logsumexp(a, 1) + t.logsumexp(a, (0, 1), keepdim=True),
                     (3, 4)),
    "logsumexp large": row("logsumexp", lambda a: (a * 300.0).logsumexp(-1),
                           lambda t, a: t.logsumexp(a * 300.0, -1), (3, 4)),
    "logsumexp infinite": row("logsumexp", lambda a: a.logsumexp(1),
                              lambda t, a: t.logsumexp(a, 1), INFINITE, smooth=False),
    "logsumexp size-0 dim": row("logsumexp", lambda a: a.logsumexp(dim=1),
                                lambda t, a: t.logsumexp(a, 1), EMPTY, smooth=False),
    "softmax of 0-d": row("Softmax", lambda a: a.softmax(0) * a, SAME, ()),
    "log_softmax of 0-d": row("LogSoftmax", lambda a: a.log_softmax(-1) + a, SAME, ()),
    "softmax size-0 dim": row("Softmax", lambda a: a.softmax(dim=1), SAME, EMPTY),
    "log_softmax size-0 dim": row("LogSoftmax", lambda a: a.log_softmax(dim=1), SAME, EMPTY),
    "softmax": row("Softmax", lambda a: a.softmax(axis=0), lambda t, a: a.softmax(dim=0),
                   (3, 4)),
    "log_softmax large": row("LogSoftmax", lambda a: (a * 500.0).log_softmax(axis=-1),
                             lambda t, a: (a * 500.0).log_softmax(dim=-1), (3, 4)),
    "reshape transpose T": row("Reshape",
                               lambda a: a.reshape(4, -1).transpose(1, 0).T.transpose(0, 1),
                               SAME, (2, 3, 2)),
    "transpose 3-d": row("Permute", lambda a: a.transpose(0, 2), SAME, (2, 3, 4)),
    "transpose negative": row("Permute", lambda a: a.transpose(-1, -2), SAME, (2, 3, 4)),
    "permute": row("Permute", lambda a: a.permute(2, 0, 1), SAME, (2, 3, 4)),
    "expand": row("Expand", lambda a: a.expand(2, -1, 4), SAME, (3, 1)),
    "expand 0-d": row("Expand", lambda a: a.expand(2, 3), SAME, ()),
    "broadcast_to": row("Expand", lambda a: a.broadcast_to((2, 3, 4)), SAME, (3, 1)),
    "pad": row("Pad", lambda a: pad(a, (1, 2, 0, 1), value=0.5),
               lambda t, a: t.nn.functional.pad(a, (1, 2, 0, 1), value=0.5), (2, 3, 4)),
    "pad negative crops": row("Pad", lambda a: pad(a, [-1, 2, 1, -2]),
                              lambda t, a: t.nn.functional.pad(a, [-1, 2, 1, -2]), (3, 4, 5)),
    "flip": row("Flip", lambda a: a.flip(0, -1), SAME, (2, 3, 4)),
    "flip tuple": row("Flip", lambda a: a.flip((1,)), SAME, (2, 3)),
    "flatten": row("flatten", lambda a: a.flatten(1), SAME, (2, 3, 4)),
    "flatten middle": row("flatten", lambda a: a.flatten(start_dim=0, end_dim=-2), SAME,
                          (2, 3, 4)),
    "flatten 0-d": row("flatten", lambda a: a.flatten(), SAME, ()),
    "unsqueeze": row("unsqueeze", lambda a: a.unsqueeze(-1) * a.unsqueeze(0), SAME, (3,)),
    "squeeze all": row("squeeze", lambda a: a.squeeze(), SAME, (1, 3, 1, 2)),
    "squeeze dims": row("squeeze", lambda a: a.squeeze((0, 1, 2)), SAME, (1, 3, 1, 2)),
    "squeeze a dim not of size 1": row("squeeze", lambda a: a.squeeze(1), SAME, (1, 3)),
    "cat dim": row("Concat", lambda a, b: cat([a, b], dim=-1),
                   lambda t, a, b: t.cat([a, b], dim=-1), (2, 3), (2, 1)),
    "getitem repeated": row("GetItem", lambda a: a[[0, 2, 0, 0]], SAME, (3, 4)),
    "getitem mixed": row("GetItem", lambda a: a[1:, [3, 3, 0]], SAME, (3, 4)),
    "getitem negative": row("GetItem", lambda a: a[-1, ::2], SAME, (3, 4)),
    "getitem mask": row("GetItem", lambda a: a[MASK], lambda t, a: a[t.tensor(MASK)], (3, 4)),
    "concat": row("Concat", lambda a, b: concat([a, b, a], axis=1),
                  lambda t, a, b: t.cat([a, b, a], dim=1), (2, 3), (2, 1)),
    "stack": row("Stack", lambda a, b: stack([a, b], axis=-1),
                 lambda t, a, b: t.stack([a, b], dim=-1), (2, 3), (2, 3)),
    "where": row("Where", lambda a, b: where(COND, a, b),
                 lambda t, a, b: t.where(t.tensor(COND), a, b), (3, 4), (4,)),
    "conv2d stride padding": row(
        "Conv2d", lambda x, w, b: conv2d(x, w, b, stride=2, padding=1),
        lambda t, x, w, b: t.nn.functional.conv2d(x, w, b, stride=2, padding=1),
        (2, 3, 5, 5), (4, 3, 3, 3), (4,)),
    "conv2d rectangular": row(
        "Conv2d", lambda x, w: conv2d(x, w, stride=(1, 2), padding=(2, 0)),
        lambda t, x, w: t.nn.functional.conv2d(x, w, stride=(1, 2), padding=(2, 0)),
        (1, 2, 4, 6), (3, 2, 3, 2)),
    "conv2d stride 1 padding 1": row(  # x's gradient as a convolution (the stride-1 route)
        "Conv2d", lambda x, w, b: conv2d(x, w, b, padding=1),
        lambda t, x, w, b: t.nn.functional.conv2d(x, w, b, padding=1),
        (2, 3, 5, 4), (4, 3, 3, 3), (4,)),
    "conv2d dilation groups": row(
        "Conv2d", lambda x, w, b: conv2d(x, w, b, padding=2, dilation=(2, 1), groups=2),
        lambda t, x, w, b: t.nn.functional.conv2d(x, w, b, padding=2, dilation=(2, 1),
                                                  groups=2),
        (2, 4, 6, 5), (6, 2, 3, 2), (6,)),
    "conv2d depthwise strided": row(
        "Conv2d", lambda x, w: conv2d(x, w, stride=2, padding=1, groups=3),
        lambda t, x, w: t.nn.functional.conv2d(x, w, stride=2, padding=1, groups=3),
        (2, 3, 7, 6), (3, 1, 3, 3)),
    "conv2d depthwise multiplier": row(  # groups = in channels, two outputs per channel
        "Conv2d", lambda x, w: conv2d(x, w, dilation=2, groups=2),
        lambda t, x, w: t.nn.functional.conv2d(x, w, dilation=2, groups=2),
        (1, 2, 6, 6), (4, 1, 2, 2)),
    "conv2d stride dilation": row(
        "Conv2d", lambda x, w: conv2d(x, w, stride=(2, 3), padding=(1, 0), dilation=(2, 1)),
        lambda t, x, w: t.nn.functional.conv2d(x, w, stride=(2, 3), padding=(1, 0),
                                               dilation=(2, 1)),
        (1, 2, 9, 8), (3, 2, 2, 3)),
    "conv2d padding wider than the kernel": row(  # d*(k-1) - p < 0: g is cropped, not padded
        "Conv2d", lambda x, w: conv2d(x, w, padding=(3, 2)),
        lambda t, x, w: t.nn.functional.conv2d(x, w, padding=(3, 2)),
        (1, 2, 3, 4), (2, 2, 2, 2)),
    "max_pool2d overlapping": row(
        "MaxPool2d", lambda x: max_pool2d(x, 3, stride=2),
        lambda t, x: t.nn.functional.max_pool2d(x, 3, stride=2), (2, 3, 7, 6)),
    "max_pool2d padded (the ImageNet stem's pool)": row(
        "MaxPool2d", lambda x: max_pool2d(x, 3, stride=2, padding=1),
        lambda t, x: t.nn.functional.max_pool2d(x, 3, stride=2, padding=1), (2, 3, 7, 6)),
    "avg_pool2d": row("AvgPool2d", lambda x: avg_pool2d(x, 2),
                      lambda t, x: t.nn.functional.avg_pool2d(x, 2), (2, 3, 6, 4)),
    "avg_pool2d padded": row(
        "AvgPool2d", lambda x: avg_pool2d(x, (3, 2), stride=(2, 1), padding=(1, 1)),
        lambda t, x: t.nn.functional.avg_pool2d(x, (3, 2), stride=(2, 1), padding=(1, 1)),
        (2, 3, 7, 5)),
    "avg_pool2d padded, pads not counted": row(
        "AvgPool2d", lambda x: avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False),
        lambda t, x: t.nn.functional.avg_pool2d(x, 3, stride=2, padding=1,
                                                count_include_pad=False), (2, 2, 6, 7)),
    "adaptive_avg_pool2d uneven": row(
        "AdaptiveAvgPool2d", lambda x: adaptive_avg_pool2d(x, (3, 2)),
        lambda t, x: t.nn.functional.adaptive_avg_pool2d(x, (3, 2)), (2, 2, 7, 5)),
    "batch_norm training": row("BatchNorm", our_batch_norm(True), torch_batch_norm(True),
                               (4, 3, 2, 2), (3,), (3,)),
    "batch_norm eval": row("BatchNorm", our_batch_norm(False), torch_batch_norm(False),
                           (4, 3), (3,), (3,)),
}
