"""A seeded generator of realistic target documents, rendered in every format, imported and
compared with the document it was drawn from (issue 9, point 6).

``generate(seed, count)`` draws the documents (layout.py), ``render`` writes them as docx, xlsx,
text and (through LibreOffice) PDF, ``compare`` checks an import against the truth, and
``run`` does it all; ``python -m tests.importers.generator`` prints the accuracy tables.
"""

import sys
from pathlib import Path

# The test helpers beside this package (canvas, office, …) are imported by their bare names, as
# pytest imports them; run as ``python -m tests.importers.generator`` they are found here.
_HERE = str(Path(__file__).resolve().parent.parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from .compare import Outcome, compare  # noqa: E402
from .layout import FAMILIES, generate  # noqa: E402
from .model import Generated  # noqa: E402
from .render import FORMATS  # noqa: E402
from .run import Run, rate, run, table  # noqa: E402

__all__ = [
    "FAMILIES",
    "FORMATS",
    "Generated",
    "Outcome",
    "Run",
    "compare",
    "generate",
    "rate",
    "run",
    "table",
]
