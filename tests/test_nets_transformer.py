"""nets/transformer.py: TransformerBlock against torch.nn.TransformerEncoderLayer (norm_first
= pre_norm) with the same weights, finite differences, and the causal LM's causality."""
import numpy as np
import pytest

from nets import CausalLM, TransformerBlock
from tinygrad_res import Tensor, gradcheck


@pytest.mark.parametrize("pre_norm", [True, False])
@pytest.mark.parametrize("causal", [True, False])
def test_block_matches_pytorchs_encoder_layer(torch, pre_norm, causal):
    d, heads, hidden, n, t = 8, 2, 12, 3, 5
    reference = torch.nn.TransformerEncoderLayer(d, heads, hidden, dropout=0.0, batch_first=True,
                                                 norm_first=pre_norm, dtype=torch.float64)
    with torch.no_grad():
        for name, p in reference.named_parameters():
            if name.endswith("bias") or name.startswith("norm"):
                p.add_(0.1 * torch.randn(p.shape, dtype=torch.float64))  # not the init values
    ours = TransformerBlock(d, heads, hidden, pre_norm=pre_norm)
    ours.load_state_dict({k: v.numpy() for k, v in reference.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((n, t, d))
    mine, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = ours(mine, is_causal=causal)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(t, dtype=torch.float64)
    expected = (reference(theirs, src_mask=mask, is_causal=True) if causal else
                reference(theirs))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    grad_output = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(grad_output)
    expected.backward(torch.tensor(grad_output))
    np.testing.assert_allclose(mine.grad, theirs.grad.numpy(), rtol=1e-9, atol=1e-12)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, dict(reference.named_parameters())[name].grad.numpy(),
                                   rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("pre_norm", [True, False])
def test_block_gradcheck(rng, pre_norm):
    block = TransformerBlock(4, 2, 6, pre_norm=pre_norm, seed=3)
    x = Tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    assert gradcheck(lambda x, *params: block(x, is_causal=True), x, *block.parameters())


def test_pre_norm_leaves_the_stream_a_chain_of_additions(rng):
    # zero the output layers of both sublayers: a pre-norm block is then the identity, a
    # post-norm block still normalises the stream
    x = Tensor(rng.standard_normal((2, 3, 4)) * 5 + 2)
    for pre_norm in (True, False):
        block = TransformerBlock(4, 2, pre_norm=pre_norm, seed=0)
        for layer in (block.self_attn.out_proj, block.linear2):
            layer.weight.data[:] = 0.0
            layer.bias.data[:] = 0.0
        out = block(x).data
        if pre_norm:
            np.testing.assert_array_equal(out, x.data)
        else:
            np.testing.assert_allclose(out.mean(axis=-1), 0.0, atol=1e-12)


def test_causal_lm_is_causal_and_learns_its_parameters(rng):
    lm = CausalLM(7, d_model=8, nhead=2, num_layers=2, max_len=6, seed=0)
    ids = rng.integers(0, 7, (2, 6))
    changed = ids.copy()
    changed[:, 4] = (changed[:, 4] + 1) % 7
    before, after = lm(ids).data, lm(changed).data
    np.testing.assert_array_equal(before[:, :4], after[:, :4])  # the past ignores the future
    assert not np.allclose(before[:, 4:], after[:, 4:])
    names = [name for name, _ in lm.named_parameters()]
    assert names[:2] == ["token.weight", "position.weight"] and "norm.weight" in names
    assert "norm.weight" not in [n for n, _ in CausalLM(7, 8, 2, 1, 6, pre_norm=False)
                                 .named_parameters()]
    with pytest.raises(ValueError, match=r"CausalLM: ids must be \(N, T\) with T <= max_len = 6"):
        lm(np.zeros((1, 7), int))
