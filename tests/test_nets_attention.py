"""nets/attention.py: MultiheadAttention against torch.nn.MultiheadAttention with the same
weights (outputs, attention weights, gradients, masks), finite differences, errors."""
import numpy as np
import pytest

from nets import MultiheadAttention
from tinygrad_res import Tensor, gradcheck


def test_parameters_have_pytorchs_names_shapes_and_init():
    mha = MultiheadAttention(8, 2, seed=0)
    shapes = {name: p.shape for name, p in mha.named_parameters()}
    assert shapes == {"in_proj_weight": (24, 8), "in_proj_bias": (24,),
                      "out_proj.weight": (8, 8), "out_proj.bias": (8,)}
    bound = np.sqrt(6 / (8 + 24))  # xavier_uniform_ on (3E, E)
    assert np.abs(mha.in_proj_weight.data).max() <= bound
    assert not mha.in_proj_bias.data.any() and not mha.out_proj.bias.data.any()
    assert [n for n, _ in MultiheadAttention(8, 2, bias=False).named_parameters()] == \
        ["in_proj_weight", "out_proj.weight"]


def test_one_head_by_hand(rng):
    mha = MultiheadAttention(3, 1, batch_first=True, seed=1)
    x = rng.standard_normal((1, 4, 3))
    w, b = mha.in_proj_weight.data, rng.standard_normal(9)
    mha.in_proj_bias.data = b
    q, k, v = (x[0] @ w[i * 3:(i + 1) * 3].T + b[i * 3:(i + 1) * 3] for i in range(3))
    scores = q @ k.T / np.sqrt(3)
    weights = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    expected = (weights @ v) @ mha.out_proj.weight.data.T + mha.out_proj.bias.data
    out, found = mha(Tensor(x), Tensor(x), Tensor(x))
    np.testing.assert_allclose(out.data[0], expected)
    np.testing.assert_allclose(found.data[0], weights)


def test_gradcheck(rng):
    mha = MultiheadAttention(4, 2, batch_first=True, seed=2)
    mha.in_proj_bias.data = rng.standard_normal(12)
    q = Tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    kv = Tensor(rng.standard_normal((2, 5, 4)), requires_grad=True)
    mask = rng.random((3, 5)) < 0.3

    def fn(q, kv, *params):
        return mha(q, kv, kv, attn_mask=mask)[0]
    assert gradcheck(fn, q, kv, *mha.parameters())


CASES = {
    "self-attention, (L, N, E)": dict(batch_first=False, source=5, target=5),
    "cross-attention, batch first": dict(batch_first=True, source=6, target=4),
    "bool attn_mask and key_padding_mask": dict(batch_first=True, source=5, target=5,
                                                attn_mask="bool", key_padding_mask=True),
    "float (N * H, L, S) attn_mask, per-head weights": dict(
        batch_first=False, source=6, target=4, attn_mask="float3d", average=False),
    "causal hint": dict(batch_first=True, source=5, target=5, attn_mask="causal",
                        is_causal=True, need_weights=False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_matches_pytorch(torch, case):
    c = CASES[case]
    rng = np.random.default_rng(len(case))
    embed, heads, n = 6, 3, 2
    reference = torch.nn.MultiheadAttention(embed, heads, batch_first=c["batch_first"],
                                            dtype=torch.float64)
    with torch.no_grad():  # non-zero biases, so that their gradients are compared too
        reference.in_proj_bias.normal_()
        reference.out_proj.bias.normal_()
    ours = MultiheadAttention(embed, heads, batch_first=c["batch_first"])
    ours.load_state_dict({k: v.numpy() for k, v in reference.state_dict().items()})

    def layout(length):
        return (n, length, embed) if c["batch_first"] else (length, n, embed)
    arrays = [rng.standard_normal(layout(c["target"])), rng.standard_normal(layout(c["source"])),
              rng.standard_normal(layout(c["source"]))]
    kwargs, torch_kwargs = {}, {}
    mask = {"bool": lambda: rng.random((c["target"], c["source"])) < 0.3,
            "float3d": lambda: rng.standard_normal((n * heads, c["target"], c["source"])),
            "causal": lambda: np.triu(np.ones((c["target"], c["source"]), bool), 1),
            None: lambda: None}[c.get("attn_mask")]()
    if mask is not None:
        kwargs["attn_mask"], torch_kwargs["attn_mask"] = mask, torch.tensor(mask)
    if c.get("key_padding_mask"):
        padding = np.zeros((n, c["source"]), bool)
        padding[1, -2:] = True
        kwargs["key_padding_mask"] = padding
        torch_kwargs["key_padding_mask"] = torch.tensor(padding)
    for name in ("is_causal", "need_weights"):
        if name in c:
            kwargs[name] = torch_kwargs[name] = c[name]
    if "average" in c:
        kwargs["average_attn_weights"] = torch_kwargs["average_attn_weights"] = c["average"]
    mine = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, weights = ours(*mine, **kwargs)
    expected, expected_weights = reference(*theirs, **torch_kwargs)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    if expected_weights is None:
        assert weights is None
    else:
        np.testing.assert_allclose(weights.data, expected_weights.detach().numpy(), atol=1e-12)
    grad_output = rng.standard_normal(out.shape)
    out.backward(grad_output)
    expected.backward(torch.tensor(grad_output))
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-9, atol=1e-12)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, dict(reference.named_parameters())[name].grad.numpy(),
                                   rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("call, message", [
    (lambda: MultiheadAttention(10, 3), r"embed_dim must be divisible by num_heads"),
    (lambda: MultiheadAttention(4, 2)(*(Tensor(np.ones((3, 4))),) * 3),
     r"query, key and value must be 3-d \(L, N, E\), got \(3, 4\)"),
    (lambda: MultiheadAttention(4, 2)(*(Tensor(np.ones((3, 2, 4))),) * 3, is_causal=True),
     r"is_causal=True is only a hint"),
    (lambda: MultiheadAttention(4, 2)(*(Tensor(np.ones((3, 2, 4))),) * 3,
                                      attn_mask=np.ones((2, 3), bool)),
     r"attn_mask must be \(3, 3\) or \(4, 3, 3\), got \(2, 3\)"),
    (lambda: MultiheadAttention(4, 2)(*(Tensor(np.ones((3, 2, 4))),) * 3,
                                      key_padding_mask=np.ones((3, 2), bool)),
     r"key_padding_mask must be \(N, S\) = \(2, 3\), got \(3, 2\)"),
])
def test_errors_name_what_is_wrong(call, message):
    with pytest.raises(ValueError, match="MultiheadAttention: " + message):
        call()
