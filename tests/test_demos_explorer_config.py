"""The settings of an explorer run (demos/explorer/config.py): loose values parsed, every bad
one named, and the page's controls made from the same limits."""
import pytest

from demos.explorer.config import (FIELDS, INT_RANGES, BadParameter, RunConfig, control_spec,
                                   parse_config)


def test_parse_config_takes_strings_and_json_values_and_fills_defaults():
    config = parse_config({"depth": "16", "width": 8.0, "skip": "true", "lr": "0.1",
                           "task": "identity"})
    assert config == RunConfig(task="identity", depth=16, width=8, skip=True, lr=0.1)
    assert parse_config({}) == RunConfig()
    assert parse_config({"skip": False, "steps": 1}).steps == 1


@pytest.mark.parametrize("values, parameter", [
    ({"depth": True}, "depth"), ({"seed": -1}, "seed"), ({"lr": float("inf")}, "lr"),
    ({"lr": float("nan")}, "lr"), ({"lr": [0.1]}, "lr"), ({"optimizer": "rmsprop"}, "optimizer"),
    ({"init": "xavier"}, "init"), ({"skip": 2}, "skip"), ({"extra": 1}, "extra")])
def test_parse_config_names_the_bad_parameter(values, parameter):
    with pytest.raises(BadParameter) as caught:
        parse_config(values)
    assert caught.value.parameter == parameter and str(caught.value).startswith(parameter)


def test_the_page_controls_are_the_settings_and_their_limits():
    controls = {c["name"]: c for c in control_spec()["controls"]}
    assert tuple(controls) == FIELDS
    for name, (low, high) in INT_RANGES.items():
        assert (controls[name]["min"], controls[name]["max"]) == (low, high)
    assert [c["value"] for c in controls["task"]["choices"]] == [
        "spirals", "identity", "distant_identity", "digits"]
    assert controls["depth"]["default"] == RunConfig().depth
