"""strip_controls: what a lab prints reaches the terminal as text, never as a command to it."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forge_tui.safetext import strip_controls


def is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" and char not in "\n\t"


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("clipboard\x1b]52;c;SGVsbG8=\x07 written", "clipboard written"),  # OSC 52, ended by BEL
        ("title\x1b]0;pwned\x1b\\ set", "title set"),  # OSC 0, ended by ST
        ("link \x1b]8;;http://x\x1b\\here\x1b]8;;\x1b\\", "link here"),  # OSC 8 hyperlink
        ("\x1b[31mred\x1b[0m", "red"),  # SGR colour
        ("\x1b[2J\x1b[H\x1b[?1049h\x1b[38;2;1;2;3mtext", "text"),  # clear, home, alt screen, truecolor
        ("\x9b2Jc1 csi\x9d0;t\x9c", "c1 csi"),  # 8-bit CSI and OSC
        ("\x1bPq#0;2;0;0;0\x1b\\sixel", "sixel"),  # DCS
        ("\x1b_apc\x1b\\\x1b^pm\x1b\\\x1bXsos\x1b\\ok", "ok"),  # APC, PM, SOS
        ("\x1bcreset \x1b7saved\x1b8 \x1b(Bcharset", "reset saved charset"),  # short ESC forms
        ("bell\x07 back\x08space\x7f cr\r\n", "bell backspace cr\n"),  # C0 controls and DEL
        ("next\x85line\x9c", "nextline"),  # lone C1 controls
        ("tabs\tand\nnewlines stay", "tabs\tand\nnewlines stay"),
        ("unicode: ∇f · σ² — ok [b]x[/]", "unicode: ∇f · σ² — ok [b]x[/]"),
        ("ends in ESC\x1b", "ends in ESC"),
    ],
)
def test_sequences_are_removed_and_text_is_kept(raw, shown):
    assert strip_controls(raw) == shown


def test_an_unterminated_string_sequence_loses_its_introducer():
    # a chunk that ends inside an OSC: the controls go, the harmless middle may show
    out = strip_controls("before\x1b]52;c;SGVs")
    assert out.startswith("before") and "\x1b" not in out
    assert strip_controls("bG8=\x07after") == "bG8=after"


@given(st.text(alphabet=st.characters(max_codepoint=0x2FF)))
def test_no_control_character_survives(text):
    assert not any(is_control(char) for char in strip_controls(text))


@given(st.text(alphabet=st.characters(max_codepoint=0x2FF, exclude_categories=("Cc",))))
def test_text_without_controls_is_unchanged(text):
    assert strip_controls(text) == text
