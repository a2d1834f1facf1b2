"""One class per differentiable op. Each file groups ops of one kind."""
from .arithmetic import Add, Div, Mul, Neg, Pow, PowScalar, Sub
from .conv import Conv2d
from .linalg import Linear, MatMul
from .norm import BatchNorm
from .pool import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .reduce import LogSoftmax, Max, Mean, Softmax, Sum
from .select import Maximum, Where
from .shape import Concat, GetItem, Reshape, Stack, Transpose
from .unary import Abs, Exp, Log, ReLU, Sigmoid, Sqrt, Tanh

__all__ = ["Add", "Sub", "Mul", "Div", "Neg", "Pow", "PowScalar", "MatMul", "Linear",
           "Sum", "Mean", "Max", "Softmax", "LogSoftmax", "Where", "Maximum",
           "Reshape", "Transpose", "GetItem", "Concat", "Stack",
           "Exp", "Log", "ReLU", "Sigmoid", "Sqrt", "Tanh", "Abs",
           "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "BatchNorm"]
