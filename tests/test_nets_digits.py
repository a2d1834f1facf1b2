"""nets.digits: the fixed, stratified, normalised split of scikit-learn's 8x8 digits."""
import numpy as np
import pytest

from conftest import import_optional


@pytest.fixture(scope="module")
def digits():
    import_optional("sklearn", 'pip install -e ".[data]"')
    from nets.digits import load_digits
    return load_digits()


def test_split_sizes_shapes_and_types(digits):
    assert digits.x_train.shape == (1438, 1, 8, 8) and digits.x_test.shape == (359, 1, 8, 8)
    assert digits.y_train.shape == (1438,) and digits.y_test.shape == (359,)
    assert digits.y_train.dtype == np.int64 and digits.x_train.dtype == np.float64


def test_every_class_keeps_a_fifth_in_the_test_set(digits):
    train_counts = np.bincount(digits.y_train, minlength=10)
    test_counts = np.bincount(digits.y_test, minlength=10)
    np.testing.assert_allclose(test_counts / (train_counts + test_counts), 0.2, atol=0.01)


def test_training_images_are_normalised_and_test_images_are_not_in_them(digits):
    assert abs(digits.x_train.mean()) < 1e-12 and abs(digits.x_train.std() - 1) < 1e-12
    train_rows = {row.tobytes() for row in digits.x_train.reshape(len(digits.x_train), -1)}
    test_rows = [row.tobytes() for row in digits.x_test.reshape(len(digits.x_test), -1)]
    # the raw data set holds a handful of duplicate images; almost none may straddle the split
    assert sum(row in train_rows for row in test_rows) <= 3


def test_the_split_is_the_same_every_time(digits):
    from nets.digits import load_digits
    again = load_digits(dtype=np.float32)
    assert again.x_train.dtype == np.float32
    np.testing.assert_array_equal(again.y_test, digits.y_test)
    np.testing.assert_allclose(again.x_test, digits.x_test, rtol=1e-6, atol=1e-6)
