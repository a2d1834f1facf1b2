"""tinygrad_res: a small reverse-mode autodiff engine on numpy.

    >>> from tinygrad_res import Tensor
    >>> w = Tensor([[0.5, -1.0]], requires_grad=True, name="w")
    >>> x = Tensor([2.0, 3.0], name="x")
    >>> loss = (w @ x).relu().sum()
    >>> loss.backward()
    >>> w.grad                        # relu(w @ x) = relu(-2) = 0: no gradient flows
    array([[0., 0.]])
"""
from .anomaly_mode import AnomalyError, detect_anomaly
from .attention import scaled_dot_product_attention
from .autograd import grad, jacobian
from .function import Function, backprop, topological_order, unbroadcast
from .functional import (adaptive_avg_pool2d, avg_pool2d, batch_norm, cat, concat, conv2d,
                         global_avg_pool2d, linear, max_pool2d, maximum, pad, stack, where)
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .gradcheck import GradcheckError, gradcheck, gradcheck_op, numerical_grad, numerical_jacobian
from .tensor import Tensor
from .jit import JitError, jit, rerun_on_replay  # noqa: E402  (after Tensor: it hooks it)

__all__ = ["Tensor", "Function", "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly",
           "AnomalyError", "gradcheck", "gradcheck_op", "numerical_grad", "numerical_jacobian",
           "GradcheckError",
           "grad", "backprop", "topological_order", "unbroadcast",
           "concat", "cat", "stack", "pad", "where", "maximum", "linear",
           "conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "global_avg_pool2d",
           "batch_norm", "jacobian", "jit", "rerun_on_replay", "JitError",
           "scaled_dot_product_attention"]
__version__ = "0.1.0"
