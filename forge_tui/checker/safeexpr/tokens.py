"""Stage 4: tokens. The normalised text is split into numbers, names and operators by the
standard library's :mod:`tokenize` (lexing only: nothing is run), every name is resolved
against the declared symbols, constants and functions, and the tokens are rebuilt into a
Python expression string with the products and list commas a person leaves out:
``4h`` → ``4*h``, ``[8 9]`` → ``[8, 9]``, ``8;9`` → ``[8],[9]``, ``^`` → ``**``."""

from __future__ import annotations

import io
import keyword
import re
import tokenize
from dataclasses import dataclass

from .normalise import SYNTH, clip, show_char
from .vocabulary import CONSTANTS, FUNCTIONS, MAX_DEPTH, MAX_LITERAL_EXP, InputError


def internal_name(name: str) -> str:
    """Python identifier used for a name inside the rebuilt source."""
    return name + "_kw_" if keyword.iskeyword(name) else name


def unknown_name(name: str, symbols: tuple[str, ...]) -> InputError:
    shown = clip(name)
    if name.startswith("_") or "__" in name:
        tail = "expected numbers, + - * / ^"
        if symbols:
            tail += " and the symbols " + ", ".join(symbols)
        return InputError(f"names like '{shown}' are not allowed here; {tail}")
    if symbols:
        return InputError(f"unknown name '{shown}'; this answer uses {', '.join(symbols)}")
    return InputError(
        f"unknown name '{shown}'; expected numbers, + - * / ^ and functions like sqrt or exp"
    )


# ----------------------------------------------------------------------------------------
# lexing

_NUMBER = re.compile(r"^(?P<mant>\d+\.?\d*|\.\d+)(?:[eE](?P<exp>[+-]?\d+))?$")
_ALLOWED_OPS = {"+", "-", "*", "/", "**", "^", "@", "(", ")", "[", "]", ",", ";"}
_OPENERS = {"(": ")", "[": "]"}
_CLOSERS = {")": "(", "]": "["}


@dataclass
class _Tok:
    kind: str   # "num" | "name" | "func" | "op"
    text: str   # for names: the internal identifier
    start: int
    end: int


def check_number(text: str) -> None:
    m = _NUMBER.match(text)
    if not m:
        raise InputError(f"couldn't read the number '{clip(text)}'")
    if m.group("exp") is not None and abs(int(m.group("exp"))) > MAX_LITERAL_EXP:
        raise InputError(f"the number '{clip(text)}' is too large")


def decimals_of(text: str) -> int:
    m = _NUMBER.match(text)
    assert m
    mant = m.group("mant")
    frac = len(mant.split(".", 1)[1]) if "." in mant else 0
    exp = int(m.group("exp") or 0)
    return max(0, frac - exp)


def bracket_scan(s: str) -> None:
    stack: list[str] = []
    for ch in s:
        if ch in _OPENERS:
            stack.append(ch)
            if len(stack) > MAX_DEPTH:
                raise InputError(f"too many nested brackets (at most {MAX_DEPTH})")
        elif ch in _CLOSERS:
            if not stack:
                raise InputError(f"a '{ch}' has no matching '{_CLOSERS[ch]}'")
            top = stack.pop()
            if top != _CLOSERS[ch]:
                raise InputError(f"a '{top}' is closed by '{ch}'; use matching brackets")
    if stack:
        raise InputError(f"a '{stack[-1]}' is never closed")


def _case_folded(symbols: tuple[str, ...]) -> dict[str, str]:
    """Declared symbols by their lower-case spelling; empty when two differ only by case
    (then ``n`` and ``N`` are two symbols, and case matters)."""
    folded = {name.lower(): name for name in symbols}
    return folded if len(folded) == len(symbols) else {}


def _declared_symbol(name: str, symbols: tuple[str, ...]) -> str | None:
    """The declared symbol a typed name stands for, else None: ``z1`` for ``z_1`` and
    back, and ``H`` for ``h`` where no two symbols differ only by case."""
    folded = _case_folded(symbols)
    for form in (name,
                 re.sub(r"_(\d+)$", r"\1", name),                # z_1 typed, z1 declared
                 re.sub(r"([A-Za-z])(\d+)$", r"\1_\2", name)):  # beta1 typed, beta_1 declared
        if form in symbols:
            return form
        if form.lower() in folded:
            return folded[form.lower()]
    return None


def _resolve_name(
    text: str, meta: list[int], symbols: tuple[str, ...], singles: set[str]
) -> list[tuple[str, str]]:
    """Resolve a NAME token into [(kind, display name)], splitting products like ``hd``."""
    allowed = set(symbols) | set(CONSTANTS) | set(FUNCTIONS)

    def kind_of(name: str) -> str:
        return "func" if name in FUNCTIONS else "name"

    def whole(name: str) -> str | None:
        if name in allowed:
            return name
        return _declared_symbol(name, symbols)

    def single(name: str) -> list[tuple[str, str]] | None:
        w = whole(name)
        if w is not None:
            return [(kind_of(w), w)]
        letters = [_declared_symbol(ch, symbols) for ch in name]
        if len(name) > 1 and all(x in singles for x in letters):
            return [("name", x) for x in letters]  # hd -> h d
        return None

    got = single(text)
    if got is not None:
        return got
    # split at Greek-letter boundaries: βx -> beta x
    segments: list[str] = []
    prev = None
    for ch, m in zip(text, meta):
        tag = m if m > 0 else 0
        if prev is None or tag != prev:
            segments.append(ch)
        else:
            segments[-1] += ch
        prev = tag
    if len(segments) > 1:
        out: list[tuple[str, str]] = []
        for seg in segments:
            part = single(seg)
            if part is None:
                raise unknown_name(seg, symbols)
            out.extend(part)
        return out
    raise unknown_name(text, symbols)


def lex(s: str, meta: list[int], symbols: tuple[str, ...]) -> list[_Tok]:
    singles = {name for name in symbols if len(name) == 1}
    toks: list[_Tok] = []
    try:
        stream = list(tokenize.generate_tokens(io.StringIO(s).readline))
    except (tokenize.TokenError, SyntaxError, ValueError):
        raise InputError("couldn't read that; check the brackets and operators") from None
    for t in stream:
        typ, text = t.type, t.string
        if t.start[0] != 1 and typ not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER):
            raise InputError("type the answer on one line")
        start, end = t.start[1], t.end[1]
        if typ in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT,
                   tokenize.DEDENT):
            continue
        if typ == tokenize.COMMENT:
            raise InputError("'#' is not allowed here")
        if typ == tokenize.STRING:
            raise InputError("quotes and text are not allowed here; type numbers and symbols")
        if typ == tokenize.NUMBER:
            if text[-1] in "jJ" and len(text) > 1:
                check_number(text[:-1])
                toks.append(_Tok("num", text[:-1], start, end - 1))
                toks.extend(_Tok(k, n, end - 1, end) for k, n in
                            _resolve_name("j", [0], symbols, singles))
                continue
            prev = toks[-1] if toks else None
            if prev is not None and prev.kind == "num" and prev.end == start:
                merged = prev.text + text  # 00012 lexes as 000 + 12
                if _NUMBER.match(merged) and "." not in merged and "e" not in merged.lower():
                    prev.text, prev.end = merged, end
                    continue
                raise InputError(f"couldn't read the number '{clip(merged)}'")
            check_number(text)
            toks.append(_Tok("num", text, start, end))
            continue
        if typ == tokenize.NAME:
            parts = _resolve_name(text, meta[start:end], symbols, singles)
            for k, name in parts:
                toks.append(_Tok(k, name, start, end))
            continue
        if typ == tokenize.OP:
            if text == "=":
                raise InputError("type just the value, without '='")
            if text in ("==", "<", ">", "<=", ">=", "!="):
                raise InputError("comparisons are not allowed here; type just the value")
            if text == ".":
                raise InputError("'.' is only allowed inside numbers")
            if text not in _ALLOWED_OPS:
                raise InputError(f"the symbol '{clip(text, 8)}' is not allowed here")
            toks.append(_Tok("op", text, start, end))
            continue
        if typ == tokenize.ERRORTOKEN and text.strip() == "":
            continue
        raise InputError(f"the character {show_char(text[:1] or '?')} is not allowed here")
    return toks


def _is_op(t: _Tok, text: str) -> bool:
    return t.kind == "op" and t.text == text


def semicolon_rows(toks: list[_Tok]) -> list[_Tok]:
    """A ';' ends a row, as in MATLAB: ``8;9`` is ``[8],[9]`` (a column), ``[1 2; 3 4]`` is
    ``[[1 2],[3 4]]``. In each bracket (and at the top level) holding a ';', every row is
    wrapped in its own brackets and the ';' becomes ','; one trailing ';' is allowed."""
    if not any(_is_op(t, ";") for t in toks):
        return toks
    out: list[_Tok] = []
    rows: list[tuple[int, bool]] = [(0, False)]  # per open bracket: where its row starts, seen ';'

    def wrap_row(start: int) -> None:
        row = out[start:]
        out[start:] = [_Tok("op", "[", row[0].start, row[0].start), *row,
                       _Tok("op", "]", row[-1].end, row[-1].end)]

    def close_group() -> None:
        start, seen = rows.pop()
        if not seen:
            return
        if len(out) == start:  # a trailing ';': drop the ',' it became
            out.pop()
        else:
            wrap_row(start)

    for t in toks:
        if _is_op(t, ";"):
            start, _ = rows[-1]
            if len(out) == start:
                raise InputError("put a value before each ';'")
            wrap_row(start)
            out.append(_Tok("op", ",", t.start, t.end))
            rows[-1] = (len(out), True)
            continue
        if t.kind == "op" and t.text in _CLOSERS:
            close_group()
        out.append(t)
        if t.kind == "op" and t.text in _OPENERS:
            rows.append((len(out), False))
    close_group()
    return out


def _ends_operand(t: _Tok) -> bool:
    return t.kind in ("num", "name") or (t.kind == "op" and t.text in (")", "]"))


def _starts_operand(t: _Tok) -> bool:
    return t.kind in ("num", "name", "func") or (t.kind == "op" and t.text in ("(", "["))


def _typed_space(meta: list[int], s: str, a: int, b: int) -> bool:
    """Whether the person typed whitespace between string positions a and b."""
    return any(s[i] == " " and meta[i] != SYNTH for i in range(a, b))


def rebuild(toks: list[_Tok], s: str, meta: list[int]) -> list[str]:
    """Insert implicit products and list commas; return the source tokens."""
    out: list[str] = []
    stack: list[str] = []
    close_after_atom = 0
    n = len(toks)
    for i, t in enumerate(toks):
        prev = toks[i - 1] if i else None
        if prev is not None:
            gap = prev.end < t.start
            spaced = gap and _typed_space(meta, s, prev.end, t.start)
            in_list = bool(stack) and stack[-1] == "["
            if prev.kind == "func" and not (t.kind == "op" and t.text == "("):
                if t.kind in ("num", "name"):
                    out.append("(")
                    close_after_atom += 1
                else:
                    raise InputError(f"write {prev.text}(...) with brackets")
            elif _ends_operand(prev) and _starts_operand(t):
                if prev.kind == "num" and t.kind == "num":
                    out.append(",")
                elif (spaced and in_list and (prev.kind == "num" or prev.text == "]")
                      and (t.kind == "num" or t.text == "[")):
                    out.append(",")  # [8 9], [[1 2] [3 4]]
                else:
                    out.append("*")
            elif (in_list and spaced and (prev.kind == "num" or prev.text == "]")
                  and t.kind == "op"
                  and t.text in ("-", "+") and i + 1 < n and toks[i + 1].start == t.end
                  and _starts_operand(toks[i + 1])):
                out.append(",")  # [8 -9] is two entries, as in MATLAB
        if t.kind == "op":
            if t.text in _OPENERS:
                stack.append(t.text)
            elif t.text in _CLOSERS and stack:
                stack.pop()
            out.append("**" if t.text == "^" else t.text)
        elif t.kind == "num":
            out.append(str(int(t.text)) if t.text.isdigit() else t.text)  # 007 -> 7
        else:
            out.append(internal_name(t.text))
            if close_after_atom and t.kind != "func":
                out.append(")" * close_after_atom)
                close_after_atom = 0
    if close_after_atom:
        out.append(")" * close_after_atom)
    if toks and toks[-1].kind == "func":
        raise InputError(f"write {toks[-1].text}(...) with brackets")
    return out
