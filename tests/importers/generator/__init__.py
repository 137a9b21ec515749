"""A seeded generator of realistic target documents, rendered in every format, imported and
compared with the document it was drawn from (issue 9, point 6).

``generate(seed, count)`` draws the documents (layout.py), ``render`` writes them as docx, xlsx,
text and (through LibreOffice) PDF, ``compare`` checks an import against the truth, and
``run`` does it all; ``python -m tests.importers.generator`` prints the accuracy tables.
"""

from .compare import Outcome, compare
from .layout import FAMILIES, generate
from .model import Generated
from .render import FORMATS
from .run import Run, rate, run, table

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
