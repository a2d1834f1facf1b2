"""nets/embedding.py: Embedding against torch.nn.Embedding (lookup, gradient, padding_idx)."""
import numpy as np
import pytest

from nets import Embedding
from tinygrad_res import Tensor


def test_lookup_and_repeated_ids_add_their_gradients():
    table = Embedding(5, 3, seed=0)
    ids = np.array([[1, 4, 1]])
    out = table(ids)
    np.testing.assert_array_equal(out.data[0], table.weight.data[[1, 4, 1]])
    out.backward(np.ones((1, 3, 3)))
    np.testing.assert_array_equal(table.weight.grad[:, 0], [0, 2, 0, 0, 1])


def test_matches_pytorch_with_padding_idx(torch):
    reference = torch.nn.Embedding(6, 4, padding_idx=2, dtype=torch.float64)
    with torch.no_grad():
        reference.weight[2] = 0.5  # a padding row that is not zero: read, but never trained
    ours = Embedding(6, 4, padding_idx=2)
    ours.load_state_dict({"weight": reference.weight.detach().numpy()})
    ids = np.array([[0, 2, 5], [2, 2, 1]])
    out, expected = ours(ids), reference(torch.tensor(ids))
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    grad_output = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(grad_output)
    expected.backward(torch.tensor(grad_output))
    np.testing.assert_allclose(ours.weight.grad, reference.weight.grad.numpy(), atol=1e-15)
    assert not ours.weight.grad[2].any()
    assert not Embedding(6, 4, padding_idx=-1, seed=0).weight.data[5].any()  # starts at zero


def test_init_is_standard_normal():
    weight = Embedding(2000, 50, seed=1).weight.data
    assert abs(weight.mean()) < 0.01 and weight.std() == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("call, error, message", [
    (lambda t: t(np.array([0.5])), TypeError, r"Embedding: ids must be integers, got float64"),
    (lambda t: t(np.array([[0, 5]])), IndexError, r"Embedding: ids must lie in \[0, 5\), got "
                                                  r"values from 0 to 5"),
    (lambda t: Embedding(5, 2, padding_idx=5), ValueError, r"padding_idx must be within"),
    (lambda t: Embedding(0, 2), ValueError, r"must be at least 1, got 0 and 2"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(Embedding(5, 2))
