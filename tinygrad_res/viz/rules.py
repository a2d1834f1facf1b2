"""Each op's local derivative rule in words, for step-through views.

The formulas come from the op classes' own docstrings ("z = a * b   dz/da = b   dz/db = a"), so
they cannot drift from the code; the sentences here say what the backward does with the
gradient, for a reader who does not yet read the formula fluently.
"""
from __future__ import annotations

BACKWARD_RULES = {
    "add": "pass the gradient unchanged to both inputs (dz/da = dz/db = 1)",
    "sub": "pass the gradient to a, and its negative to b",
    "mul": "each input gets the gradient times the other input",
    "div": "a gets grad / b; b gets -grad * a / b^2",
    "neg": "flip the sign of the gradient",
    "pow": "a gets grad * p * a^(p-1); a tensor exponent p gets grad * z * ln(a)",
    "matmul": "a gets grad @ b^T, b gets a^T @ grad",
    "linear": "x gets grad @ W, W gets grad^T @ x, b gets grad summed over the batch",
    "sum": "copy the gradient to every entry that was summed",
    "mean": "copy the gradient to every entry, divided by the number of entries averaged",
    "max": "the gradient goes to the largest entry (shared equally between ties)",
    "softmax": "grad_in = z * (grad - sum(grad * z))",
    "log_softmax": "grad_in = grad - softmax(a) * sum(grad)",
    "where": "a gets the gradient where cond is true, b where it is false",
    "maximum": "the gradient goes to the larger input (half to each at a tie)",
    "reshape": "reshape the gradient back to the input's shape",
    "transpose": "permute the gradient's axes back",
    "getitem": "scatter the gradient back to the picked entries, zero elsewhere",
    "concat": "cut the gradient into the piece each input contributed",
    "stack": "give each input its slice of the gradient",
    "exp": "multiply the gradient by e^a (the output itself)",
    "log": "divide the gradient by the input a",
    "relu": "pass grad where input > 0, zero elsewhere",
    "tanh": "multiply the gradient by 1 - z^2",
    "sigmoid": "multiply the gradient by z * (1 - z)",
    "sqrt": "divide the gradient by 2 z",
    "abs": "multiply the gradient by sign(a)",
    "conv2d": "each input window gets grad times the kernel weights (overlaps add up), W gets "
              "grad times the input windows summed over positions, b gets grad summed per "
              "output channel",
    "max_pool2d": "each window's gradient goes to the entry that was its maximum",
    "avg_pool2d": "each window's gradient is shared equally by the window's entries",
    "adaptive_avg_pool2d": "each output's gradient is shared equally by the entries it averaged",
    "batch_norm": "x gets the gradient minus its batch mean and its projection on the "
                  "normalised input, scaled by 1/std; weight and bias as in an affine layer",
}


def _docstring_parts(fn) -> list:
    """'z = a * b   dz/da = b   dz/db = a' -> ['z = a * b', 'dz/da = b', 'dz/db = a']."""
    doc = (type(fn).__doc__ or "").strip()
    first = doc.splitlines()[0] if doc else ""
    return [part.strip() for part in first.split("   ") if part.strip()]


def forward_formula(fn) -> str:
    """What the op computes, from its docstring: 'z = a * b'."""
    parts = _docstring_parts(fn)
    return parts[0] if parts else f"{fn.name}: see {type(fn).__name__}.forward"


def derivative_formula(fn) -> str:
    """The op's local derivatives, from its docstring: 'dz/da = b   dz/db = a'."""
    parts = _docstring_parts(fn)
    return "   ".join(parts[1:]) if len(parts) > 1 else ""


def backward_rule(fn) -> str:
    """The backward in words: 'relu: pass grad where input > 0, zero elsewhere'."""
    words = BACKWARD_RULES.get(fn.name, f"see {type(fn).__name__}.backward")
    return f"{fn.name}: {words}"
