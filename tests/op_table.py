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

from tinygrad_res import (adaptive_avg_pool2d, avg_pool2d, batch_norm, concat, conv2d, linear,
                          max_pool2d, maximum, stack, where)

SAME = None
MASK = np.array([[True, False, True, True], [False, False, True, False], [True] * 4])
COND = np.array([[True], [False], [True]])
TIES = np.array([[1.0, 3.0, 3.0, -1.0], [2.0, 2.0, 2.0, 2.0], [0.0, 5.0, -5.0, 5.0]])
KINKS = np.array([-1.5, 0.0, 0.0, 2.0])


class Row(NamedTuple):
    op: str
    ours: Callable
    theirs: Optional[Callable]
    inputs: Tuple
    smooth: bool = True


def row(op: str, ours: Callable, theirs: Optional[Callable], *inputs, smooth: bool = True) -> Row:
    return Row(op, ours, theirs, inputs, smooth)


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
    "maximum": row("Maximum", maximum, lambda t, a, b: t.maximum(a, b), (3, 4), (4,)),
    "maximum ties": row("Maximum", maximum, lambda t, a, b: t.maximum(a, b),
                        TIES, np.array([2.0, 3.0, 0.0, 5.0]), smooth=False),
    "logsumexp": row("logsumexp", lambda a: a.logsumexp(1) + a.logsumexp((0, 1), keepdim=True),
                     lambda t, a: t.logsumexp(a, 1) + t.logsumexp(a, (0, 1), keepdim=True),
                     (3, 4)),
    "logsumexp large": row("logsumexp", lambda a: (a * 300.0).logsumexp(-1),
                           lambda t, a: t.logsumexp(a * 300.0, -1), (3, 4)),
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
