"""demos/readme.py: the check that keeps the README's demo figures equal to fresh runs.

The runs themselves are `make readme-check` (in CI); here: finding and replacing blocks, the
comparison and its tolerance for measured times, the number formats, and the rule that every
README block has a renderer and every renderer a block.
"""
from pathlib import Path

import pytest

from demos import readme
from demos.readme import BLOCKS
from demos.readme_blocks import about, num

REPO = Path(__file__).resolve().parents[1]
TEXT = """# t
<!-- figures: one -->
old one
<!-- /figures -->
between
<!-- figures: two -->
| a | b |
<!-- /figures -->
"""


def test_blocks_are_found_and_replaced():
    assert readme.readme_blocks(TEXT) == {"one": "old one\n", "two": "| a | b |\n"}
    replaced = readme.replace_blocks(TEXT, {"one": "new\ntext"})
    assert readme.readme_blocks(replaced) == {"one": "new\ntext\n", "two": "| a | b |\n"}
    assert "between" in replaced
    with pytest.raises(ValueError, match="block 'one' appears twice"):
        readme.readme_blocks(TEXT + TEXT)


def test_a_changed_figure_is_a_difference_and_wrapping_is_not():
    assert readme.differences("loss 0.5 at depth 4", "loss 0.5\nat  depth 4") is None
    diff = readme.differences("loss 0.6 at depth 4", "loss 0.5 at depth 4")
    assert "-loss 0.5 at depth 4" in diff and "+loss 0.6 at depth 4" in diff


@pytest.mark.parametrize("written, same", [("310", True), ("200", True), ("600", True),
                                           ("150", False), ("700", False), ("0", False)])
def test_measured_times_may_differ_by_a_factor_of_two(written, same):
    found = readme.differences("takes about 310 CPU seconds", f"takes about {written} CPU seconds")
    assert (found is None) == same


def test_the_words_around_a_time_must_still_agree():
    assert readme.differences("about 310 CPU seconds", "about 310 wall seconds") is not None


def test_number_formats():
    assert [about(314.2), about(21.4), about(3.14), about(0)] == \
        ["about 310", "about 21", "about 3.1", "about 0"]
    assert [num(4.12e7), num(7.1e-9, 1), num(0.1642), num(2143.9), num(12.0)] == \
        ["4.1e7", "7e-9", "0.16", "2.1e3", "12"]


def test_the_readme_and_the_renderers_agree_on_the_blocks():
    found = readme.readme_blocks((REPO / "README.md").read_text(encoding="utf-8"))
    assert set(found) == set(BLOCKS)
    for name, block in BLOCKS.items():
        assert found[name].strip(), f"README block {name} is empty"
        assert all(argv[0] != "report" for argv in block.commands.values())


def test_a_block_without_a_renderer_fails_the_check(tmp_path, capsys):
    page = tmp_path / "README.md"
    page.write_text(TEXT)
    assert readme.main(["--readme", str(page), "--quick"]) == 1
    assert "blocks without a renderer ['one', 'two']" in capsys.readouterr().err


def test_a_failing_command_is_reported_with_its_error(tmp_path):
    with pytest.raises(RuntimeError, match=r"depth_sweep --depths 0 failed with status 2:"
                                           r"(.|\n)*must be at least 1"):
        readme.run_command(["depth_sweep", "--depths", "0"], tmp_path)
