"""Write the course site: a home page, one page per lesson, the styles and offline MathJax.

The site is written to a fresh folder next to ``out`` and moved into place when complete, so an
interrupted or failed build leaves the previous site as it was.  Nothing on a page comes from
another host: code is highlighted when the page is written (Pygments), figures are inline
images, and the math is typeset in the browser by MathJax 2 copied from the
``jupyter-server-mathjax`` package into ``_static/mathjax`` with the STIX-Web fonts it uses.
"""
from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import syllabus
from .render import render

THEME = Path(__file__).resolve().parent / "theme"  # the page templates, styles and icon
MATH = re.compile(r"\$[^$\s][^$]*\$|\\\(|\\\[|\\begin\{")


class CourseError(RuntimeError):
    """The course cannot be built as asked (a missing lesson, MathJax not installed)."""


def build(out="site", quick: bool = False, jobs: int = 1, report=print) -> Path:
    """Run every lesson (``quick``: as the test suite does) and write the site to ``out``;
    returns its index page."""
    from . import execute
    out, started = Path(out), time.perf_counter()
    paths = lesson_paths()
    mathjax = _mathjax_folder()
    report(f"minigrad course: running {len(paths)} lessons"
           f"{' in quick mode' if quick else ''}, {jobs} at a time")
    executed = execute.run_lessons(paths, quick=quick, jobs=jobs, report=report)
    staging = out.with_name(f".{out.name}.building")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "_static").mkdir(parents=True)
    try:
        _write_static(staging / "_static", mathjax)
        for lesson, path in zip(syllabus.LESSONS, paths):
            _write_lesson(staging, lesson, executed[path])
        _write_home(staging, quick)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _replace(out, staging)
    report(f"minigrad course: wrote {out}/ ({len(paths)} lessons and the home page) in "
           f"{time.perf_counter() - started:.0f} s; read it: python -m http.server -d {out}")
    return out / "index.html"


def lesson_paths() -> list:
    """The notebooks of ``syllabus.LESSONS``, in order; a missing one is a ``CourseError``."""
    paths = [syllabus.FOLDER / f"{lesson.stem}.ipynb" for lesson in syllabus.LESSONS]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise CourseError(f"course build: lesson notebooks not found: {', '.join(missing)} "
                          "(the course is built from a source checkout)")
    return paths


def _mathjax_folder() -> Path:
    try:
        import jupyter_server_mathjax
    except ImportError:
        raise CourseError("course build: the pages typeset their math with MathJax from the "
                          "jupyter-server-mathjax package: pip install -e '.[course]'") from None
    return Path(jupyter_server_mathjax.__file__).parent / "static"


def _templates():
    return jinja2.Environment(loader=jinja2.FileSystemLoader(THEME),
                              autoescape=True, trim_blocks=True, lstrip_blocks=True)


def _write_page(folder: Path, name: str, **fields):
    fields["body"] = Markup(fields["body"])
    html = _templates().get_template("page.html").render(lessons=syllabus.LESSONS, **fields)
    (folder / f"{name}.html").write_text(html, encoding="utf-8")


def _write_lesson(folder: Path, lesson, notebook):
    page = render(notebook, lesson)
    _write_page(folder, lesson.stem, title=page.title or lesson.subject, body=page.body,
                current=lesson.stem, contents=page.contents, pager=_pager(lesson),
                math=bool(MATH.search(_markdown(notebook))))


def _pager(lesson) -> Markup:
    """Links to the previous and the next lesson."""
    index = syllabus.LESSONS.index(lesson)
    previous = syllabus.LESSONS[index - 1] if index > 0 else None
    following = syllabus.LESSONS[index + 1] if index + 1 < len(syllabus.LESSONS) else None
    return Markup(_templates().get_template("pager.html").render(previous=previous,
                                                                  next=following))


def _markdown(notebook) -> str:
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


def _write_home(folder: Path, quick: bool):
    from ..exercises import EXERCISES
    by_lesson = {}
    for exercise in EXERCISES.values():
        by_lesson.setdefault(exercise.lesson, []).append(exercise)
    body = _templates().get_template("home.html").render(
        quick=quick, lessons=syllabus.LESSONS, formulas=syllabus.FORMULAS,
        by_number=syllabus.BY_NUMBER, exercise_count=len(EXERCISES),
        exercises_by_lesson=dict(sorted(by_lesson.items())))
    contents = [(2, "lessons", "The lessons"), (2, "formulas", "The seed formulas"),
                (2, "exercises", "The exercises")]
    _write_page(folder, "index", title="The minigrad course", body=body, current=None,
                contents=contents, pager=None, math=False)


def _write_static(folder: Path, mathjax: Path):
    from pygments.formatters import HtmlFormatter
    for name in ("style.css", "favicon.svg"):
        shutil.copy(THEME / name, folder / name)
    (folder / "pygments.css").write_text(HtmlFormatter(style="default").get_style_defs(
        ".highlight"), encoding="utf-8")
    shutil.copytree(mathjax, folder / "mathjax", ignore=_other_languages)


def _other_languages(directory, names):
    """MathJax's menus in every language but English are left out (about 1 MB)."""
    if Path(directory).name == "localization":
        return [name for name in names if name != "en"]
    return []


def _replace(out: Path, staging: Path):
    """Move the finished site into place; the old one is removed only once the new one is in."""
    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)
