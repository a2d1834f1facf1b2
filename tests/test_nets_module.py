"""Module, Sequential, ModuleList: parameter order, modes, hooks, repr, state and saving."""
import os

import numpy as np
import pytest

import nets
from nets import serialization
from tinygrad_res import Tensor


def test_parameters_layer_by_layer_weight_then_bias():
    model = nets.ResMLP(depth=3, width=4, seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names == [f"layers.{i}.linear.{kind}" for i in range(3) for kind in ("weight", "bias")]
    params = list(model.parameters())
    assert [p.shape for p in params] == [(4, 4), (4,)] * 3
    assert params[0] is model.layers[0].linear.weight


def test_shared_parameter_listed_once():
    layer = nets.Linear(2, 2)
    model = nets.Sequential(layer, nets.ReLU(), layer)
    assert len(list(model.parameters())) == 2


def test_non_parameters_are_not_registered():
    class Custom(nets.Module):
        def __init__(self):
            super().__init__()
            self.constant = Tensor([1.0])                         # no requires_grad
            self.scale = nets.Parameter([2.0])
            self.derived = self.scale * 2                          # not a leaf
            self.plain = [nets.Linear(1, 1)]                       # hidden in a list
    assert [name for name, _ in Custom().named_parameters()] == ["scale"]


def test_reassigning_and_deleting_attributes_updates_registration():
    model = nets.Linear(2, 3)
    model.bias = None
    assert [name for name, _ in model.named_parameters()] == ["weight"]
    del model.weight
    assert list(model.parameters()) == []


def test_missing_super_init_is_a_clear_error():
    class Broken(nets.Module):
        def __init__(self):
            self.layer = nets.Linear(1, 1)
    with pytest.raises(AttributeError, match=r"Broken: call super\(\).__init__\(\) before "
                                             r"assigning attribute 'layer'"):
        Broken()


def test_train_eval_propagates_to_every_submodule():
    model = nets.ResidualStack(2, 4, block="postact", norm="batch")
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_clears_every_gradient(rng):
    model = nets.PlainMLP(2, 3, seed=0)
    model(Tensor(rng.standard_normal((2, 3)))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_call_runs_forward_and_hooks(rng):
    layer = nets.Linear(3, 2, seed=0)
    seen = []
    handle = layer.register_forward_hook(lambda m, inputs, out: seen.append((m, out)))
    x = Tensor(rng.standard_normal((4, 3)))
    out = layer(x)
    assert seen[0][0] is layer and seen[0][1] is out
    layer.register_forward_hook(lambda m, inputs, out: out * 0)   # a hook may replace it
    np.testing.assert_array_equal(layer(x).data, 0)
    assert len(seen) == 2
    handle.remove()
    layer(x)
    assert len(seen) == 2


@pytest.mark.parametrize("make", [lambda: nets.Linear(3, 2), lambda: nets.ReLU(),
                                  lambda: nets.LayerNorm(3), lambda: nets.ResMLP(2, 3),
                                  lambda: nets.Sequential(nets.Linear(3, 3)),
                                  lambda: nets.Conv2d(1, 1, 1), lambda: nets.ResNet(8)])
@pytest.mark.parametrize("value, kind", [(np.ones((2, 3)), "numpy.ndarray"),
                                         ([[1.0, 2.0, 3.0]], "list"), (3.0, "float"),
                                         (np.float64(3.0), "numpy.float64")])
def test_data_that_is_not_a_tensor_is_a_type_error_naming_module_and_argument(make, value, kind):
    module = make()
    with pytest.raises(TypeError, match=rf"^{type(module).__name__}: argument 'x' \(position 1\) "
                                        rf"must be a Tensor, not {kind}; wrap it as "
                                        rf"Tensor\(value\)"):
        module(value)


def test_pytorch_refuses_a_numpy_array_too(torch):
    for module in (torch.nn.Linear(3, 2), torch.nn.ReLU()):
        with pytest.raises(TypeError, match="must be Tensor, not numpy.ndarray"):
            module(np.ones((2, 3)))


def test_repr_lists_submodules_like_pytorch():
    model = nets.Sequential(nets.Linear(2, 4), nets.ReLU(), nets.LayerNorm(4))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=4, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): LayerNorm((4,), eps=1e-05, elementwise_affine=True)\n"
        ")")
    nested = repr(nets.PlainMLP(1, 2))
    assert "(layers): ModuleList(\n    (0): PlainLayer(\n      (linear): Linear(" in nested


def test_sequential_and_module_list(rng):
    a, b = nets.Linear(3, 4, seed=0), nets.Linear(4, 2, seed=1)
    model = nets.Sequential(a, nets.Tanh(), b)
    x = rng.standard_normal((5, 3))
    expected = np.tanh(x @ a.weight.data.T + a.bias.data) @ b.weight.data.T + b.bias.data
    np.testing.assert_allclose(model(Tensor(x)).data, expected, rtol=1e-12)
    assert len(model) == 3 and model[2] is b and list(model)[0] is a
    items = nets.ModuleList([a]).append(b)
    assert len(items) == 2 and items[1] is b and len(items[:1]) == 1
    with pytest.raises(TypeError, match="Sequential: item 1 is a int, expected a Module"):
        nets.Sequential(a, 3)
    with pytest.raises(TypeError, match="ModuleList is a container"):
        items(Tensor(x))


def test_to_float32_converts_parameters_and_buffers(rng):
    model = nets.Sequential(nets.Linear(3, 3), nets.BatchNorm1d(3))
    model.to(np.float32)
    assert all(p.dtype == np.float32 for p in model.parameters())
    assert model[1].running_mean.dtype == np.float32
    assert model[1].num_batches_tracked.dtype == np.int64
    assert model(Tensor(rng.standard_normal((4, 3)), dtype=np.float32)).dtype == np.float32
    with pytest.raises(TypeError, match="dtype must be a floating type"):
        model.to(np.int32)


# ----- state_dict / load_state_dict -------------------------------------------------------
def test_state_dict_holds_copies_of_parameters_and_buffers():
    model = nets.Sequential(nets.Linear(2, 3), nets.BatchNorm1d(3))
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                           "1.running_var", "1.num_batches_tracked"]
    state["0.weight"][:] = 7.0
    assert not np.any(model[0].weight.data == 7.0)


def test_load_state_dict_round_trip(rng):
    source = nets.ResidualStack(2, 4, block="preact", norm="batch", seed=0)
    source(Tensor(rng.standard_normal((6, 4))))           # move the running statistics
    target = nets.ResidualStack(2, 4, block="preact", norm="batch", seed=1)
    target.load_state_dict(source.state_dict())
    for (name, a), b in zip(source.state_dict().items(), target.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=name)
    x = Tensor(rng.standard_normal((3, 4)))
    source.eval(), target.eval()
    np.testing.assert_array_equal(source(x).data, target(x).data)


def test_load_state_dict_missing_and_extra_keys():
    model = nets.Linear(2, 3)
    state = model.state_dict()
    del state["bias"]
    state["scale"] = np.ones(1)
    with pytest.raises(KeyError, match="Linear.load_state_dict: missing key.s. bias; "
                                       "unexpected key.s. scale"):
        model.load_state_dict(state)
    weight_before = model.weight.data.copy()
    state["weight"] = np.zeros((3, 2))
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert (missing, unexpected) == (["bias"], ["scale"])
    np.testing.assert_array_equal(model.weight.data, 0.0)
    assert not np.array_equal(weight_before, 0.0)


def test_load_state_dict_shape_mismatch_names_key_and_both_shapes():
    model = nets.PlainMLP(2, 3)
    state = nets.PlainMLP(2, 4).state_dict()
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"shape mismatch for layers.0.linear.weight: the "
                                         r"state has \(4, 4\), the module has \(3, 3\)"):
        model.load_state_dict(state, strict=False)
    for key, value in model.state_dict().items():     # nothing half-loaded
        np.testing.assert_array_equal(value, before[key])


# ----- save / load -------------------------------------------------------------------------
def test_save_load_round_trip(tmp_path, rng):
    path = tmp_path / "model.npz"
    model = nets.ResMLP(3, 4, seed=0)
    model.save(str(path))
    other = nets.ResMLP(3, 4, seed=1)
    assert other.load(str(path)) is other
    x = Tensor(rng.standard_normal((2, 4)))
    np.testing.assert_array_equal(model(x).data, other(x).data)
    assert os.listdir(tmp_path) == ["model.npz"]           # no temporary file left behind


def test_load_missing_file_names_it(tmp_path):
    path = tmp_path / "absent.npz"
    with pytest.raises(FileNotFoundError, match=f"no such file {path}"):
        nets.Linear(1, 1).load(str(path))


@pytest.mark.parametrize("content", [b"", b"not a zip file at all", b"PK\x03\x04garbage"])
def test_load_corrupt_file_names_it(tmp_path, content):
    path = tmp_path / "broken.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=f"load: {path} is not a readable .npz file"):
        nets.Linear(1, 1).load(str(path))


def test_load_truncated_file_names_it(tmp_path):
    path = tmp_path / "model.npz"
    nets.Linear(8, 8).save(str(path))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=f"{path} is not a readable .npz file"):
        nets.Linear(8, 8).load(str(path))


def test_load_of_other_model_names_the_file_and_key(tmp_path):
    path = tmp_path / "small.npz"
    nets.Linear(2, 2).save(str(path))
    with pytest.raises(ValueError, match=r"shape mismatch for weight: the state has \(2, 2\), "
                                         rf"the module has \(3, 3\) \(loading {path}\)"):
        nets.Linear(3, 3).load(str(path))


def test_failed_save_leaves_no_partial_file(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    nets.Linear(2, 2, seed=0).save(str(path))
    original = path.read_bytes()

    def disk_full(file, **arrays):
        file.write(b"PK\x03\x04 half an archive")
        raise OSError("No space left on device")

    monkeypatch.setattr(serialization.np, "savez", disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        nets.Linear(2, 2, seed=1).save(str(path))
    assert os.listdir(tmp_path) == ["model.npz"]            # temporary file removed
    assert path.read_bytes() == original                   # old file intact
    with pytest.raises(OSError):
        nets.Linear(2, 2).save(str(tmp_path / "new.npz"))
    assert not (tmp_path / "new.npz").exists()


def test_save_into_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="folder .*nowhere does not exist"):
        nets.Linear(1, 1).save(str(tmp_path / "nowhere" / "model.npz"))


def test_a_failed_load_changes_nothing_and_names_the_file_and_key(tmp_path):
    model = nets.ResMLP(2, 3, seed=0)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    state = nets.ResMLP(2, 3, seed=1).state_dict()
    state["layers.1.linear.bias"] = np.array(["a", "b", "c"])  # the fourth array: not numbers
    path = tmp_path / "bad.npz"
    np.savez(path, **state)
    with pytest.raises(TypeError, match=r"layers\.1\.linear\.bias holds <U1 values, not numbers "
                                        r"\(loading .*bad\.npz\)"):
        model.load(path)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_loading_a_npy_file_says_what_was_expected(tmp_path):
    path = tmp_path / "weights.npy"
    np.save(path, np.ones(3))
    with pytest.raises(ValueError, match=r"load: .*weights\.npy holds a single ndarray, not an "
                                         r"\.npz archive"):
        nets.Linear(2, 3).load(path)


def test_load_state_dict_takes_tensors_as_pytorch_users_write_it():
    source, target = nets.Linear(2, 3, seed=0), nets.Linear(2, 3, seed=1)
    target.load_state_dict({k: Tensor(v) for k, v in source.state_dict().items()})
    np.testing.assert_array_equal(target.weight.data, source.weight.data)
