"""nets.export for the modules landed after the first exporter: Conv2d's dilation and groups,
pooling's padding, the residual variants (ReZero's alpha a nets.Parameter), attention, the
transformer block and the causal language model, the ImageNet ResNet; dropout in train mode;
a module of one's own holding a Parameter is refused by name. Same outputs and gradients to
1e-12 in float64, in train and eval mode, as tests/test_nets_export.py checks the others."""
import numpy as np
import pytest
from test_nets_export import TOLERANCE, close, compare

import nets
from nets import imagenet, variants
from nets.attention import MultiheadAttention
from nets.export import from_torch, to_torch
from nets.losses import cross_entropy
from nets.transformer import CausalLM, TransformerBlock
from tinygrad_res import Tensor

CASES = [  # (label, factory, input shape)
    ("Conv2d dilation", lambda: nets.Conv2d(2, 3, 3, padding=2, dilation=2, seed=0), (3, 2, 7, 7)),
    ("Conv2d groups", lambda: nets.Conv2d(4, 6, (3, 2), stride=2, groups=2, seed=0),
     (3, 4, 7, 6)),
    ("Conv2d depthwise dilated", lambda: nets.Conv2d(3, 3, 3, padding=1, dilation=(1, 2),
                                                     groups=3, bias=False, seed=0), (3, 3, 6, 8)),
    ("MaxPool2d padding", lambda: nets.MaxPool2d(3, stride=2, padding=1), (3, 2, 7, 7)),
    ("AvgPool2d padding", lambda: nets.AvgPool2d(3, stride=2, padding=1), (3, 2, 7, 7)),
    ("AvgPool2d padding not counted",
     lambda: nets.AvgPool2d(2, padding=1, count_include_pad=False), (3, 2, 5, 5)),
    ("ScaledResidualLayer", lambda: variants.ScaledResidualLayer(5, 0.25, seed=0), (6, 5)),
    ("ReZeroLayer", lambda: variants.ReZeroLayer(5, alpha_init=0.3, seed=0), (6, 5)),
    ("ReZeroLayer at zero", lambda: variants.ReZeroLayer(5, seed=0), (6, 5)),
    ("GatedResidualLayer", lambda: variants.GatedResidualLayer(5, gate_bias=1.0, seed=0), (6, 5)),
    ("ResidualStack of ReZero", lambda: nets.ResidualStack(
        2, 5, block=lambda width, seed=None: variants.ReZeroLayer(width, 0.5, seed=seed),
        seed=0), (6, 5)),
    ("TransformerBlock pre-norm", lambda: TransformerBlock(8, 2, seed=0), (3, 4, 8)),
    ("TransformerBlock post-norm", lambda: TransformerBlock(8, 4, dim_feedforward=12,
                                                            pre_norm=False, seed=0), (3, 4, 8)),
    # 48 x 48: layer4's batch norm sees 2 x 2 x 2 values (at 1 x 1 and a batch of 2 its
    # gradient is ill-conditioned: rounding differences grow past 1e-12)
    ("ImageNetResNet", lambda: imagenet.ImageNetResNet(layers=(1, 1, 1, 1), num_classes=3,
                                                       in_channels=1, seed=0), (2, 1, 48, 48)),
]


@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("label, factory, shape", CASES, ids=[c[0] for c in CASES])
def test_new_modules_have_twins_with_the_same_outputs_and_gradients(torch, label, factory,
                                                                    shape, mode):
    rng = np.random.default_rng(2)
    model = factory()
    if mode == "eval":
        for _ in range(2):  # batch norms' running statistics move off their start
            model(Tensor(rng.standard_normal(shape)))
        model.eval()
    twin = to_torch(model)
    assert sorted(twin.state_dict()) == sorted(model.state_dict())
    assert all(m.training == (mode == "train") for m in twin.modules())
    compare(model, twin, torch, shape, rng)


def test_conv_settings_and_the_rezero_parameter_carry_over(torch):
    twin = to_torch(nets.Conv2d(4, 6, 3, padding=2, dilation=2, groups=2, seed=0))
    assert (twin.dilation, twin.groups, twin.padding) == ((2, 2), 2, (2, 2))
    layer = variants.ReZeroLayer(3, alpha_init=0.7, seed=0)
    twin = to_torch(layer)
    assert isinstance(twin.alpha, torch.nn.Parameter) and twin.alpha.item() == 0.7
    assert [name for name, _ in twin.named_parameters()] == [
        name for name, _ in layer.named_parameters()]
    target = variants.ReZeroLayer(3, seed=1)
    from_torch(target, twin)
    assert target.alpha.data.tolist() == [0.7]


def _pairs(model, twin):
    theirs = dict(twin.named_parameters())
    return [(name, param.grad, theirs[name].grad.numpy())
            for name, param in model.named_parameters()]


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")
@pytest.mark.parametrize("batch_first, bias", [(True, True), (False, True), (True, False)])
def test_multihead_attention_twin_masks_weights_and_gradients(torch, batch_first, bias):
    rng = np.random.default_rng(3)
    mha = MultiheadAttention(8, 2, bias=bias, batch_first=batch_first, seed=0)
    if bias:  # nets starts them at zero as torch does: move them so their gradient shows
        for param in (mha.in_proj_bias, mha.out_proj.bias):
            param.data[...] = rng.standard_normal(param.shape)
    twin = to_torch(mha)
    assert isinstance(twin, torch.nn.MultiheadAttention) and twin.batch_first == batch_first
    n, target, source = 3, 4, 5
    layout = (lambda length: (n, length, 8)) if batch_first else (lambda length: (length, n, 8))
    q, k, v = (rng.standard_normal(layout(length)) for length in (target, source, source))
    padding = np.zeros((n, source), dtype=bool)
    padding[0, -2:] = True
    attn_mask = rng.standard_normal((target, source))
    ours = [Tensor(a, requires_grad=True) for a in (q, k, v)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    out, weights = mha(*ours, key_padding_mask=padding, attn_mask=attn_mask)
    out_t, weights_t = twin(*theirs, key_padding_mask=torch.from_numpy(padding),
                            attn_mask=torch.from_numpy(attn_mask))
    g, gw = rng.standard_normal(out.shape), rng.standard_normal(weights.shape)
    ((out * Tensor(g)).sum() + (weights * Tensor(gw)).sum()).backward()
    ((out_t * torch.from_numpy(g)).sum() + (weights_t * torch.from_numpy(gw)).sum()).backward()
    pairs = [("output", out.data, out_t.detach().numpy()),
             ("weights", weights.data, weights_t.detach().numpy())]
    pairs += [(f"input {i} grad", a.grad, b.grad.numpy()) for i, (a, b) in
              enumerate(zip(ours, theirs))]
    for what, a, b in pairs + _pairs(mha, twin):
        assert close(np.asarray(a), b) <= TOLERANCE, what


@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("pre_norm", [True, False])
def test_causal_lm_twin_has_the_same_logits_and_gradients(torch, pre_norm, mode):
    rng = np.random.default_rng(4)
    lm = CausalLM(11, d_model=8, nhead=2, num_layers=2, max_len=6, pre_norm=pre_norm, seed=0)
    lm.train(mode == "train")
    twin = to_torch(lm)
    assert isinstance(twin.blocks[0], torch.nn.TransformerEncoderLayer)
    assert twin.blocks[0].norm_first == pre_norm and twin.training == (mode == "train")
    ids = rng.integers(0, 11, (3, 5))
    logits, logits_t = lm(ids), twin(torch.from_numpy(ids))
    assert close(logits.data, logits_t.detach().numpy()) <= TOLERANCE
    # the causal mask on both sides: logits at position 1 do not depend on later tokens
    changed = ids.copy()
    changed[:, 2:] = (changed[:, 2:] + 1) % 11
    assert close(lm(changed).data[:, :2], logits.data[:, :2]) <= TOLERANCE
    with torch.no_grad():  # (torch's eval fast path then: other kernels, not bit-equal)
        assert close(twin(torch.from_numpy(changed))[:, :2].numpy(),
                     logits_t[:, :2].detach().numpy()) <= TOLERANCE
    targets = rng.integers(0, 11, (3 * 5,))
    cross_entropy(logits.reshape(15, 11), targets).backward()
    torch.nn.functional.cross_entropy(logits_t.reshape(15, 11),
                                      torch.from_numpy(targets)).backward()
    for name, a, b in _pairs(lm, twin):
        assert close(a, b) <= TOLERANCE, name
    with pytest.raises(ValueError, match=r"CausalLM: ids must be \(N, T\) with T <= max_len = 6"):
        twin(torch.zeros(1, 7, dtype=torch.long))
    back = CausalLM(11, d_model=8, nhead=2, num_layers=2, max_len=6, pre_norm=pre_norm, seed=9)
    from_torch(back, twin)
    for name, value in lm.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[name], value)


def test_a_language_model_trained_here_continues_training_in_torch(torch):
    """Trained here with Adam, two more steps on each side with SGD and momentum. (Not Adam
    there: the key part of in_proj_bias has a zero gradient up to rounding, a softmax ignores
    a constant added to every score of a query, and Adam divides that rounding by its own
    size, so the two sides' steps for it differ by far more than 1e-12.)"""
    rng = np.random.default_rng(5)
    lm = CausalLM(9, d_model=8, nhead=2, num_layers=1, max_len=6, seed=0)
    ids, targets = rng.integers(0, 9, (4, 6)), rng.integers(0, 9, 24)
    optimizer = nets.optim.Adam(lm.parameters(), lr=1e-2)
    for _ in range(3):
        optimizer.zero_grad()
        cross_entropy(lm(ids).reshape(24, 9), targets).backward()
        optimizer.step()
    twin = to_torch(lm)
    ours = nets.optim.SGD(lm.parameters(), lr=0.1, momentum=0.9)
    theirs = torch.optim.SGD(twin.parameters(), lr=0.1, momentum=0.9)
    for _ in range(2):
        ours.zero_grad()
        loss = cross_entropy(lm(ids).reshape(24, 9), targets)
        loss.backward()
        ours.step()
        theirs.zero_grad()
        loss_t = torch.nn.functional.cross_entropy(twin(torch.from_numpy(ids)).reshape(24, 9),
                                                   torch.from_numpy(targets))
        loss_t.backward()
        theirs.step()
        assert abs(loss.item() - loss_t.item()) <= TOLERANCE
    state = twin.state_dict()
    for name, value in lm.state_dict().items():
        assert close(np.asarray(value), state[name].numpy()) <= TOLERANCE, name


def test_dropout_in_train_mode_drops_and_scales_as_ours(torch):
    """The masks are random on each side; each kept entry is scaled by 1 / (1 - p) on both."""
    model = nets.Sequential(nets.Linear(6, 400, seed=0), nets.Dropout(0.25, seed=0))
    twin = to_torch(model)
    assert twin.training and twin[1].training and twin[1].p == 0.25
    x = np.random.default_rng(6).standard_normal((5, 6))
    for out in (model(Tensor(x)).data, twin(torch.from_numpy(x)).detach().numpy()):
        kept = out != 0
        dense = model[0](Tensor(x)).data
        np.testing.assert_allclose(out[kept], dense[kept] / 0.75, rtol=1e-12)
        assert 0.2 < 1 - kept.mean() < 0.3


def test_embedding_and_flatten_twins_in_train_mode(torch):
    model = nets.Sequential(nets.Embedding(7, 3, padding_idx=2, seed=0), nets.Flatten(),
                            nets.Linear(6, 2, seed=1))
    twin = to_torch(model)
    ids = np.array([[2, 3], [6, 6], [1, 2]])
    out, out_t = model(ids), twin(torch.from_numpy(ids))
    assert close(out.data, out_t.detach().numpy()) <= TOLERANCE
    g = np.random.default_rng(7).standard_normal(out.shape)
    out.backward(g)
    out_t.backward(torch.from_numpy(g))
    for name, a, b in _pairs(model, twin):
        assert close(a, b) <= TOLERANCE, name


def test_a_module_of_ones_own_holding_a_parameter_is_refused_by_name(torch):
    class Scale(nets.Module):
        def __init__(self):
            super().__init__()
            self.factor = nets.Parameter(Tensor(np.ones(3)))

        def forward(self, x):
            return x * self.factor

    with pytest.raises(TypeError, match=r"no PyTorch equivalent for Scale \(at '1'\)"):
        to_torch(nets.Sequential(nets.Linear(3, 3), Scale()))


@pytest.mark.parametrize("pre_norm", [True, False])
def test_a_causal_transformer_block_is_torchs_encoder_layer_with_the_mask(torch, pre_norm):
    block = TransformerBlock(8, 2, pre_norm=pre_norm, seed=1)
    twin = to_torch(block)
    assert isinstance(twin, torch.nn.TransformerEncoderLayer) and twin.dropout.p == 0.0
    x = np.random.default_rng(8).standard_normal((2, 5, 8))
    mask = torch.ones(5, 5, dtype=torch.bool).triu(1)
    ours = block(Tensor(x), is_causal=True).data
    theirs = twin(torch.from_numpy(x), src_mask=mask, is_causal=True).detach().numpy()
    assert close(ours, theirs) <= TOLERANCE
    assert close(ours, twin(torch.from_numpy(x)).detach().numpy()) > 1e-3  # the mask matters
