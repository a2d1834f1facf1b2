"""tinygrad_res.jit replays a training step exactly as eager mode runs it: the same losses, and
bit for bit the same parameters, gradients and buffers, for MLPs, a conv net and every optimizer.

Each test trains two copies of one network from the same weights, one eagerly and one through
`jit`, on the same batches, and compares them with np.array_equal after every step (steps 1-2
are recorded, the later ones replayed)."""
import numpy as np
import pytest

import nets
import tinygrad_res
from nets.losses import binary_cross_entropy_with_logits, cross_entropy, mse_loss
from tinygrad_res import AnomalyError, JitError, Tensor, detect_anomaly, no_grad

OPTIMIZERS = {
    "sgd": lambda p: nets.optim.SGD(p, lr=0.05),
    "sgd-momentum": lambda p: nets.optim.SGD(p, lr=0.05, momentum=0.9),
    "sgd-momentum-decay": lambda p: nets.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01),
    "adam": lambda p: nets.optim.Adam(p, lr=0.01),
    "adam-decay": lambda p: nets.optim.Adam(p, lr=0.01, weight_decay=0.01),
}


def train_both(make_model, make_optimizer, loss_fn, batches, check=None):
    """Train an eager copy and a jitted copy step by step; assert they agree exactly."""
    models = [make_model(), make_model()]
    opts = [make_optimizer(list(m.parameters())) for m in models]

    def step(model, opt, *batch):
        opt.zero_grad()
        loss = loss_fn(model, *batch)
        loss.backward()
        opt.step()
        return loss

    jitted = tinygrad_res.jit(lambda *batch: step(models[1], opts[1], *batch))
    for batch in batches:
        eager_loss = step(models[0], opts[0], *batch)
        jit_loss = jitted(*batch)
        assert eager_loss.data.tobytes() == jit_loss.data.tobytes()
        for (name, a), (_, b) in zip(models[0].state_dict().items(),
                                     models[1].state_dict().items()):
            assert np.array_equal(a, b), name
        for p, q in zip(models[0].parameters(), models[1].parameters()):
            assert np.array_equal(p.grad, q.grad)
    assert jitted.recorded_calls == 2 and jitted.replayed_calls == len(batches) - 2
    return models, jitted


def mlp_batches(count, shape, seed=0):
    rng = np.random.default_rng(seed)
    return [(Tensor(rng.uniform(-1, 1, size=shape)),) for _ in range(count)]


def identity_loss(model, x):
    return mse_loss(model(x), x)


def test_w0_seed000_cell_per_sample_sgd():
    samples = [(Tensor(row[None, :]),) for row in nets.data.identity_data()[:6]]
    train_both(lambda: nets.seed000_network(10, residual=True), OPTIMIZERS["sgd"],
               identity_loss, samples)


def test_w1_seed001_resmlp_adam():
    train_both(lambda: nets.seed001_network(residual=True, depth=4, width=16),
               OPTIMIZERS["adam"], identity_loss, mlp_batches(5, (8, 16)))


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_every_optimizer(optimizer):
    train_both(lambda: nets.kaiming_mlp(3, 6, residual=False, seed=1), OPTIMIZERS[optimizer],
               identity_loss, mlp_batches(5, (4, 6), seed=2))


def test_small_resnet_with_batch_norm_and_class_labels():
    """Conv, batch norm (running statistics and batch counter), pooling, cross_entropy with
    numpy int labels that change from batch to batch."""
    rng = np.random.default_rng(3)
    batches = [(Tensor(rng.normal(size=(4, 1, 8, 8))), rng.integers(0, 10, size=4))
               for _ in range(4)]

    def loss_fn(model, x, labels):
        return cross_entropy(model(x), labels)

    train_both(lambda: nets.ResNet(8, num_classes=10, widths=(4, 4, 8), seed=0),
               OPTIMIZERS["sgd-momentum-decay"], loss_fn, batches)


def test_layer_norm_batch_norm_1d_and_logits_loss():
    rng = np.random.default_rng(4)
    batches = [(Tensor(rng.normal(size=(6, 5))), Tensor(rng.integers(0, 2, size=(6, 2)) * 1.0))
               for _ in range(4)]

    def make():
        return nets.Sequential(nets.Linear(5, 4, seed=0), nets.LayerNorm(4), nets.ReLU(),
                               nets.Linear(4, 4, seed=1), nets.BatchNorm1d(4), nets.Tanh(),
                               nets.Linear(4, 2, seed=2))

    def loss_fn(model, x, y):
        return binary_cross_entropy_with_logits(model(x), y)

    train_both(make, OPTIMIZERS["adam"], loss_fn, batches)


def test_float32_network():
    def make():
        return nets.seed001_network(residual=True, depth=3, width=8).to(np.float32)

    batches = [(Tensor(x.data.astype(np.float32)),) for (x,) in mlp_batches(4, (4, 8))]
    train_both(make, OPTIMIZERS["adam"], identity_loss, batches)


def test_new_shape_or_dtype_records_again():
    model = nets.kaiming_mlp(2, 4, residual=True, seed=0)
    forward = tinygrad_res.jit(lambda x: model(x).sum())
    for x in [np.ones((2, 4)), np.ones((3, 4)), np.ones((2, 4)), np.ones((2, 4), np.float32)]:
        for _ in range(3):
            got = forward(Tensor(x))
            assert got.data.tobytes() == model(Tensor(x)).sum().data.tobytes()
    assert forward.recorded_calls == 6 and forward.replayed_calls == 6


def test_parameters_and_buffers_are_read_fresh_at_every_replay():
    """Changed in place between calls (by hand, load_state_dict: parameters and batch norm's
    running statistics), a new lr, or a layer frozen: every replay sees what eager mode sees."""
    def make():
        return nets.Sequential(nets.Linear(4, 4, seed=0), nets.BatchNorm1d(4), nets.ReLU(),
                               nets.Linear(4, 4, seed=1))

    models = [make(), make()]
    opts = [nets.optim.SGD(list(m.parameters()), lr=0.1) for m in models]
    batches = [x for (x,) in mlp_batches(12, (3, 4))]
    saved = models[0].state_dict()

    def step(model, opt, x):
        opt.zero_grad()
        loss = identity_loss(model, x)
        loss.backward()
        opt.step()
        return loss

    jitted = tinygrad_res.jit(lambda x: step(models[1], opts[1], x))
    changes = {4: lambda m, o: m[0].weight.data.__imul__(0.5),
               6: lambda m, o: setattr(o, "lr", 0.01),
               8: lambda m, o: m.load_state_dict(saved),
               10: lambda m, o: setattr(m[3].bias, "requires_grad", False)}
    for i, x in enumerate(batches):
        for model, opt in zip(models, opts):
            if i in changes:
                changes[i](model, opt)
        assert step(models[0], opts[0], x).item() == jitted(x).item()
        for (name, a), (_, b) in zip(models[0].state_dict().items(),
                                     models[1].state_dict().items()):
            assert np.array_equal(a, b), name
    assert jitted.recorded_calls == 4  # again only after freezing: the rest was in place


def test_inference_under_no_grad_and_tuple_output():
    model = nets.kaiming_mlp(2, 4, residual=False, seed=0)

    @tinygrad_res.jit
    def predict(x):
        with no_grad():
            out = model(x)
        return out, out.max()

    for (x,) in mlp_batches(4, (3, 4)):
        out, top = predict(x)
        with no_grad():
            expected = model(x)
        assert np.array_equal(out.data, expected.data) and top.item() == expected.data.max()
        assert out.grad_fn is None and not out.requires_grad  # values only, no graph
    assert predict.replayed_calls == 2


def test_input_gradient_and_source():
    """A Tensor argument with requires_grad gets its .grad at every replay, as in eager mode."""
    w = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)

    @tinygrad_res.jit
    def step(x):
        loss = ((x @ w.T).relu() * 2.0).sum()
        loss.backward()
        return loss

    for i in range(4):
        x = Tensor(np.full((1, 3), i - 1.5), requires_grad=True)
        w.grad = None
        step(x)
        expected = 2.0 * ((x.data @ w.data.T) > 0) @ w.data  # d/dx of 2 relu(x W^T) summed
        assert np.array_equal(x.grad, expected)
    assert step.replayed_calls == 2
    assert "op0.forward(w0.data, dims=(1, 0))" in step.source and "x0.grad = " in step.source


def test_the_same_tensor_passed_twice_is_a_cache_key_of_its_own():
    f = tinygrad_res.jit(lambda a, b: (a * 2.0 + b).sum())
    x, y = Tensor(np.ones(3)), Tensor(np.arange(3.0))
    for _ in range(3):
        assert f(x, x).item() == 9.0 and f(x, y).item() == 9.0
    assert f.recorded_calls == 4 and f.replayed_calls == 2


def test_an_argument_that_is_no_tensor_array_or_hashable_value_is_named():
    with pytest.raises(JitError, match="neither a Tensor"):
        tinygrad_res.jit(lambda x, options: x)(Tensor(np.ones(2)), {"lr", "momentum"})  # a set


def test_anomaly_mode_runs_eagerly_and_still_finds_the_op():
    f = tinygrad_res.jit(lambda x: (x.log() * 0.0).sum())
    for i in range(3):
        f(Tensor(np.full((2, 3), i + 1.0)))
    with detect_anomaly(), pytest.raises(AnomalyError, match="log"):
        f(Tensor(np.zeros((2, 3)), requires_grad=True))
    assert f.recorded_calls == 2 and f.replayed_calls == 1


def test_reset_forgets_the_replays_after_model_eval():
    """The training flag is Python state the jit cannot see: after model.eval() a replay would
    still run the recorded training-mode batch norm; reset() records again."""
    rng = np.random.default_rng(5)
    batches = [Tensor(rng.normal(size=(4, 3))) for _ in range(6)]
    models = [nets.Sequential(nets.Linear(3, 3, seed=0), nets.BatchNorm1d(3)) for _ in range(2)]
    forward = tinygrad_res.jit(lambda x: models[1](x).sum())
    for i, x in enumerate(batches):
        if i == 3:
            for model in models:
                model.eval()
            forward.reset()
        assert models[0](x).sum().item() == forward(x).item()
    assert forward.recorded_calls == 4 and forward.replayed_calls == 2


def test_clip_grad_norm_inside_a_recorded_step_is_refused():
    from nets.utils import clip_grad_norm_
    model = nets.Linear(2, 2, seed=0)

    @tinygrad_res.jit
    def step(x):
        loss = (model(x) * model(x)).sum()
        loss.backward()
        clip_grad_norm_(model.parameters(), 1.0)
        return loss

    with pytest.raises(RuntimeError, match="clip_grad_norm_: cannot run inside a step recorded"):
        step(Tensor(np.ones((3, 2))))
