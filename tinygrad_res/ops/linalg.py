"""Matrix products."""
import numpy as np

from ..function import Function


class MatMul(Function):
    """z = a @ b   dz/da = g @ b^T   dz/db = a^T @ g

    As numpy.matmul, for vectors and batches too. A 1-d a is a row vector (1, n) and a 1-d b a column vector (n, 1) for the products, and
    the added axis is dropped again from its gradient. Batch axes broadcast like any other op.
    """
    name = "matmul"
    rule = "a gets grad @ b^T, b gets a^T @ grad"

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: both operands need at least 1 dim, got shapes "
                             f"{a.shape} and {b.shape}")
        if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not align")
        self.save_for_backward(a, b)
        return a @ b

    def backward(self, grad_output):
        # BEGIN TASK 1.4
        a, b = self.saved
        if a.ndim == 1 and b.ndim == 1:  # dot product: a scalar output
            return grad_output * b, grad_output * a
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g = grad_output
        if a.ndim == 1:
            g = g[..., None, :]
        if b.ndim == 1:
            g = g[..., None]
        need_a, need_b = self.needs_input_grad  # a constant (data) needs no product
        grad_a = grad_b = None
        if need_a:
            grad_a = g @ b2.swapaxes(-1, -2)
            if a.ndim == 1:
                grad_a = grad_a[..., 0, :]
        if need_b:
            grad_b = a2.swapaxes(-1, -2) @ g
            if b.ndim == 1:
                grad_b = grad_b[..., 0]
        return grad_a, grad_b
        # END TASK 1.4


class Linear(Function):
    """z = x @ W^T + b
    dz/dx = g @ W   dz/dW = g^T @ x   dz/db = sum of g over the batch

    One op instead of three (transpose, matmul, add): what every nn.Linear layer runs.
    x is (..., in), W is (out, in), b is (out,).
    """
    name = "linear"
    rule = "x gets grad @ W, W gets grad^T @ x, b gets grad summed over the batch"

    def forward(self, x, weight, bias=None):
        if weight.ndim != 2 or x.shape[-1:] != weight.shape[1:]:
            raise ValueError(f"linear: input {x.shape} does not fit weight {weight.shape} "
                             f"(expected (..., {weight.shape[-1]}) for weight (out, in))")
        if bias is not None and bias.shape != weight.shape[:1]:
            raise ValueError(f"linear: bias {bias.shape} does not fit weight {weight.shape}")
        self.save_for_backward(x, weight)
        self.has_bias = bias is not None
        # np.dot is numpy.matmul for 2-d operands, with less call overhead on small arrays; a
        # batch (..., in) goes in as rows (np.dot of an N-d array skips BLAS: 10x slower)
        if x.ndim == 2:
            out = np.dot(x, weight.T)
        else:
            out = np.dot(x.reshape(-1, x.shape[-1]), weight.T).reshape(x.shape[:-1] + (-1,))
        if bias is None:
            return out
        if bias.dtype != out.dtype:  # float32 data with a float64 bias: numpy promotes
            return out + bias
        out += bias  # in place: out is a new array of ours, no second (batch, out) array
        return out

    def backward(self, grad_output):
        # BEGIN TASK 1.5
        x, weight = self.saved
        g2, x2 = grad_output, x
        if x.ndim != 2:  # a batch of any shape (..., in) is a stack of rows
            g2, x2 = grad_output.reshape(-1, grad_output.shape[-1]), x.reshape(-1, x.shape[-1])
        # as in matmul: an input that needs no gradient (data, a frozen weight) gets no product
        need_x, need_weight = self.needs_input_grad[:2]
        grad_x = None
        if need_x:
            grad_x = np.dot(g2, weight) if x.ndim == 2 else np.dot(g2, weight).reshape(x.shape)
        grad_weight = np.dot(g2.T, x2) if need_weight else None
        if self.has_bias:
            return grad_x, grad_weight, g2.sum(axis=0)
        return grad_x, grad_weight
        # END TASK 1.5
