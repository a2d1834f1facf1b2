"""The Gradescope bundle and the submission handling behind it, on the tiny course: the zip's
layout, finding task files wherever a student put them, one clear line per broken file, and
run_autograder always leaving a results.json (the six submissions of the selftest)."""
import json
import os
import subprocess
import sys
import zipfile

import pytest

from course import submission
from course.autograder import build_bundle
from course.autograder_selftest import format_problems, selftest
from course.submission import find_files, load_problems
from course_helpers import GEOMETRY, SOLIDS, course_of, make_repo


@pytest.fixture(scope="module")
def tiny_repo(tmp_path_factory):
    return make_repo(tmp_path_factory.mktemp("autograder") / "repo")


def test_the_bundle_has_gradescopes_layout(tiny_repo, tmp_path):
    (tiny_repo / "ANSWERS.md").write_text("untracked: never shipped\n")
    out = tmp_path / "bundle.zip"
    summary = build_bundle(tiny_repo, course_of(tiny_repo), 1, out)
    assert summary.startswith(f"wrote {out}: assignment 1,") and "4 tests (1 hidden)" in summary
    with zipfile.ZipFile(out) as bundle:
        names = bundle.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in bundle.infolist()}
        config = json.loads(bundle.read("autograder.json"))
    assert {"setup.sh", "run_autograder", "autograder.json"} <= set(names)
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert "repo/tests/hidden/test_hidden_geometry.py" in names
    assert "repo/pkg/reference.py" in names and "repo/ANSWERS.md" not in names
    assert config["assignment"] == 1 and config["test_timeout"] == 3.0
    assert sorted(config["manifest"]) == [
        "tests/hidden/test_hidden_geometry.py::test_area_of_three",
        "tests/test_geometry.py::test_area[1.0]", "tests/test_geometry.py::test_area[2.0]",
        "tests/test_geometry.py::test_volume"]


def test_run_autograder_on_six_submissions(tiny_repo):
    lines = []
    assert selftest(tiny_repo, course_of(tiny_repo), 1, test_timeout=3, budget=600,
                    log=lines.append) == []
    assert [line.split()[0] for line in lines[1:]] == ["correct", "wrong", "flat", "empty",
                                                       "broken", "hanging"]


def test_results_json_is_written_even_when_the_grader_cannot_start(tmp_path):
    root = tmp_path / "autograder"
    (root / "source" / "repo").mkdir(parents=True)
    (root / "submission").mkdir()
    script = root / "source" / "run_autograder"
    from course.autograder import RUN_AUTOGRADER
    script.write_text(RUN_AUTOGRADER.format(limit=60))
    for python, says in ((sys.executable, "The autograder failed (FileNotFoundError"),
                         ("/bin/false", "The autograder stopped (exit 1) before grading")):
        env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=python)
        env["PYTHONPATH"] = str(make_repo(tmp_path / f"r{len(says)}", git=False))
        subprocess.run(["bash", str(script)], env=env, check=True, capture_output=True)
        data = json.loads((root / "results" / "results.json").read_text())
        assert format_problems(data) == [] and data["score"] == 0
        assert data["output"].startswith(says), data["output"]


def test_task_files_are_found_at_their_path_nested_or_flat(tmp_path):
    wanted = ["pkg/geometry.py", "pkg/solids.py", "pkg/other.py"]
    for path in ("a/b/pkg/geometry.py", "solids.py", "__MACOSX/pkg/other.py"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("")
    found = find_files(tmp_path, wanted)
    assert found["pkg/geometry.py"].path == tmp_path / "a/b/pkg/geometry.py"
    assert found["pkg/solids.py"].path == tmp_path / "solids.py"
    assert found["pkg/other.py"].path is None
    assert found["pkg/other.py"].problem.startswith("pkg/other.py: not found in your submission")
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "solids.py").write_text("")
    (tmp_path / "y").mkdir()
    (tmp_path / "y" / "solids.py").write_text("")
    (tmp_path / "solids.py").unlink()
    assert find_files(tmp_path, wanted)["pkg/solids.py"].problem == (
        "pkg/solids.py: your submission has several files that could be it (x/solids.py, "
        "y/solids.py); keep only one")


def test_a_broken_file_is_one_line_and_goes_back_to_its_stub(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo", git=False)
    stubs = {"pkg/geometry.py": GEOMETRY, "pkg/solids.py": SOLIDS}
    (root / "pkg" / "solids.py").write_text("def volume(r, h)\n    return 1\n")
    assert load_problems(root, ["pkg/geometry.py", "pkg/solids.py"], stubs) == {
        "pkg/solids.py": "pkg/solids.py: SyntaxError at line 1: expected ':'"}
    assert (root / "pkg" / "solids.py").read_text() == SOLIDS
    (root / "pkg" / "geometry.py").write_text("import not_a_module\n" + GEOMETRY)
    problems = load_problems(root, ["pkg/geometry.py", "pkg/solids.py"], stubs)
    # solids.py imports geometry.py: the error is geometry's, and solids then imports fine
    assert problems == {"pkg/geometry.py": "pkg/geometry.py: cannot be imported (line 1): "
                                           "ModuleNotFoundError: No module named 'not_a_module'"}
    monkeypatch.setattr(submission, "IMPORT_TIMEOUT", 2.0)
    (root / "pkg" / "solids.py").write_text("while True:\n    pass\n")
    assert load_problems(root, ["pkg/solids.py"], stubs) == {
        "pkg/solids.py": "pkg/solids.py: cannot be imported: importing it did not finish within "
                         "2 s (a loop at module level?)"}


def test_grade_submission_exits_nonzero_when_the_submission_is_missing_or_broken(tiny_repo,
                                                                                  tmp_path):
    def grade(*args):
        return subprocess.run([sys.executable, "-m", "course", "grade", *args],
                              cwd=tiny_repo, capture_output=True, text=True)

    missing = grade("--submission", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "is not a folder" in missing.stderr
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "geometry.py").write_text(GEOMETRY + "\ndef broken(:\n")
    (tmp_path / "sub" / "solids.py").write_text(SOLIDS)
    broken = grade("--submission", str(tmp_path / "sub"))
    assert broken.returncode == 1
    assert ("  1.1 pkg/geometry.py: SyntaxError at line 15: invalid syntax (task 1.1 scores 0)"
            in broken.stdout.splitlines())
    assert len(broken.stdout) < 3000  # one line, not a traceback per test file
