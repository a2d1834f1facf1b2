"""Batch normalisation as one op, with its closed-form backward.

Composing it from mean, sub, pow, sqrt and div works too, but records a dozen nodes per layer and
hides the formula a student is meant to derive; one op keeps it on one screen.
"""
import numpy as np

from ..function import Function
from .channels_last import PerChannel


class BatchNorm(Function):
    """z = gamma * xhat + beta,  xhat = (x - mean) / std
    dz/dx = gamma / std * (g - mean(g) - xhat * mean(g * xhat))  (training)
    dz/dgamma = sum of g * xhat   dz/dbeta = sum of g

    Normalises each channel (axis 1) over the batch and every other axis, then scales and shifts;
    std = sqrt(var + eps). Means and sums are per channel, over its m entries.
    training: mean and (biased) var are the batch's; they depend on x, hence the two terms
        subtracted from g. The running estimates move towards the batch's:
        r = (1 - momentum) r + momentum * batch, with the unbiased variance (times m / (m - 1)),
        in place, as PyTorch does.
    eval: mean and var are the running estimates, constants:   dz/dx = gamma / std * g
    Both:  dz/dgamma = sum of g * xhat   dz/dbeta = sum of g   (per channel); the two sums are
    also the ones the training-mode dz/dx needs.
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
        # how the (C,) vectors meet x: broadcast, or on rows of pixels for channels-last memory
        layout = PerChannel(x)
        xs = layout.flat(x)
        if training:
            count = x.size // channels
            if count < 2:
                raise ValueError(f"batch_norm: training needs more than 1 value per channel, "
                                 f"got input {x.shape}")
            mean = layout.sum(xs) / count
            xhat = xs - layout.spread(mean)  # centred; divided by std in place below
            var = layout.sum(xhat, xhat) / count
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
            xhat = xs - layout.spread(mean)
        inv_std = 1.0 / np.sqrt(var + eps)  # (C,), as mean and var
        xhat *= layout.spread(inv_std)  # in place: a new array this size costs as much as this
        self.save_for_backward(xhat, weight, inv_std)
        self.training, self.layout = training, layout
        out = xhat * layout.spread(weight)
        out += layout.spread(bias)
        return layout.shaped(out)

    def backward(self, grad_output):
        xhat, weight, inv_std = self.saved
        layout = self.layout
        g = layout.flat(grad_output)
        grad_weight, grad_bias = layout.sum(g, xhat), layout.sum(g)
        if not self.training:
            return layout.shaped(g * layout.spread(weight * inv_std)), grad_weight, grad_bias
        count = grad_output.size // grad_output.shape[1]
        # gamma / std * (g - mean(g) - xhat * mean(g * xhat)), built in one array: each new
        # array of this size costs as much as the arithmetic on it
        grad_x = xhat * layout.spread(-grad_weight / count)
        grad_x += g
        grad_x -= layout.spread(grad_bias / count)
        grad_x *= layout.spread(weight * inv_std)
        return layout.shaped(grad_x), grad_weight, grad_bias
