"""demos/resnet_family.py in --quick form (ResNet-18 and -50, a 64x64 image)."""
from test_demos_extra import assert_report_parts, run_quick


def test_resnet_family_quick(tmp_path):
    result = run_quick("resnet_family", tmp_path)
    assert_report_parts(result)
    assert result["size"] == 64
    found = {r["depth"]: r for r in result["networks"]}
    assert found[18]["parameters"] == 11_689_512 and found[50]["parameters"] == 25_557_032
    # 64 -> stem 16 (conv stride 2, pool stride 2) -> stages 16, 8, 4, 2
    assert found[18]["stem_shape"] == [1, 64, 16, 16]
    assert [s[1:] for s in found[50]["stage_shapes"]] == [[256, 16, 16], [512, 8, 8],
                                                          [1024, 4, 4], [2048, 2, 2]]
    assert found[50]["logits_shape"] == [1, 1000]
    assert (found[18]["projections"], found[18]["blocks"]) == (3, 8)
    v = result["verdict"]
    assert v["layouts_match"] and v["parameters_equal_torchvision"] and v["channels_double"]
    assert not v["stages_match"]  # not a 224x224 image: the published sizes do not apply
    assert v["projection_fits"] == [50]
    assert "NOT reproduced" in result["tables"][0]["note"]
