"""``python -m minigrad`` runs the ``minigrad`` command."""
import sys

from .cli import main

sys.exit(main())
