"""``minigrad.utils.tensorboard.SummaryWriter``: where PyTorch scripts log their curves.

It keeps TensorBoard's calls (``add_scalar``, ``add_scalars``, ``add_text``, ``flush``,
``close``) but not its file format: each record is one JSON line in ``LOG_DIR/scalars.jsonl``
(``{"tag": "Loss/train", "value": 2.31, "step": 100, "time": ...}``), readable with any JSON
reader or ``pandas.read_json(path, lines=True)``.  TensorBoard itself cannot open it.
"""
from __future__ import annotations

import json
import time
from pathlib import Path


class SummaryWriter:
    def __init__(self, log_dir=None, comment: str = "", **ignored):
        self.log_dir = Path(log_dir or f"runs/{time.strftime('%b%d_%H-%M-%S')}{comment}")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._file = open(self.log_dir / "scalars.jsonl", "a", encoding="utf-8")

    def add_scalar(self, tag: str, scalar_value, global_step=None, walltime=None, **ignored):
        self._write(tag=tag, value=float(scalar_value), step=global_step,
                    time=walltime or time.time())

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict, global_step=None,
                    walltime=None):
        for tag, value in tag_scalar_dict.items():
            self.add_scalar(f"{main_tag}/{tag}", value, global_step, walltime)

    def add_text(self, tag: str, text_string: str, global_step=None, walltime=None):
        self._write(tag=tag, text=str(text_string), step=global_step,
                    time=walltime or time.time())

    def _write(self, **record):
        self._file.write(json.dumps(record) + "\n")

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False
