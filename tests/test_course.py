"""The course site: built from the lessons as the test suite runs them (quick mode), a page per
lesson with its outputs, the exercises shown as stubs, nothing from another host — and opened
in headless Chromium, where every page loads without an error, every image and every internal
link resolves, and the math is typeset."""
import functools
import http.server
import json
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

pytest.importorskip("nbconvert")
pytest.importorskip("jupyter_server_mathjax")

from minigrad import cli  # noqa: E402
from minigrad.course import execute, site, syllabus  # noqa: E402
from minigrad.course.execute import LessonFailed  # noqa: E402
from minigrad.exercises import EXERCISES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "lessons" / "solutions"


@pytest.fixture(scope="module")
def executed(executed_lesson):
    """{path: executed notebook} for every lesson (each run once per session: conftest)."""
    runs = {path: executed_lesson(path) for path in site.lesson_paths()}
    failed = [str(run) for run in runs.values() if isinstance(run, LessonFailed)]
    if failed:
        pytest.fail("the course needs every lesson to run: " + "\n".join(failed))
    return runs


@pytest.fixture(scope="module")
def course(executed, tmp_path_factory):
    """The site, built by ``minigrad course build --quick --out DIR`` from those runs."""
    out = tmp_path_factory.mktemp("course") / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(execute, "run_lessons", lambda paths, **options: executed)
        assert cli.main(["course", "build", "--quick", "--out", str(out)]) == 0
    return out


def pages(course) -> dict:
    return {path.name: path.read_text(encoding="utf-8") for path in course.glob("*.html")}


# ----------------------------------------------------------------------------- the syllabus


def test_the_syllabus_lists_every_lesson_notebook_in_order():
    notebooks = sorted(path.stem for path in (ROOT / "lessons").glob("*.ipynb"))
    assert [lesson.stem for lesson in syllabus.LESSONS] == notebooks
    for lesson in syllabus.LESSONS:
        title = json.loads((ROOT / "lessons" / f"{lesson.stem}.ipynb").read_text())
        heading = "".join(title["cells"][0]["source"]).splitlines()[0]
        assert heading.startswith(f"# Lesson {lesson.number} — "), (lesson.stem, heading)


def test_the_seed_formulas_and_which_were_printed_wrong():
    assert [f.number for f in syllabus.FORMULAS] == [f"F{i}" for i in range(1, 19)]
    wrong = [f.number for f in syllabus.FORMULAS if not f.printed_right]
    assert wrong == ["F3", "F4", "F5", "F12", "F13", "F14", "F18"]  # README and SPEC agree
    assert all(lesson in syllabus.BY_NUMBER for f in syllabus.FORMULAS for lesson in f.lessons)
    assert {e.lesson for e in EXERCISES.values()} <= set(syllabus.BY_NUMBER)


# ----------------------------------------------------------------------------- the pages


def test_the_home_page_links_every_lesson_formula_and_exercise(course):
    home = (course / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"]+)"', home))
    assert {f"{lesson.stem}.html" for lesson in syllabus.LESSONS} <= links
    for key, exercise in EXERCISES.items():
        assert f"{syllabus.BY_NUMBER[exercise.lesson].stem}.html#exercise-{key}" in links
    rows = re.findall(r'<tr class="(right|wrong)"><td>(F\d+)</td>', home)
    assert [number for _, number in rows] == [f"F{i}" for i in range(1, 19)]
    assert sum(kind == "wrong" for kind, _ in rows) == 7
    assert "quick mode" in home


def test_each_lesson_page_has_its_outputs_contents_and_neighbours(course):
    written = pages(course)
    for index, lesson in enumerate(syllabus.LESSONS):
        page = written[f"{lesson.stem}.html"]
        assert f"<title>Lesson {lesson.number} — " in page
        assert 'class="output_area"' in page or 'class="output_subarea' in page, lesson.stem
        if index:
            assert f'class="previous" href="{syllabus.LESSONS[index - 1].stem}.html"' in page
        if index + 1 < len(syllabus.LESSONS):
            assert f'class="next" href="{syllabus.LESSONS[index + 1].stem}.html"' in page
        if index:  # lesson 00 is short; every other lesson has sections
            assert 'aside class="contents"' in page and 'class="level2"' in page, lesson.stem
    assert "data:image/png;base64," in written["07_mlp_classifier.html"]  # figures inline


def test_exercises_are_shown_as_stubs_with_how_to_check_never_the_solutions(course):
    import nbformat
    written = pages(course)
    for key, exercise in EXERCISES.items():
        stem = syllabus.BY_NUMBER[exercise.lesson].stem
        page = written[f"{stem}.html"]
        assert f'id="exercise-{key}"' in page
        assert f"minigrad exercises check lessons/{stem}.ipynb" in page
        assert re.search(rf"def</span><span[^>]*> </span><span[^>]*>{exercise.function}<", page)
        # a line of the solution shows no more often than the lesson itself writes it
        lesson = nbformat.read(ROOT / "lessons" / f"{stem}.ipynb", as_version=4)
        own_text = "\n".join(cell.source for cell in lesson.cells)
        for line in (SOLUTIONS / f"{key}.py").read_text().splitlines():
            code = line.split("#")[0].strip()
            if len(code) > 12 and not code.startswith("def "):
                assert _text_of(page).count(code) <= own_text.count(code), (key, code)
    assert "✓" not in _text_of(written["02_gradient_checking.html"])  # no verdict shown


def _text_of(page: str) -> str:
    """The page's text as a reader sees it (highlighting spans dropped, entities decoded)."""
    import html
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_no_page_loads_anything_from_another_host(course):
    for name, page in pages(course).items():
        loaded = re.findall(r'<(?:script|img|link|iframe|source)\b[^>]*?(?:src|href)="([^"]+)"',
                            page)
        elsewhere = [url for url in loaded if not url.startswith(("data:", "_static/"))]
        assert not elsewhere, (name, elsewhere)  # the site's own files, or inline
    assert (course / "_static" / "mathjax" / "MathJax.js").is_file()


def test_a_failed_lesson_names_itself_and_leaves_the_previous_site(course, tmp_path,
                                                                    monkeypatch, capsys):
    out = tmp_path / "site"
    shutil.copytree(course, out)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))

    def fail(paths, **options):
        raise LessonFailed("lesson 03_activations_and_losses failed: ZeroDivisionError")
    monkeypatch.setattr(execute, "run_lessons", fail)
    assert cli.main(["course", "build", "--out", str(out)]) == cli.EXIT_FAILED
    assert "03_activations_and_losses failed" in capsys.readouterr().err
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert not list(tmp_path.glob(".site.*"))


def test_without_mathjax_the_build_says_what_to_install(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(__import__("sys").modules, "jupyter_server_mathjax", None)
    assert cli.main(["course", "build", "--out", str(tmp_path / "site")]) == cli.EXIT_FAILED
    assert "pip install -e '.[course]'" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_the_build_refuses_a_bad_jobs_count(capsys):
    assert cli.main(["course", "build", "--jobs", "0"]) == cli.EXIT_USAGE
    assert "--jobs" in capsys.readouterr().err


def test_a_lesson_run_keeps_the_stubs_and_drops_the_verdicts():
    import nbformat
    lesson = ROOT / "lessons" / "02_gradient_checking.ipynb"
    original = nbformat.read(lesson, as_version=4)
    solved = nbformat.from_dict(execute.with_solutions(original))
    for cell in solved.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="✓ right")]
    shown = execute.as_exercises(solved, original)
    for cell, stub in zip(shown.cells, original.cells):
        if cell.metadata.get("exercise"):
            assert cell.source == stub.source and "NotImplementedError" in cell.source
        if cell.metadata.get("exercise") or execute.CHECK_CALL.search(cell.source):
            assert cell.outputs == []
        elif cell.cell_type == "code":
            assert cell.outputs  # every other output is kept


# ----------------------------------------------------------------------------- in a browser


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium)")
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=executable,
                                          args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def served(course):
    """The site over HTTP on localhost, as ``python -m http.server -d site`` serves it."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(course))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def _visit(browser, url, screenshot=None) -> dict:
    """Open ``url``, wait for the network and MathJax to settle, and report what happened."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    seen = {"console": [], "failed": [], "requests": [], "bad": []}
    page.on("console", lambda m: m.type in ("error", "warning") and seen["console"].append(
        f"{m.type}: {m.text}"))
    page.on("pageerror", lambda error: seen["console"].append(f"page error: {error}"))
    page.on("requestfailed", lambda r: seen["failed"].append(f"{r.url} ({r.failure})"))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("response", lambda r: r.status >= 400 and seen["bad"].append(f"{r.url} {r.status}"))
    page.goto(url, wait_until="networkidle")
    if page.evaluate("typeof MathJax !== 'undefined'"):
        page.evaluate("new Promise(done => MathJax.Hub.Queue(done))")
    seen.update(page.evaluate("""() => ({
        images: Array.from(document.images).map(i => [i.complete && i.naturalWidth > 0,
                                                      i.src.slice(0, 40)]),
        math: document.querySelectorAll('.MathJax, .MathJax_Display').length,
        mathErrors: document.querySelectorAll('.MathJax_Error, merror, .mjx-merror').length,
        links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
        ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
    })"""))
    if screenshot:
        page.screenshot(path=str(screenshot), full_page=False)
    page.close()
    return seen


def test_every_page_works_in_headless_chromium(browser, served, course, executed,
                                               tmp_path_factory):
    shots = tmp_path_factory.mktemp("screenshots")
    names = ["index.html"] + [f"{lesson.stem}.html" for lesson in syllabus.LESSONS]
    visits = {name: _visit(browser, served + name,
                           shots / f"{Path(name).stem}.png" if name in (
                               "index.html", "02_gradient_checking.html") else None)
              for name in names}
    host = urlparse(served).netloc
    for name, seen in visits.items():
        assert not seen["console"], (name, seen["console"])
        assert not seen["failed"] and not seen["bad"], (name, seen["failed"], seen["bad"])
        assert all(urlparse(url).netloc == host for url in seen["requests"]
                   if urlparse(url).scheme in ("http", "https")), name
        assert all(loaded for loaded, _ in seen["images"]), (name, seen["images"])
        assert not seen["mathErrors"], name
    for lesson, path in zip(syllabus.LESSONS, site.lesson_paths()):
        if site.MATH.search(site._markdown(executed[path])):
            assert visits[f"{lesson.stem}.html"]["math"] > 0, lesson.stem
    assert sum(bool(seen["images"]) for seen in visits.values()) >= 8  # figures, inline
    _assert_links_resolve(visits, served)
    print(f"screenshots of the home page and lesson 02: {shots}")
    assert (shots / "index.png").stat().st_size > 10_000


def _assert_links_resolve(visits: dict, served: str):
    """Every link on every page points at a page of the site, and at an element of it."""
    for name, seen in visits.items():
        for link in seen["links"]:
            target = urlparse(urljoin(served + name, link))
            assert target.netloc == urlparse(served).netloc, (name, link)
            page = Path(target.path).name or "index.html"
            assert page in visits, (name, link)
            if target.fragment:
                from urllib.parse import unquote
                ids = visits[page]["ids"]
                assert target.fragment in ids or unquote(target.fragment) in ids, (name, link)


def test_a_failing_lesson_stops_the_run_before_the_next_one_starts(tmp_path):
    import nbformat
    marker = tmp_path / "second lesson ran"
    failing = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")])
    second = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        f"open({str(marker)!r}, 'w').close()")])
    paths = [tmp_path / "01_fails.ipynb", tmp_path / "02_next.ipynb"]
    for path, notebook in zip(paths, (failing, second)):
        nbformat.write(notebook, path)
    with pytest.raises(LessonFailed, match="lesson 01_fails failed.*ZeroDivisionError"):
        execute.run_lessons(paths, quick=True, report=lambda line: None)
    assert not marker.exists()


def test_lessons_run_jobs_at_a_time_and_none_starts_after_a_failure():
    """a and b run together (a barrier needs both), c fails at once, d is still running then
    (it waits for the test): no success came after c's failure, so e and f never start.
    Nothing here depends on timing."""
    import concurrent.futures
    both_running, release_d = threading.Barrier(2, timeout=30), threading.Event()
    started = []

    def run(path):
        started.append(path.name)
        if path.name in ("a.ipynb", "b.ipynb"):
            both_running.wait()
        elif path.name == "c.ipynb":
            raise LessonFailed("lesson c failed")
        elif path.name == "d.ipynb":
            release_d.wait(30)
        return {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    paths = [Path(f"{name}.ipynb") for name in "abcdef"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        try:
            with pytest.raises(LessonFailed, match="lesson c"):
                execute._in_turn(pool, paths, run, jobs=2, report=lambda line: None)
        finally:
            release_d.set()
    assert "e.ipynb" not in started and "f.ipynb" not in started
    assert {"a.ipynb", "b.ipynb", "c.ipynb"} <= set(started)


def test_lessons_side_by_side_share_the_cores(tmp_path):
    import os

    import nbformat
    paths = []
    for name in ("01_a", "02_b"):
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            "import os; print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['NUMBA_NUM_THREADS'])")])
        paths.append(tmp_path / f"{name}.ipynb")
        nbformat.write(notebook, paths[-1])
    runs = execute.run_lessons(paths, quick=True, jobs=2, report=lambda line: None)
    share = str(max(1, os.cpu_count() // 2))
    for run in runs.values():
        assert run.cells[0].outputs[0]["text"].split() == [share, share]
