"""Every lesson notebook runs top to bottom in a fresh kernel (quick mode) with the solutions
of its exercises put in (and the checker strict: a wrong answer fails the lesson), and is
committed without outputs."""
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

LESSONS = sorted((Path(__file__).resolve().parent.parent / "lessons").glob("*.ipynb"))


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_executes(path, executed_lesson):
    """The run the course site is built from (conftest): quick mode, a fresh kernel, the
    solutions in and the checker strict, so a wrong solution fails too."""
    from minigrad.course.execute import LessonFailed
    result = executed_lesson(path)
    assert not isinstance(result, LessonFailed), str(result)
    assert any(cell.get("outputs") for cell in result.cells if cell.cell_type == "code")


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_is_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None, path.name


def test_lessons_exist():
    assert [p.name[:2] for p in LESSONS][:4] == ["00", "01", "02", "03"]
