"""Text from a player or a lab, made safe to write to a terminal.

A lab's output, a case report or a file name can hold terminal control sequences: a lab that
prints ``ESC ] 52 ; c ; <base64> BEL`` writes the player's clipboard, ``ESC ] 0 ; ... BEL`` sets
the window title, ``ESC [ 2 J`` clears the screen. The CLI prints such text and the TUI draws it,
so both pass it through `strip_controls` first. Standard library only: the CLI imports it.
"""

from __future__ import annotations

import re

# ECMA-48 sequences, 7-bit (ESC ...) and 8-bit (a C1 control) forms.
_SEQUENCE = re.compile(
    # CSI: parameters, intermediates, one final byte (cursor moves, colours, screen clears)
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"
    # OSC, DCS, SOS, PM, APC: a string up to BEL or ST (titles, the clipboard, hyperlinks)
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x90\x98\x9c-\x9f]*(?:\x07|\x1b\\|\x9c)"
    # any other escape sequence: intermediates and a final byte (ESC c resets the terminal);
    # this also drops the introducer of a string sequence left unterminated
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
)
# What is left: C0 controls but tab and newline, DEL, C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """``text`` with every terminal control sequence and control character removed.

    Keeps tab and newline; drops escape sequences whole (CSI, OSC, DCS, SOS, PM, APC and the
    short ESC forms), then every other C0 control (carriage return included), DEL and every C1
    control (U+0080 to U+009F). What comes out makes the terminal do nothing but print.
    A sequence cut in two (text streamed in chunks) loses its controls all the same; only its
    harmless middle may show as text.
    """
    return _CONTROL.sub("", _SEQUENCE.sub("", text))
