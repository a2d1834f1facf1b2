"""Random op programs (tests/random_programs.py) against PyTorch: every step's values and dtype,
and the leaves' gradients, in float64 and float32."""
import numpy as np
import pytest

from random_programs import run_program

TOLERANCES = {np.float64: (1e-9, 1e-11), np.float32: (2e-4, 2e-5)}


def check_program(torch, seed: int, dtype) -> None:
    rtol, atol = TOLERANCES[dtype]
    trace, ours, theirs = run_program(torch, seed, dtype)
    where = f"program {seed} ({np.dtype(dtype).name}): " + " -> ".join(n for n, _, _ in trace)
    weights = np.random.default_rng(seed + 1)
    loss_ours, loss_theirs = 0.0, 0.0
    for name, out, expected in trace:
        assert out.shape == tuple(expected.shape), f"{where}: {name} shape"
        assert out.dtype == dtype, f"{where}: {name} gave {out.dtype}"
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=rtol, atol=atol,
                                   err_msg=f"{where}: {name} values")
        if out.requires_grad:
            w = weights.standard_normal(out.shape).astype(dtype)
            loss_ours = loss_ours + (out * w).sum()
            loss_theirs = loss_theirs + (expected * torch.tensor(w)).sum()
    if not trace or isinstance(loss_ours, float):
        return
    loss_ours.backward()
    loss_theirs.backward()
    for i, (a, b) in enumerate(zip(ours, theirs)):
        expected = np.zeros(a.shape, dtype) if b.grad is None else b.grad.numpy()
        got = np.zeros(a.shape, dtype) if a.grad is None else a.grad
        assert got.dtype == dtype, f"{where}: gradient of leaf {i} is {got.dtype}"
        np.testing.assert_allclose(got, expected, rtol=rtol * 10, atol=atol * 10,
                                   err_msg=f"{where}: gradient of leaf {i}")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_random_programs_match_torch(torch, dtype):
    for seed in range(100):
        check_program(torch, seed, dtype)
