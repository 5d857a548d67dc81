"""One executed lesson as the HTML of its page: cells, outputs, figures and a table of contents.

nbconvert's ``basic`` template gives the cells alone — highlighted code, outputs, figures as
inline images, markdown with its ``$…$`` math left for MathJax — and nothing loaded from
another host; ``site`` wraps it in the course's own page.  Each exercise gets a label (and an
anchor, ``#exercise-02.1``) above its stub, and its check cell says how to check an answer.
"""
from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass

from ..exercises import EXERCISES
from .execute import CHECK_CALL

TITLE = re.compile(r'<h1 id="[^"]+">(?P<text>.*?)<a class="anchor-link"', re.DOTALL)
HEADING = re.compile(r'<h(?P<level>[23]) id="(?P<id>[^"]+)">(?P<text>.*?)<a class="anchor-link"',
                     re.DOTALL)
TAG = re.compile(r"<[^>]+>")


@dataclass
class Page:
    title: str       # the lesson's # heading
    body: str        # the cells' HTML
    contents: list   # [(level, id, text)] of the lesson's ## and ### headings


def render(notebook, lesson) -> Page:
    """The page body of an executed ``notebook`` (exercises already stubs) of ``lesson``."""
    from nbconvert import HTMLExporter
    body, _ = HTMLExporter(template_name="basic").from_notebook_node(_labelled(notebook, lesson))
    contents = [(int(m["level"]), m["id"], _text(m["text"])) for m in HEADING.finditer(body)]
    title = TITLE.search(body)
    return Page(_text(title["text"]) if title else "", body, contents)


def _text(markup: str) -> str:
    """What a heading's HTML reads as: tags dropped, entities decoded."""
    return html.unescape(TAG.sub("", markup)).strip()


def _labelled(notebook, lesson):
    """A copy of ``notebook`` with a label cell above each exercise and the check cells'
    outputs replaced by how to check."""
    import nbformat
    labelled = copy.deepcopy(notebook)
    cells = []
    for cell in labelled.cells:
        key = cell.metadata.get("exercise") if cell.cell_type == "code" else None
        if key:
            cells.append(nbformat.v4.new_markdown_cell(exercise_label(key)))
        check = CHECK_CALL.search(cell.source) if cell.cell_type == "code" else None
        if check:
            cell.outputs = [nbformat.v4.new_output(
                "display_data", {"text/html": how_to_check(check["key"], lesson)})]
        cells.append(cell)
    labelled.cells = cells
    return labelled


def exercise_label(key: str) -> str:
    exercise = EXERCISES[key]
    return (f'<div class="exercise-label" id="exercise-{key}">Your answer to {key}: write '
            f'<code>{html.escape(exercise.function)}()</code> in this cell</div>')


def how_to_check(key: str, lesson) -> str:
    return (f'<div class="exercise-check">This cell checks {key} when you run the lesson '
            f'(<code>minigrad lessons</code>): right, or what is wrong with your answer. From '
            f'a terminal: <code>minigrad exercises check lessons/{lesson.stem}.ipynb</code>'
            f'</div>')
