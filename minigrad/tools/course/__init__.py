"""The course: the lessons in order (``syllabus``), and the site a learner reads them in.

``minigrad course build [--quick] [--out site]`` runs every lesson as the test suite does
(``execute``: solutions in, then the exercises put back as stubs), renders each as a page with
its outputs and figures (``render``) and writes the pages, a home page and offline MathJax
(``site``).  Importing this package loads nothing heavy: ``syllabus`` is plain data.
"""
