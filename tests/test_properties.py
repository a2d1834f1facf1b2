"""Property tests (hypothesis): random shapes, broadcast pairs and values.

Each property has an independent reference: finite differences, an explicit loop, or a
mathematical identity. Gradients come from the one op's backward called directly (and
`unbroadcast` where the op broadcast): no graph walk, which assignment 3 writes.
max_examples stays small so the file runs in a few seconds.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_res import Tensor, numerical_grad, unbroadcast

FEW = settings(max_examples=20, deadline=None)
BROADCAST_PAIRS = hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)
MODERATE = st.floats(-2.0, 2.0)
AWAY_FROM_ZERO = st.one_of(st.floats(-2.0, -0.5), st.floats(0.5, 2.0))
POSITIVE = st.floats(0.5, 2.0)

BINARY = {  # the op, then the values of a and of b
    "add": (lambda a, b: a + b, MODERATE, MODERATE),
    "sub": (lambda a, b: a - b, MODERATE, MODERATE),
    "mul": (lambda a, b: a * b, MODERATE, MODERATE),
    "div": (lambda a, b: a / b, MODERATE, AWAY_FROM_ZERO),
    "pow": (lambda a, b: a ** b, POSITIVE, MODERATE),
}


@pytest.mark.task_2_1
@FEW
@given(st.sampled_from(sorted(BINARY)), BROADCAST_PAIRS, st.data())
def test_binary_op_gradients_under_broadcasting_match_finite_differences(name, shapes, data):
    op, a_values, b_values = BINARY[name]
    shape_a, shape_b = shapes.input_shapes
    a = Tensor(data.draw(hnp.arrays(np.float64, shape_a, elements=a_values)), requires_grad=True)
    b = Tensor(data.draw(hnp.arrays(np.float64, shape_b, elements=b_values)), requires_grad=True)
    out = op(a, b)
    assert out.shape == shapes.result_shape
    weights = data.draw(hnp.arrays(np.float64, out.shape, elements=MODERATE))
    grad_a, grad_b = out.grad_fn.backward(weights)  # the op's, of the broadcast shape
    grad_a, grad_b = unbroadcast(grad_a, shape_a), unbroadcast(grad_b, shape_b)
    expected_a, expected_b = numerical_grad(op, a, b, grad_output=weights)
    assert grad_a.shape == shape_a and grad_b.shape == shape_b
    np.testing.assert_allclose(grad_a, expected_a, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad_b, expected_b, rtol=1e-5, atol=1e-6)


@st.composite
def shape_and_broadcast(draw):
    """(big, small): `small` broadcasts to `big` (a suffix of it, some axes set to 1)."""
    big = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=3))
    kept = draw(st.integers(0, len(big)))
    ones = draw(st.lists(st.booleans(), min_size=kept, max_size=kept))
    small = tuple(1 if one else n for one, n in zip(ones, big[len(big) - kept:]))
    return big, small


@pytest.mark.task_2_1
@FEW
@given(shape_and_broadcast(), st.data())
def test_unbroadcast_sums_every_copy(shapes, data):
    big, small = shapes
    grad = data.draw(hnp.arrays(np.float64, big, elements=MODERATE))
    # each entry of grad belongs to the entry of `small` it was copied from
    expected = np.zeros(small)
    for index in np.ndindex(*big):
        source = tuple(0 if n == 1 else i for i, n in zip(index[len(big) - len(small):], small))
        expected[source] += grad[index]
    result = unbroadcast(grad, small)
    assert result.shape == small
    np.testing.assert_allclose(result, expected, atol=1e-12)


@FEW
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                  elements=st.floats(-1e3, 1e3)), st.data())
def test_softmax_sums_to_one_and_log_softmax_to_log_one(values, data):
    axis = data.draw(st.integers(-values.ndim, values.ndim - 1))
    probabilities = Tensor(values).softmax(axis=axis).data
    assert np.all(probabilities >= 0) and np.all(probabilities <= 1)
    np.testing.assert_allclose(probabilities.sum(axis=axis), 1.0)
    log_probabilities = Tensor(values).log_softmax(axis=axis).data
    assert np.all(np.isfinite(log_probabilities))
    np.testing.assert_allclose(np.exp(log_probabilities).sum(axis=axis), 1.0)


@pytest.mark.task_2_3
@FEW
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                  elements=st.integers(-2, 2).map(float)), st.data())
def test_max_gradient_sums_to_one_per_output_and_lands_on_maxima(values, data):
    # small integers make ties common: their shares must still add up to one
    axes = data.draw(st.lists(st.integers(0, values.ndim - 1), min_size=1, unique=True))
    x = Tensor(values, requires_grad=True)
    out = x.max(axis=tuple(axes), keepdims=True)
    grad = out.grad_fn.backward(np.ones(out.shape))
    np.testing.assert_allclose(grad.sum(axis=tuple(axes), keepdims=True), 1.0)
    assert np.all(grad[values < out.data] == 0)


@pytest.mark.task_2_1
@FEW
@given(hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=2,
                                         max_side=3), st.integers(0, 2**32 - 1))
def test_matmul_of_broadcast_batches_matches_finite_differences(shapes, seed):
    rng = np.random.default_rng(seed)
    a, b = (Tensor(rng.standard_normal(s), requires_grad=True) for s in shapes.input_shapes)
    out = a @ b
    np.testing.assert_allclose(out.data, a.data @ b.data)
    weights = rng.standard_normal(out.shape)
    grad_a, grad_b = out.grad_fn.backward(weights)  # batch axes broadcast: summed down here
    grad_a, grad_b = unbroadcast(grad_a, a.shape), unbroadcast(grad_b, b.shape)
    expected_a, expected_b = numerical_grad(lambda a, b: a @ b, a, b, grad_output=weights)
    assert grad_a.shape == a.shape and grad_b.shape == b.shape
    np.testing.assert_allclose(grad_a, expected_a, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad_b, expected_b, rtol=1e-5, atol=1e-6)


@FEW
@given(st.integers(1, 5).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.integers(-n, n - 1), min_size=1, max_size=8))))
def test_getitem_gradient_counts_repeated_indices(size_and_indices):
    size, indices = size_and_indices
    x = Tensor(np.zeros(size), requires_grad=True)
    grad = x[indices].grad_fn.backward(np.ones(len(indices)))
    np.testing.assert_array_equal(grad, np.bincount(np.mod(indices, size), minlength=size))
