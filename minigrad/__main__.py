"""``python -m minigrad`` runs the ``minigrad`` command."""
import sys

from .tools.cli import main

sys.exit(main())
