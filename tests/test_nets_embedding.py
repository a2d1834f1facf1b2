"""Embedding against torch.nn.Embedding: lookup, scatter-add gradient, padding_idx, ids,
from_pretrained, sizes."""
import numpy as np
import pytest

import nets
from nets import Embedding, Parameter
from tinygrad_res import Tensor


def test_lookup_and_repeated_ids_add_their_gradients():
    table = Embedding(5, 3, seed=0)
    ids = np.array([[1, 4, 1]])
    out = table(ids)
    np.testing.assert_array_equal(out.data[0], table.weight.data[[1, 4, 1]])
    out.backward(np.ones((1, 3, 3)))
    np.testing.assert_array_equal(table.weight.grad[:, 0], [0, 2, 0, 0, 1])
    assert type(table.weight) is Parameter


def torch_twin(torch, ours, **kwargs):
    twin = torch.nn.Embedding(ours.num_embeddings, ours.embedding_dim, dtype=torch.float64,
                              **kwargs)
    with torch.no_grad():
        twin.weight.copy_(torch.from_numpy(ours.weight.data))
    return twin


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_matches_pytorch_values_and_gradients(torch, padding_idx):
    ours = Embedding(6, 4, padding_idx=padding_idx, seed=0)
    if padding_idx is not None:
        ours.weight.data[padding_idx] = 0.5   # a padding row that is not zero: read, not trained
    theirs = torch_twin(torch, ours, padding_idx=padding_idx)
    assert ours.padding_idx == theirs.padding_idx
    ids = np.array([[0, 2, 5], [2, 2, 1]])
    out, expected = ours(ids), theirs(torch.tensor(ids))
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    grad_output = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(grad_output)
    expected.backward(torch.tensor(grad_output))
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-15,
                               atol=1e-15)
    if padding_idx is not None:
        assert not ours.weight.grad[padding_idx].any()


def test_padding_row_starts_at_zero_and_init_is_standard_normal(torch):
    assert not Embedding(6, 4, padding_idx=-1, seed=0).weight.data[5].any()
    assert not torch.nn.Embedding(6, 4, padding_idx=-1).weight[5].any()
    weight = Embedding(2000, 50, seed=1).weight.data
    assert abs(weight.mean()) < 0.01 and weight.std() == pytest.approx(1.0, abs=0.01)


def test_ids_in_every_form_pytorch_takes_and_whole_numbers_in_a_tensor():
    table = Embedding(4, 2, seed=0)
    expected = table.weight.data[[3, 0]]
    for ids in (np.array([3, 0], dtype=np.int32), [3, 0], Tensor([3.0, 0.0]),
                np.array([3, 0], dtype=np.uint8)):
        np.testing.assert_array_equal(table(ids).data, expected)
    assert table(2).shape == (2,)                     # one id: one vector
    assert table(np.zeros((0, 3), dtype=int)).shape == (0, 3, 2)


@pytest.mark.parametrize("ids, error, message", [
    (np.array([0.5]), TypeError, r"Embedding: ids must be integers, got float64 values that "
                                 r"are not whole numbers"),
    (np.array([True]), TypeError, r"Embedding: ids must be integers, got bool"),
    (np.array(["a"]), TypeError, r"Embedding: ids must be integers, got <U1"),
    (np.array([[0, 5]]), IndexError, r"Embedding: ids must lie in \[0, 5\), got values from 0 "
                                     r"to 5"),
    (np.array([-1]), IndexError, r"ids must lie in \[0, 5\), got values from -1 to -1"),
])
def test_bad_ids_are_clear_errors(torch, ids, error, message):
    with pytest.raises(error, match=message):
        Embedding(5, 2)(ids)


def test_pytorch_refuses_out_of_range_ids_too(torch):
    with pytest.raises(IndexError, match="index out of range"):
        torch.nn.Embedding(5, 2)(torch.tensor([5]))


def test_sizes_and_padding_idx_are_checked_and_zero_sizes_work_as_in_pytorch(torch):
    with pytest.raises(ValueError, match="Embedding: num_embeddings must be >= 0, got -1"):
        Embedding(-1, 3)
    with pytest.raises(TypeError, match="Embedding: embedding_dim must be an int, got 2.5"):
        Embedding(3, 2.5)
    with pytest.raises(ValueError, match=r"padding_idx must be within num_embeddings \(5\), "
                                         r"got 5"):
        Embedding(5, 2, padding_idx=5)
    with pytest.raises(ValueError, match="padding_idx must be >= -5, got -6"):
        Embedding(5, 2, padding_idx=-6)
    assert Embedding(0, 3).weight.shape == tuple(torch.nn.Embedding(0, 3).weight.shape)
    assert Embedding(3, 0)(np.array([1])).shape == tuple(
        torch.nn.Embedding(3, 0)(torch.tensor([1])).shape) == (1, 0)


def test_from_pretrained_as_in_pytorch(torch):
    values = np.arange(12.0).reshape(4, 3)
    frozen = Embedding.from_pretrained(values)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(values))
    assert frozen.weight.requires_grad is theirs.weight.requires_grad is False
    np.testing.assert_array_equal(frozen(np.array([2, 0])).data,
                                  theirs(torch.tensor([2, 0])).numpy())
    assert list(frozen.state_dict()) == ["weight"]                 # frozen, still saved
    source = Tensor(values)
    trained = Embedding.from_pretrained(source, freeze=False, padding_idx=1)
    assert trained.weight.requires_grad and trained.weight.data is source.data  # shared
    np.testing.assert_array_equal(trained.weight.data[1], [3.0, 4.0, 5.0])     # kept as given
    with pytest.raises(ValueError, match=r"embeddings must be 2-d .* got shape \(3,\)"):
        Embedding.from_pretrained(np.ones(3))


def test_a_sequential_starting_with_an_embedding_takes_ids():
    model = nets.Sequential(Embedding(10, 4, seed=0), nets.Flatten(), nets.Linear(12, 2))
    assert model(np.array([[1, 2, 3]])).shape == (1, 2)
    with pytest.raises(TypeError, match="Sequential: argument 'x' .* must be a Tensor"):
        nets.Sequential(nets.Linear(2, 2))(np.ones((1, 2)))
    assert repr(Embedding(10, 4, padding_idx=0)) == "Embedding(10, 4, padding_idx=0)"
