"""Hand-written numpy forward and backward passes for conv2d, batch norm and a BasicBlock.

Independent references for the engine: they share no code with tinygrad_res, and take a
different route on purpose. The engine's conv2d gathers patches into an im2col matrix; here a
convolution is a sum of one shifted image per kernel offset. The engine's batch norm uses the
closed-form backward; here the backward walks the forward's steps in reverse, one by one.

Each `*_forward` returns (output, cache); each `*_backward(grad_output, cache)` returns the
gradients of the inputs, in order.

    >>> import numpy as np
    >>> x, w, b = np.ones((2, 3, 5, 5)), np.ones((4, 3, 3, 3)), np.zeros(4)
    >>> out, cache = conv2d_forward(x, w, b, stride=1, padding=1)
    >>> dx, dw, db = conv2d_backward(np.ones_like(out), cache)
    >>> out.shape, dx.shape, dw.shape, db.shape
    ((2, 4, 5, 5), (2, 3, 5, 5), (4, 3, 3, 3), (4,))
"""
from __future__ import annotations

import numpy as np


def _shifted(xp: np.ndarray, i: int, j: int, stride: int, out_h: int, out_w: int) -> np.ndarray:
    """The (N, C, OH, OW) pixels that kernel offset (i, j) reads, one per output pixel."""
    return xp[:, :, i:i + stride * out_h:stride, j:j + stride * out_w:stride]


def conv2d_forward(x: np.ndarray, w: np.ndarray, b, stride: int = 1, padding: int = 0):
    """out[n, o] = b[o] + sum over offsets (i, j) of W[:, :, i, j] applied to the input shifted
    by (i, j): kh * kw channel-mixing products, each over the whole batch at once."""
    p = padding
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    kh, kw = w.shape[2:]
    out_h, out_w = (xp.shape[2] - kh) // stride + 1, (xp.shape[3] - kw) // stride + 1
    out = np.zeros((x.shape[0], w.shape[0], out_h, out_w))
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("nchw,oc->nohw", _shifted(xp, i, j, stride, out_h, out_w),
                             w[:, :, i, j])
    if b is not None:
        out += b[None, :, None, None]
    return out, (x.shape, xp, w, b is not None, stride, padding)


def conv2d_backward(grad_output: np.ndarray, cache):
    """(dx, dw, db): each offset's product sends its share back to the pixels it read."""
    x_shape, xp, w, has_bias, stride, p = cache
    out_h, out_w = grad_output.shape[2:]
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i in range(w.shape[2]):
        for j in range(w.shape[3]):
            dw[:, :, i, j] = np.einsum("nohw,nchw->oc", grad_output,
                                       _shifted(xp, i, j, stride, out_h, out_w))
            _shifted(dxp, i, j, stride, out_h, out_w)[...] += np.einsum(
                "nohw,oc->nchw", grad_output, w[:, :, i, j])
    dx = dxp[:, :, p:p + x_shape[2], p:p + x_shape[3]]
    db = grad_output.sum(axis=(0, 2, 3)) if has_bias else None
    return dx, dw, db


def batch_norm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5):
    """Training-mode batch norm over (N, H, W) for each channel, in small named steps."""
    channel = (1, -1, 1, 1)
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    centred = x - mean
    var = (centred ** 2).mean(axis=(0, 2, 3), keepdims=True)
    std = np.sqrt(var + eps)
    xhat = centred / std
    out = gamma.reshape(channel) * xhat + beta.reshape(channel)
    return out, (centred, std, xhat, gamma.reshape(channel))


def batch_norm_backward(grad_output: np.ndarray, cache):
    """(dx, dgamma, dbeta), walking the forward's steps backwards."""
    centred, std, xhat, gamma = cache
    axes = (0, 2, 3)
    m = centred.size // centred.shape[1]
    dgamma, dbeta = (grad_output * xhat).sum(axis=axes), grad_output.sum(axis=axes)
    dxhat = grad_output * gamma
    # xhat = centred / std: centred gets a direct share, std collects from every entry
    dcentred = dxhat / std
    dstd = -(dxhat * centred).sum(axis=axes, keepdims=True) / std ** 2
    # std = sqrt(var + eps), var = mean(centred^2)
    dvar = dstd / (2 * std)
    dcentred += dvar * 2 * centred / m
    # centred = x - mean, mean = mean(x)
    dmean = -dcentred.sum(axis=axes, keepdims=True)
    return dcentred + dmean / m, dgamma, dbeta


def relu_forward(x: np.ndarray):
    return np.maximum(x, 0), x > 0


def basic_block_forward(x: np.ndarray, params: dict):
    """relu(bn2(conv2(relu(bn1(conv1(x))))) + x): a BasicBlock with an identity shortcut.
    `params` holds conv1, conv2 (weights), bn1_weight, bn1_bias, bn2_weight, bn2_bias."""
    h1, c1 = conv2d_forward(x, params["conv1"], None, 1, 1)
    h2, n1 = batch_norm_forward(h1, params["bn1_weight"], params["bn1_bias"])
    h3, r1 = relu_forward(h2)
    h4, c2 = conv2d_forward(h3, params["conv2"], None, 1, 1)
    h5, n2 = batch_norm_forward(h4, params["bn2_weight"], params["bn2_bias"])
    out, r2 = relu_forward(h5 + x)
    return out, (c1, n1, r1, c2, n2, r2)


def basic_block_backward(grad_output: np.ndarray, cache):
    """(dx, dict of parameter gradients). x feeds both the branch and the shortcut, so its
    gradient is the sum of the two: the extra term a plain block does not have."""
    c1, n1, r1, c2, n2, r2 = cache
    g = grad_output * r2
    d_shortcut = g
    g, grads_bn2_w, grads_bn2_b = batch_norm_backward(g, n2)
    g, d_conv2, _ = conv2d_backward(g, c2)
    g = g * r1
    g, grads_bn1_w, grads_bn1_b = batch_norm_backward(g, n1)
    d_branch, d_conv1, _ = conv2d_backward(g, c1)
    grads = {"conv1": d_conv1, "conv2": d_conv2, "bn1_weight": grads_bn1_w,
             "bn1_bias": grads_bn1_b, "bn2_weight": grads_bn2_w, "bn2_bias": grads_bn2_b}
    return d_branch + d_shortcut, grads
