"""tinygrad_res/attention.py: scaled dot-product attention by hand, by finite differences and
against torch.nn.functional.scaled_dot_product_attention."""
import math

import numpy as np
import pytest

from tinygrad_res import Tensor, gradcheck, scaled_dot_product_attention as sdpa
from tinygrad_res.attention import causal_mask


def test_attention_by_hand():
    q = Tensor([[1.0, 0.0]])                      # one query, E = 2
    k = Tensor([[1.0, 0.0], [0.0, 1.0]])          # two keys
    v = Tensor([[10.0], [20.0]])
    scores = np.array([1.0, 0.0]) / math.sqrt(2)  # q . k / sqrt(E)
    weights = np.exp(scores) / np.exp(scores).sum()
    np.testing.assert_allclose(sdpa(q, k, v).data, [[weights @ [10.0, 20.0]]])
    np.testing.assert_allclose(sdpa(q, k, v, scale=0.0).data, [[15.0]])  # equal weights


def test_causal_mask_is_top_left_aligned_like_pytorchs():
    np.testing.assert_array_equal(causal_mask(2, 3), [[True, False, False], [True, True, False]])
    x = Tensor(np.random.default_rng(0).standard_normal((4, 3)))
    out = sdpa(x, x, x, is_causal=True)
    np.testing.assert_allclose(out.data[0], x.data[0])  # the first query sees only key 0


def test_a_query_with_every_key_masked_gets_zeros_and_no_nan():
    rng = np.random.default_rng(1)
    q, k, v = (Tensor(rng.standard_normal(s), requires_grad=True)
               for s in ((3, 2), (4, 2), (4, 5)))
    mask = np.ones((3, 4), dtype=bool)
    mask[1] = False
    out = sdpa(q, k, v, attn_mask=mask)
    np.testing.assert_array_equal(out.data[1], 0.0)
    out.sum().backward()
    assert np.isfinite(q.grad).all() and np.isfinite(k.grad).all()
    np.testing.assert_array_equal(q.grad[1], 0.0)


CASES = {
    "plain": dict(),
    "causal": dict(is_causal=True),
    "scale": dict(scale=0.7),
    "bool mask, broadcast over the batch": dict(attn_mask="bool"),
    "float mask with a gradient": dict(attn_mask="float"),
}


def make_inputs(rng, batch=(2,), target=3, source=4):
    return [rng.standard_normal(batch + shape) for shape in ((target, 5), (source, 5),
                                                             (source, 2))]


def resolve(kwargs, rng, target=3, source=4):
    kwargs = dict(kwargs)
    if kwargs.get("attn_mask") == "bool":
        mask = rng.random((target, source)) > 0.4
        mask[:, 0] = True
        kwargs["attn_mask"] = mask
    elif kwargs.get("attn_mask") == "float":
        kwargs["attn_mask"] = rng.standard_normal((target, source))
    return kwargs


@pytest.mark.parametrize("case", list(CASES))
def test_attention_gradcheck(case):
    rng = np.random.default_rng(2)
    arrays = make_inputs(rng)
    kwargs = resolve(CASES[case], rng)
    inputs = [Tensor(a, requires_grad=True) for a in arrays]
    if case.startswith("float"):
        mask = Tensor(kwargs.pop("attn_mask"), requires_grad=True)
        assert gradcheck(lambda q, k, v, m: sdpa(q, k, v, attn_mask=m), *inputs, mask)
    else:
        assert gradcheck(lambda q, k, v: sdpa(q, k, v, **kwargs), *inputs)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("batch, target, source", [((), 3, 4), ((2, 3), 5, 2), ((1,), 4, 4)])
def test_attention_matches_pytorch(torch, case, batch, target, source):
    rng = np.random.default_rng(3)
    arrays = make_inputs(rng, batch, target, source)
    kwargs = resolve(CASES[case], rng, target, source)
    mask = kwargs.get("attn_mask")
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    torch_kwargs = dict(kwargs)
    if mask is not None:
        ours_mask = Tensor(mask, requires_grad=True) if mask.dtype.kind == "f" else mask
        kwargs["attn_mask"] = ours_mask
        torch_kwargs["attn_mask"] = torch.tensor(mask, requires_grad=mask.dtype.kind == "f")
    out = sdpa(*ours, **kwargs)
    expected = torch.nn.functional.scaled_dot_product_attention(*theirs, **torch_kwargs)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    grad_output = rng.standard_normal(out.shape)
    out.backward(grad_output)
    expected.backward(torch.tensor(grad_output))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-10, atol=1e-12)
    if mask is not None and mask.dtype.kind == "f":
        np.testing.assert_allclose(ours_mask.grad, torch_kwargs["attn_mask"].grad.numpy(),
                                   rtol=1e-10, atol=1e-12)


def test_fully_masked_rows_match_pytorch(torch):
    rng = np.random.default_rng(4)
    arrays = make_inputs(rng)
    mask = np.zeros((3, 4))
    mask[2] = -np.inf  # an additive -inf mask: the same "attend to nothing" as a bool one
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = sdpa(*ours, attn_mask=mask)
    expected = torch.nn.functional.scaled_dot_product_attention(*theirs,
                                                                attn_mask=torch.tensor(mask))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=1e-12)
    out.sum().backward()
    expected.sum().backward()
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("call, error, message", [
    (lambda q, k, v: sdpa(q[0, 0], k, v), ValueError, r"query, key and value need at least 2 dims"),
    (lambda q, k, v: sdpa(q, k[..., :3], v), ValueError, r"query \(2, 3, 5\) and key \(2, 4, 3\)"),
    (lambda q, k, v: sdpa(q, k, v[:, :2]), ValueError, r"key \(2, 4, 5\) and value \(2, 2, 2\)"),
    (lambda q, k, v: sdpa(q, k, v, np.ones((3, 4), bool), is_causal=True), ValueError,
     r"give attn_mask or is_causal=True, not both"),
    (lambda q, k, v: sdpa(q, k, v, dropout_p=0.1), ValueError, r"dropout_p must be 0.0"),
    (lambda q, k, v: sdpa(q, k, v, np.ones((3, 5), bool)), ValueError,
     r"attn_mask \(3, 5\) does not broadcast to the scores \(2, 3, 4\)"),
    (lambda q, k, v: sdpa(q, k, v, np.ones((3, 4), int)), TypeError,
     r"attn_mask must be bool or float, got int64"),
])
def test_attention_errors_name_the_shapes(call, error, message):
    q, k, v = (Tensor(a) for a in make_inputs(np.random.default_rng(5)))
    with pytest.raises(error, match="scaled_dot_product_attention: " + message):
        call(q, k, v)
