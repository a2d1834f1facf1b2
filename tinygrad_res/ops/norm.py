"""Batch normalisation as one op, with its closed-form backward.

Composing it from mean, sub, pow, sqrt and div works too, but records a dozen nodes per layer and
hides the formula a student is meant to derive; one op keeps it on one screen.
"""
import numpy as np

from ..function import Function


class BatchNorm(Function):
    """z = gamma * xhat + beta,  xhat = (x - mean) / std
    dz/dx = (gx - mean(gx) - xhat * mean(gx * xhat)) / std  (training; gx = g * gamma)
    dz/dgamma = sum of g * xhat   dz/dbeta = sum of g

    Normalises each channel (axis 1) over the batch and every other axis, then scales and shifts;
    std = sqrt(var + eps).
    training: mean and (biased) var are the batch's; they depend on x, hence the two terms
        subtracted from gx, means over the m entries of a channel. The running estimates move towards the batch's: r = (1 - momentum) r + momentum * batch,
        with the unbiased variance (times m / (m - 1)), in place, as PyTorch does.
    eval: mean and var are the running estimates, constants:   dz/dx = gx / std
    Both:  dz/dgamma = sum of g * xhat   dz/dbeta = sum of g   (per channel)
    """
    name = "batch_norm"
    rule = ("x gets the gradient minus its batch mean and its projection on the normalised "
            "input, scaled by 1/std; weight and bias as in an affine layer")

    def forward(self, x, weight, bias, running_mean=None, running_var=None, training=False,
                momentum=0.1, eps=1e-5):
        if x.ndim < 2:
            raise ValueError(f"batch_norm: input must have a channel axis (N, C, ...), "
                             f"got shape {x.shape}")
        channels = x.shape[1]
        for what, array in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                            ("running_var", running_var)):
            if array is not None and array.shape != (channels,):
                raise ValueError(f"batch_norm: {what} {array.shape} does not match the "
                                 f"{channels} channels of input {x.shape}; expected ({channels},)")
        self.axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, channels) + (1,) * (x.ndim - 2)
        if training:
            count = x.size // channels
            if count < 2:
                raise ValueError(f"batch_norm: training needs more than 1 value per channel, "
                                 f"got input {x.shape}")
            mean, var = x.mean(axis=self.axes), x.var(axis=self.axes)
            if running_mean is not None:
                running_mean *= 1 - momentum
                running_mean += momentum * mean
            if running_var is not None:
                running_var *= 1 - momentum
                running_var += momentum * var * count / (count - 1)
        elif running_mean is None or running_var is None:
            raise ValueError("batch_norm: eval mode (training=False) needs running_mean and "
                             "running_var")
        else:
            mean, var = running_mean, running_var
        inv_std = (1.0 / np.sqrt(var + eps)).reshape(shape)
        xhat = (x - mean.reshape(shape)) * inv_std
        self.save_for_backward(xhat, weight.reshape(shape), inv_std)
        self.training = training
        return xhat * weight.reshape(shape) + bias.reshape(shape)

    def backward(self, grad_output):
        xhat, weight, inv_std = self.saved
        g = grad_output
        gx = g * weight
        if self.training:
            gx = (gx - gx.mean(axis=self.axes, keepdims=True)
                  - xhat * (gx * xhat).mean(axis=self.axes, keepdims=True))
        return gx * inv_std, (g * xhat).sum(axis=self.axes), g.sum(axis=self.axes)
