"""Text as every writer may put it in a file: no characters XML refuses, formulas neutralised.

Names come from people's documents and pasted text. Word's manual line break (a vertical tab),
a stray control character or a lone surrogate makes openpyxl and python-docx refuse the whole
file (a 500 on the download); Excel and WPS run a cell starting with ``=``, ``+``, ``-``, ``@``
(or a tab or carriage return before one) as a formula when it is typed, pasted or edited.
"""

from __future__ import annotations

import re

__all__ = ["FORMULA_START", "is_formula_like", "printable"]

# What Excel and WPS may read as the start of a formula (OWASP's CSV-injection list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Line breaks that are not "\n": Windows' CR LF, a lone CR, Word's vertical tab, a form feed.
_BREAKS = re.compile(r"\r\n?|[\x0b\x0c]")
# Everything else XML 1.0 cannot hold: C0 controls but tab and newline, surrogates,
# U+FFFE/U+FFFF.
_ILLEGAL = re.compile(r"[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """The text with its line breaks as "\\n" and without characters a file cannot hold."""
    return _ILLEGAL.sub("", _BREAKS.sub("\n", text))


def is_formula_like(text: str) -> bool:
    """True for text a spreadsheet would take for a formula if it were typed in."""
    return text.startswith(FORMULA_START)
