"""What is built on the engine: the ``minigrad`` command (``cli``), the Keras-style training
loop (``train``), run folders (``runs``), plots (``viz``), metrics, ``deploy`` (export and
predict from a run), Ctrl-C handling (``interrupt``), the GPU check, the gradient-check
catalogue (``opcheck``), the seed programs' twins (``experiments``), the course site
(``course``) and the exercise checker (``exercises``).

Each keeps its public name: ``minigrad.train`` is this folder's ``train`` (``public_names``).
"""
