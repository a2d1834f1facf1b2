"""The same gradients fed to one of our optimizers and to torch's: the parameters must agree
after every step (float64, to 1e-12). Feeding gradients, not training a network, keeps the
comparison about the update rule alone."""
import numpy as np

from tinygrad_res import Tensor

SHAPES = [(3, 4), (4,), (2, 2, 3)]


def assert_steps_match_torch(torch, make_ours, make_theirs, steps: int = 8, seed: int = 0,
                             rtol: float = 1e-12) -> list:
    """Run `steps` steps of both optimizers on the same start and gradients; parameter 1 gets
    no gradient on step 3 (both skip it). Returns our parameters."""
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal(shape) for shape in SHAPES]
    ours = [Tensor(a, requires_grad=True) for a in start]
    theirs = [torch.tensor(a, requires_grad=True) for a in start]
    opt, opt_t = make_ours(ours), make_theirs(theirs)
    for step in range(steps):
        for p, p_t in zip(ours, theirs):
            g = rng.standard_normal(p.shape) * (1 + step)
            p.grad, p_t.grad = g.copy(), torch.tensor(g)
        if step == 3:
            ours[1].grad, theirs[1].grad = None, None
        opt.step()
        opt_t.step()
        for i, (p, p_t) in enumerate(zip(ours, theirs)):
            np.testing.assert_allclose(p.data, p_t.detach().numpy(), rtol=rtol, atol=1e-14,
                                       err_msg=f"parameter {i} after step {step + 1}")
    for p, a in zip(ours, start):
        assert not np.allclose(p.data, a)                 # it did move
    return ours
