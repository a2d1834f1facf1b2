"""One op's backward called directly, as the tests of assignments 1 and 2 do: they come before
the graph walk of assignment 3, so they read what an op returns instead of `.grad`."""
import numpy as np


def returned(out, grad_output=None) -> tuple:
    """What the op that made `out` returns from backward(grad_output), one entry per input;
    grad_output defaults to ones (the gradient of out.sum()) and takes out's dtype."""
    grad = np.ones(out.shape, out.dtype) if grad_output is None else \
        np.asarray(grad_output, dtype=out.dtype)
    grads = out.grad_fn.backward(grad)
    return grads if isinstance(grads, tuple) else (grads,)


def gradient_for(x, out, grad_output=None) -> np.ndarray:
    """What the op that made `out` returns from backward(grad_output) for its input x."""
    return returned(out, grad_output)[[parent is x for parent in out.grad_fn.parents].index(True)]
