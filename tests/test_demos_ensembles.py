"""demos/ensembles.py and ensembles_paths.py: the routed path gradients add up to the full
gradient, deletion leaves the shortcut, and the --quick run's bookkeeping."""
import numpy as np
import pytest
from test_demos_extra import assert_report_parts, run_quick

from tinygrad_res import Tensor


@pytest.fixture(scope="module")
def resnet8():
    import nets
    model = nets.ResNet(8, seed=0)
    model.train()
    model(Tensor(np.random.default_rng(1).standard_normal((32, 1, 8, 8))))  # running stats
    return model.eval()


def test_the_paths_of_a_resnet_add_up_to_its_gradient(resnet8):
    from itertools import combinations

    from demos.ensembles_paths import path_gradient
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((6, 1, 8, 8)), rng.integers(0, 10, 6)
    full = path_gradient(resnet8, x, y, None)
    paths = [path_gradient(resnet8, x, y, set(c))
             for k in range(4) for c in combinations(range(3), k)]
    assert len(paths) == 8
    np.testing.assert_allclose(np.sum(paths, axis=0), full, rtol=1e-9, atol=1e-12)
    assert not np.allclose(paths[0], full)  # the all-shortcut path alone is not the gradient


def test_deleting_blocks(resnet8):
    from demos.ensembles_paths import deletable, forward
    assert [deletable(b) for b in resnet8.blocks] == ["identity", "projection", "projection"]
    import nets
    plain = nets.ResNet(8, plain=True, seed=0).eval()
    assert [deletable(b) for b in plain.blocks] == ["identity", None, None]
    x = Tensor(np.random.default_rng(3).standard_normal((4, 1, 8, 8)))
    np.testing.assert_allclose(forward(resnet8, x).data, resnet8(x).data)
    stem = resnet8.stem(x)
    by_hand = resnet8.blocks[2](resnet8.blocks[1].shortcut(resnet8.blocks[0](stem)))
    expected = resnet8.fc(resnet8.pool(resnet8.head(by_hand)))
    np.testing.assert_allclose(forward(resnet8, x, {1}).data, expected.data)


def test_ensembles_quick(tmp_path):
    result = run_quick("ensembles", tmp_path, "--workers", "1")
    assert_report_parts(result)
    assert result["blocks"] == 3 and len(result["binomial"]) == 4
    assert sum(result["binomial"]) == pytest.approx(1.0)
    paths = result["paths"]
    assert paths["paths"] == [1, 3, 3, 1]
    assert paths["total"] == pytest.approx(np.multiply(paths["paths"], paths["mean_gradient"]))
    assert 0 <= paths["short_share"] <= 1
    lesions = result["lesions"]
    assert lesions["residual"]["kinds"] == ["identity", "projection", "projection"]
    assert lesions["plain"]["deleted"][1:] == [None, None]
    assert set(result["verdict"]) >= {"holds", "residual_degrades_gracefully", "plain_collapses"}
    assert "state" not in result["training"]["residual"]


def test_error_bars_are_never_negative_when_every_sample_agrees():
    from demos.ensembles_report import spread
    mean = float(np.mean([0.1, 0.1, 0.1]))  # 0.1 + 1.4e-17: above the max
    assert mean - 0.1 > 0
    low, high = spread({"mean": [mean, 3.0], "min": [0.1, 2.0], "max": [0.1, 5.0]})
    assert (low >= 0).all() and (high >= 0).all()
    np.testing.assert_allclose([low[1], high[1]], [1.0, 2.0])
