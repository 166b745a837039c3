"""Safe expression parsing for everything a player or content author types.

Pipeline (nothing is ever evaluated as Python):

1. length check (``MAX_INPUT_CHARS``);
2. Unicode normalisation (``−`` → ``-``, ``×`` → ``*``, ``²`` → ``^2``, ``√`` → ``sqrt``,
   ``π`` → ``pi``, Greek letters → their names, ``{}`` → ``()``, NFKC for the rest);
3. bracket pre-scan (balance, nesting depth);
4. lexing with the stdlib :mod:`tokenize` module (lexing only), resolving every name
   against the declared symbols (in either case where no two differ only by case),
   constants and functions, inserting implicit products (``4h``, ``2(x+1)``, ``)(``,
   ``hd`` → ``h*d``), turning ``[8 9]`` / ``8 9`` into lists, ``;`` into the end of a row
   (``8;9``, ``[1 2; 3 4]``, as in MATLAB) and ``^`` into ``**``;
5. ``ast.parse(..., mode="eval")`` of the rebuilt token string, then a walk of the tree
   against a whitelist of node types, with limits on depth and size;
6. building the value node by node with a backend: the pure-Python numeric backend in
   this module (``fractions.Fraction`` / ``math``), or the sympy backend in
   :mod:`forge_tui.checker.derivation`.

This module must not import sympy or numpy.
"""

from __future__ import annotations

import ast
import io
import keyword
import math
import re
import tokenize
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Sequence

MAX_INPUT_CHARS = 400
MAX_DEPTH = 40          # ast depth and bracket nesting
MAX_NODES = 300         # ast nodes (operators and contexts not counted)
MAX_EXPONENT = 1000     # |exponent| of a numeric power
MAX_DIGITS = 10_000     # digits of any exact number
MAX_BITS = int(MAX_DIGITS * 3.3219280948873626) + 1
MAX_DIM = 10            # matrices at most 10 x 10
MAX_VECTOR = 32         # entries of a flat vector
MAX_LITERAL_EXP = 400   # |e| in a literal like 1e400

CONSTANTS = ("e", "pi")
# name -> (min args, max args)
FUNCTIONS: dict[str, tuple[int, int]] = {
    "sqrt": (1, 1), "exp": (1, 1), "log": (1, 2), "ln": (1, 1),
    "sin": (1, 1), "cos": (1, 1), "tan": (1, 1), "tanh": (1, 1),
    "sigmoid": (1, 1), "abs": (1, 1), "max": (1, MAX_VECTOR), "min": (1, MAX_VECTOR),
    "diff": (2, 4), "det": (1, 1), "trace": (1, 1), "transpose": (1, 1),
    "inv": (1, 1), "dot": (2, 2), "norm": (1, 1),
}
SCALAR_FUNCTIONS = ("sqrt", "exp", "log", "ln", "sin", "cos", "tan", "tanh", "sigmoid", "abs")


class InputError(ValueError):
    """The input could not be read or was refused. ``str(err)`` is one line for a player."""


class DomainError(InputError):
    """The input was read, but its value is undefined (division by zero, log of a negative...)."""


# ----------------------------------------------------------------------------------------
# Unicode normalisation

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "ο": "omicron", "π": "pi", "ρ": "rho",
    "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega",
    "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi",
    "Σ": "Sigma", "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}
SIMPLE = {
    "−": "-", "–": "-", "—": "-", "‐": "-", "‒": "-", "﹣": "-", "－": "-",
    "×": "*", "·": "*", "⋅": "*", "∗": "*", "•": "*", "✕": "*",
    "÷": "/", "∕": "/", "⁄": "/",
    "{": "(", "}": ")",  # {8, 9} is a list and {h + d} a group, as (8, 9) and (h + d) are
}
SUPERSCRIPTS = {
    "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7",
    "⁸": "8", "⁹": "9", "⁺": "+", "⁻": "-", "⁽": "(", "⁾": ")", "ᵀ": "T",
}
SUBSCRIPTS = {
    "₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "₅": "5", "₆": "6", "₇": "7",
    "₈": "8", "₉": "9",
}
_SYNTH = -1  # meta value: a character the normaliser inserted (spaces here are not "typed")


def _normalise(text: str) -> tuple[str, list[int]]:
    """Return the normalised string and, per character, a meta tag.

    meta 0: typed by the person; -1: inserted by the normaliser; k > 0: part of the
    k-th Greek letter expanded into its name (used to split names like ``βx``).
    """
    chars: list[str] = []
    meta: list[int] = []
    group = 0

    def emit(s: str, m: int) -> None:
        chars.extend(s)
        meta.extend([m] * len(s))

    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in SUPERSCRIPTS:
            j = i
            while j < n and text[j] in SUPERSCRIPTS:
                j += 1
            run = "".join(SUPERSCRIPTS[ch] for ch in text[i:j])
            if run == "T":
                emit(" ", _SYNTH)  # Aᵀ: not supported as an operator; refuse clearly below
                raise InputError("write transpose(A) instead of a superscript T")
            emit("^" + run if run.isdigit() else "^(" + run + ")", _SYNTH)
            i = j
            continue
        if c in SUBSCRIPTS:
            j = i
            while j < n and text[j] in SUBSCRIPTS:
                j += 1
            emit("_" + "".join(SUBSCRIPTS[ch] for ch in text[i:j]), 0)
            i = j
            continue
        if c == "√":
            emit(" sqrt ", _SYNTH)
            i += 1
            continue
        if c in SIMPLE:
            emit(SIMPLE[c], 0)
            i += 1
            continue
        if c.isspace():
            emit(" ", 0)
            i += 1
            continue
        for ch in unicodedata.normalize("NFKC", c):
            if ch in GREEK:
                group += 1
                emit(GREEK[ch], group)
            elif ch in SIMPLE:
                emit(SIMPLE[ch], 0)
            elif ch.isspace():
                emit(" ", 0)
            else:
                cat = unicodedata.category(ch)
                if cat == "Cf":  # zero-width joiners, soft hyphens: drop silently
                    continue
                if cat.startswith("C") or ch == "\\":
                    raise InputError(f"the character {_show_char(ch)} is not allowed here")
                emit(ch, 0)
        i += 1
    # strip surrounding spaces
    start, end = 0, len(chars)
    while start < end and chars[start] == " ":
        start += 1
    while end > start and chars[end - 1] == " ":
        end -= 1
    return "".join(chars[start:end]), meta[start:end]


def _show_char(ch: str) -> str:
    if ch.isprintable() and not ch.isspace():
        return f"'{ch}'"
    return f"U+{ord(ch):04X}"


def _clip(s: str, limit: int = 24) -> str:
    return s if len(s) <= limit else s[: limit - 1] + "…"


# ----------------------------------------------------------------------------------------
# symbols

_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def normalise_symbols(symbols: Sequence[str] | str | None) -> tuple[str, ...]:
    """Declared symbol names, normalised (Greek letters → names); constants and function
    names are dropped (``e`` and ``pi`` are always constants)."""
    if symbols is None:
        return ()
    if isinstance(symbols, str):
        symbols = symbols.replace(",", " ").split()
    out: list[str] = []
    for raw in symbols:
        name = "".join(GREEK.get(ch, ch) for ch in unicodedata.normalize("NFKC", str(raw).strip()))
        name = "".join("_" + SUBSCRIPTS[ch] if ch in SUBSCRIPTS else ch for ch in name)
        if not name or name in CONSTANTS or name in FUNCTIONS:
            continue
        if not _IDENT.match(name):
            raise InputError(f"the symbol name '{_clip(name)}' is not valid")
        if name not in out:
            out.append(name)
    return tuple(out)


def _internal(name: str) -> str:
    """Python identifier used for a name inside the rebuilt source."""
    return name + "_kw_" if keyword.iskeyword(name) else name


def _unknown_name(name: str, symbols: tuple[str, ...]) -> InputError:
    shown = _clip(name)
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


@dataclass(frozen=True)
class Parsed:
    """A validated expression: an ``ast.Expression`` made only of whitelisted nodes."""

    tree: ast.Expression
    source: str                   # the rebuilt, ASCII-only source the tree came from
    symbols: tuple[str, ...]      # declared symbols (display names)
    names: dict[str, str]         # internal identifier -> display name
    decimals: int | None          # decimal places typed when the input is one plain number
    literals: dict[int, str]      # id(Constant node) -> literal text

    def literal(self, node: ast.Constant) -> str:
        return self.literals[id(node)]


def _check_number(text: str) -> None:
    m = _NUMBER.match(text)
    if not m:
        raise InputError(f"couldn't read the number '{_clip(text)}'")
    if m.group("exp") is not None and abs(int(m.group("exp"))) > MAX_LITERAL_EXP:
        raise InputError(f"the number '{_clip(text)}' is too large")


def _decimals_of(text: str) -> int:
    m = _NUMBER.match(text)
    assert m
    mant = m.group("mant")
    frac = len(mant.split(".", 1)[1]) if "." in mant else 0
    exp = int(m.group("exp") or 0)
    return max(0, frac - exp)


def _bracket_scan(s: str) -> None:
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
                raise _unknown_name(seg, symbols)
            out.extend(part)
        return out
    raise _unknown_name(text, symbols)


def _lex(s: str, meta: list[int], symbols: tuple[str, ...]) -> list[_Tok]:
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
                _check_number(text[:-1])
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
                raise InputError(f"couldn't read the number '{_clip(merged)}'")
            _check_number(text)
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
                raise InputError(f"the symbol '{_clip(text, 8)}' is not allowed here")
            toks.append(_Tok("op", text, start, end))
            continue
        if typ == tokenize.ERRORTOKEN and text.strip() == "":
            continue
        raise InputError(f"the character {_show_char(text[:1] or '?')} is not allowed here")
    return toks


def _is_op(t: _Tok, text: str) -> bool:
    return t.kind == "op" and t.text == text


def _semicolon_rows(toks: list[_Tok]) -> list[_Tok]:
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
    return any(s[i] == " " and meta[i] != _SYNTH for i in range(a, b))


def _rebuild(toks: list[_Tok], s: str, meta: list[int]) -> list[str]:
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
            out.append(_internal(t.text))
            if close_after_atom and t.kind != "func":
                out.append(")" * close_after_atom)
                close_after_atom = 0
    if close_after_atom:
        out.append(")" * close_after_atom)
    if toks and toks[-1].kind == "func":
        raise InputError(f"write {toks[-1].text}(...) with brackets")
    return out


# ----------------------------------------------------------------------------------------
# ast whitelist

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^",
           ast.MatMult: "@"}
_REFUSED_BINOPS = {ast.FloorDiv: "//", ast.Mod: "%", ast.BitXor: "^", ast.BitAnd: "&",
                   ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>"}


def _validate(tree: ast.Expression, names: dict[str, str], symbols: tuple[str, ...]) -> None:
    count = 0
    todo: list[tuple[ast.AST, int, ast.AST | None]] = [(tree, 0, None)]
    while todo:
        node, depth, parent = todo.pop()
        count += 1
        if count > MAX_NODES:
            raise InputError("that expression is too long; try a shorter form")
        if depth > MAX_DEPTH:
            raise InputError("that expression is nested too deeply")
        if isinstance(node, ast.Expression):
            todo.append((node.body, depth + 1, node))
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINOPS:
                op = _REFUSED_BINOPS.get(type(node.op), "that operator")
                raise InputError(f"the operator '{op}' is not allowed here")
            todo.append((node.left, depth + 1, node))
            todo.append((node.right, depth + 1, node))
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise InputError("only + and - may stand before a value")
            todo.append((node.operand, depth + 1, node))
        elif isinstance(node, ast.Constant):
            if type(node.value) not in (int, float):
                raise InputError("only numbers are allowed as values")
        elif isinstance(node, ast.Name):
            if node.id not in names:
                raise _unknown_name(node.id, symbols)
            display = names[node.id]
            if display in FUNCTIONS and not (isinstance(parent, ast.Call) and parent.func is node):
                raise InputError(f"write {display}(...) with brackets")
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or names.get(node.func.id) not in FUNCTIONS:
                raise InputError("only the listed functions can be called, like sqrt(x)")
            fname = names[node.func.id]
            if node.keywords:
                raise InputError(f"{fname}(...) takes plain values, not name=value")
            if any(isinstance(a, ast.Starred) for a in node.args):
                raise InputError(f"'*' is not allowed inside {fname}(...)")
            lo, hi = FUNCTIONS[fname]
            if not lo <= len(node.args) <= hi:
                if lo == hi:
                    want = f"{lo} value" + ("s" if lo != 1 else "")
                else:
                    want = f"{lo} to {hi} values"
                raise InputError(f"{fname}(...) takes {want}")
            if fname == "diff":
                _validate_diff(node, names)
            todo.append((node.func, depth + 1, node))
            for a in node.args:
                todo.append((a, depth + 1, node))
        elif isinstance(node, (ast.Tuple, ast.List)):
            if not node.elts:
                raise InputError("empty brackets; put a value inside")
            if any(isinstance(e, ast.Starred) for e in node.elts):
                raise InputError("'*' must stand between two values")
            for e in node.elts:
                todo.append((e, depth + 1, node))
        elif isinstance(node, ast.Compare):
            raise InputError("comparisons are not allowed here; type just the value")
        elif isinstance(node, ast.Starred):
            raise InputError("'*' must stand between two values")
        else:
            raise InputError("that is not allowed here; use numbers, + - * / ^ and brackets")


def _validate_diff(node: ast.Call, names: dict[str, str]) -> None:
    prev_was_symbol = False
    for a in node.args[1:]:
        if isinstance(a, ast.Name) and a.id in names and names[a.id] not in (
                *FUNCTIONS, *CONSTANTS):
            prev_was_symbol = True
            continue
        if (isinstance(a, ast.Constant) and type(a.value) is int and 1 <= a.value <= 10
                and prev_was_symbol):
            prev_was_symbol = False
            continue
        raise InputError("write diff(f, x) or diff(f, x, y) with declared symbols after f")


# ----------------------------------------------------------------------------------------
# parse


def parse(text: str, symbols: Sequence[str] | str = ()) -> Parsed:
    """Read ``text`` in the safe syntax. Raises :class:`InputError` with a player message."""
    if not isinstance(text, str):
        raise InputError("type an answer first")
    if len(text) > MAX_INPUT_CHARS:
        raise InputError(f"that is too long (at most {MAX_INPUT_CHARS} characters)")
    syms = normalise_symbols(symbols)
    s, meta = _normalise(text)
    if not s:
        raise InputError("type an answer first")
    if len(s) > 2 * MAX_INPUT_CHARS:
        raise InputError(f"that is too long (at most {MAX_INPUT_CHARS} characters)")
    if re.search(r"(?<![<>=!])=(?!=)", s):
        raise InputError("type just the value, without '='")
    _bracket_scan(s)
    toks = _semicolon_rows(_lex(s, meta, syms))
    if not toks:
        raise InputError("type an answer first")
    decimals = None
    plain = [t for t in toks if not (t.kind == "op" and t.text in ("+", "-"))]
    if len(plain) == 1 and plain[0].kind == "num" and toks[-1] is plain[0]:
        decimals = _decimals_of(plain[0].text)
    pieces = _rebuild(toks, s, meta)
    source = " ".join(pieces)
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        raise InputError(_syntax_hint(pieces)) from None
    names = {_internal(n): n for n in (*syms, *CONSTANTS, *FUNCTIONS)}
    _validate(tree, names, syms)
    literals: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            seg = ast.get_source_segment(source, node)
            if seg is None:
                raise InputError("couldn't read a number in that")
            _check_number(seg)
            literals[id(node)] = seg
    return Parsed(tree, source, syms, names, decimals, literals)


def _syntax_hint(pieces: list[str]) -> str:
    if pieces and pieces[-1] in ("+", "-", "*", "/", "**", "@", ","):
        return "that ends with an operator; finish the expression"
    if pieces and pieces[0] in ("*", "/", "**", "@", ","):
        return "that starts with an operator; put a value first"
    return "couldn't read that; check for a missing number or operator"


# ----------------------------------------------------------------------------------------
# generic builder


class Backend:
    """Interface the builder calls; see NumericBackend and the sympy backend."""

    def number(self, literal: str) -> Any: raise NotImplementedError
    def constant(self, name: str) -> Any: raise NotImplementedError
    def symbol(self, name: str) -> Any: raise NotImplementedError
    def neg(self, a: Any) -> Any: raise NotImplementedError
    def binop(self, op: str, a: Any, b: Any) -> Any: raise NotImplementedError
    def call(self, name: str, args: list[Any]) -> Any: raise NotImplementedError
    def diff(self, f: Any, spec: list[Any]) -> Any: raise NotImplementedError
    def array(self, items: list[Any]) -> Any: raise NotImplementedError


def build(parsed: Parsed, backend: Backend) -> Any:
    names = parsed.names

    def visit(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return visit(node.body)
        if isinstance(node, ast.Constant):
            return backend.number(parsed.literal(node))
        if isinstance(node, ast.Name):
            name = names[node.id]
            return backend.constant(name) if name in CONSTANTS else backend.symbol(name)
        if isinstance(node, ast.UnaryOp):
            v = visit(node.operand)
            return backend.neg(v) if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            return backend.binop(_BINOPS[type(node.op)], visit(node.left), visit(node.right))
        if isinstance(node, ast.Call):
            fname = names[node.func.id]  # type: ignore[attr-defined]
            if fname == "diff":
                f = visit(node.args[0])
                spec: list[Any] = []
                for a in node.args[1:]:
                    if isinstance(a, ast.Name):
                        spec.append(backend.symbol(names[a.id]))
                    else:
                        spec.append(int(parsed.literal(a)))  # type: ignore[arg-type]
                return backend.diff(f, spec)
            return backend.call(fname, [visit(a) for a in node.args])
        if isinstance(node, (ast.Tuple, ast.List)):
            return backend.array([visit(e) for e in node.elts])
        raise InputError("that is not allowed here")  # unreachable after _validate

    return visit(parsed.tree)


# ----------------------------------------------------------------------------------------
# pure-Python numeric backend (no sympy)

Scalar = Fraction | float


class Vec(tuple):
    """A flat vector of scalars."""


class Mat(tuple):
    """A matrix: a tuple of equal-length row tuples."""

    @property
    def shape(self) -> tuple[int, int]:
        return len(self), len(self[0])


def is_scalar(v: Any) -> bool:
    return isinstance(v, (Fraction, float))


def describe(v: Any) -> str:
    if isinstance(v, Vec):
        return f"a vector of {len(v)} entr" + ("y" if len(v) == 1 else "ies")
    if isinstance(v, Mat):
        return "a {}×{} matrix".format(*v.shape)
    return "a number"


def _too_large() -> InputError:
    return InputError("that number is too large to work with here")


def _chk(x: Any) -> Any:
    if isinstance(x, Fraction):
        if x.numerator.bit_length() > MAX_BITS or x.denominator.bit_length() > MAX_BITS:
            raise _too_large()
        return x
    if isinstance(x, float):
        if not math.isfinite(x):
            raise _too_large()
        return x
    if isinstance(x, complex):
        raise DomainError("that is not a real number")
    if isinstance(x, int):
        return _chk(Fraction(x))
    return x


def _flt(x: Scalar) -> float:
    try:
        return float(x)
    except OverflowError:
        raise _too_large() from None


def _exact_sqrt(x: Fraction) -> Fraction | None:
    p, q = x.numerator, x.denominator
    rp, rq = math.isqrt(p), math.isqrt(q)
    if rp * rp == p and rq * rq == q:
        return Fraction(rp, rq)
    return None


def _cols(m: Any) -> Mat:
    """View a vector as a column matrix."""
    if isinstance(m, Vec):
        return Mat(tuple((x,) for x in m))
    return m


class NumericBackend(Backend):
    """Exact where it can be (Fraction), floats after transcendental functions."""

    def number(self, literal: str) -> Scalar:
        return _chk(Fraction(literal))

    def constant(self, name: str) -> Scalar:
        return math.e if name == "e" else math.pi

    def symbol(self, name: str) -> Any:
        raise InputError(f"'{name}' has no value here; type a number")

    def diff(self, f: Any, spec: list[Any]) -> Any:
        raise InputError("diff needs symbols; this answer is a number")

    def neg(self, a: Any) -> Any:
        return self._map(a, lambda x: -x)

    @staticmethod
    def _map(a: Any, fn: Callable[[Scalar], Any]) -> Any:
        if isinstance(a, Vec):
            return Vec(_chk(fn(x)) for x in a)
        if isinstance(a, Mat):
            return Mat(tuple(_chk(fn(x)) for x in row) for row in a)
        return _chk(fn(a))

    def array(self, items: list[Any]) -> Any:
        if all(is_scalar(x) for x in items):
            if len(items) > MAX_VECTOR:
                raise InputError(f"vectors are limited to {MAX_VECTOR} entries here")
            return Vec(items)
        if all(isinstance(x, Vec) for x in items):
            if len({len(x) for x in items}) != 1:
                raise InputError("every row of a matrix needs the same number of entries")
            if len(items) > MAX_DIM or len(items[0]) > MAX_DIM:
                raise InputError(f"matrices are limited to {MAX_DIM}×{MAX_DIM} here")
            return Mat(tuple(x) for x in items)
        raise InputError("a list can hold numbers or rows of numbers, not a mix")

    # -- arithmetic
    def binop(self, op: str, a: Any, b: Any) -> Any:
        try:
            if op == "+":
                return self._add(a, b, 1)
            if op == "-":
                return self._add(a, b, -1)
            if op == "*":
                return self._mul(a, b)
            if op == "/":
                return self._div(a, b)
            if op == "^":
                return self._pow(a, b)
            if op == "@":
                return self._matmul(a, b)
        except ZeroDivisionError:
            raise DomainError("that divides by zero") from None
        except OverflowError:
            raise _too_large() from None
        raise InputError(f"the operator '{op}' is not allowed here")

    def _add(self, a: Any, b: Any, sign: int) -> Any:
        if is_scalar(a) and is_scalar(b):
            return _chk(a + b if sign > 0 else a - b)
        if isinstance(a, Vec) and isinstance(b, Vec) and len(a) == len(b):
            return Vec(_chk(x + sign * y) for x, y in zip(a, b))
        if isinstance(a, Mat) and isinstance(b, Mat) and a.shape == b.shape:
            return Mat(tuple(_chk(x + sign * y) for x, y in zip(ra, rb)) for ra, rb in zip(a, b))
        word = "add" if sign > 0 else "subtract"
        raise InputError(f"can't {word} {describe(a)} and {describe(b)}")

    def _mul(self, a: Any, b: Any) -> Any:
        if is_scalar(a) and is_scalar(b):
            return _chk(a * b)
        if is_scalar(a):
            return self._map(b, lambda x: a * x)
        if is_scalar(b):
            return self._map(a, lambda x: x * b)
        if isinstance(a, Vec) and isinstance(b, Vec):
            raise InputError("multiply vectors with dot(u, v) or u @ v")
        return self._matmul(a, b)

    def _div(self, a: Any, b: Any) -> Any:
        if not is_scalar(b):
            raise InputError(f"can't divide by {describe(b)}")
        if b == 0:
            raise DomainError("that divides by zero")
        if is_scalar(a):
            return _chk(a / b)
        return self._map(a, lambda x: x / b)

    def _pow(self, a: Any, b: Any) -> Any:
        if not is_scalar(b):
            raise InputError("an exponent must be a number")
        if abs(b) > MAX_EXPONENT:
            raise InputError(f"exponents are limited to {MAX_EXPONENT} here")
        if isinstance(a, Mat):
            if not (isinstance(b, Fraction) and b.denominator == 1):
                raise InputError("a matrix power needs a whole-number exponent")
            n = b.numerator
            if a.shape[0] != a.shape[1]:
                raise InputError("only square matrices have powers")
            if abs(n) > 64:
                raise InputError("matrix powers are limited to 64 here")
            base = self._inv(a) if n < 0 else a
            result = Mat(tuple(Fraction(int(i == j)) for j in range(len(a))) for i in range(len(a)))
            for _ in range(abs(n)):
                result = self._matmul(result, base)
            return result
        if not is_scalar(a):
            raise InputError(f"can't raise {describe(a)} to a power")
        return self._spow(a, b)

    @staticmethod
    def _spow(a: Scalar, b: Scalar) -> Scalar:
        if isinstance(b, Fraction) and b.denominator == 1:
            n = b.numerator
            if isinstance(a, Fraction):
                if a == 0 and n < 0:
                    raise DomainError("that divides by zero")
                bits = max(a.numerator.bit_length(), a.denominator.bit_length())
                if bits * abs(n) > MAX_BITS + 64:
                    raise _too_large()
                return _chk(a ** n)
            return _chk(a ** n)
        fa, fb = _flt(a), _flt(b)
        if isinstance(a, Fraction) and isinstance(b, Fraction) and b.denominator == 2 and a >= 0:
            root = _exact_sqrt(a)
            if root is not None:
                return NumericBackend._spow(root, Fraction(b.numerator))
        if fa < 0:
            raise DomainError("a negative number to a fractional power is not a real number")
        if fa == 0 and fb < 0:
            raise DomainError("that divides by zero")
        return _chk(fa ** fb)

    def _matmul(self, a: Any, b: Any) -> Any:
        if is_scalar(a) or is_scalar(b):
            raise InputError("@ multiplies matrices and vectors; use * for numbers")
        if isinstance(a, Vec) and isinstance(b, Vec):
            if len(a) != len(b):
                raise InputError(f"can't multiply {describe(a)} with {describe(b)}")
            return self._dot(a, b)
        if isinstance(a, Vec):  # row vector times matrix
            m = self._matmul(Mat((tuple(a),)), b)
            return Vec(m[0])
        ma, mb = a, _cols(b)
        if ma.shape[1] != mb.shape[0]:
            raise InputError(
                "can't multiply {} by {}: the sizes don't fit".format(describe(a), describe(b)))
        rows = []
        for ra in ma:
            rows.append(tuple(
                _chk(sum((x * mb[k][j] for k, x in enumerate(ra)), Fraction(0)))
                for j in range(mb.shape[1])
            ))
        if isinstance(b, Vec):
            return Vec(r[0] for r in rows)
        return Mat(rows)

    @staticmethod
    def _dot(a: Vec, b: Vec) -> Scalar:
        return _chk(sum((x * y for x, y in zip(a, b)), Fraction(0)))

    # -- functions
    def call(self, name: str, args: list[Any]) -> Any:
        try:
            return self._call(name, args)
        except ZeroDivisionError:
            raise DomainError("that divides by zero") from None
        except OverflowError:
            raise _too_large() from None

    def _call(self, name: str, args: list[Any]) -> Any:
        if name in SCALAR_FUNCTIONS and not (name == "log" and len(args) == 2):
            fn = getattr(self, "_f_" + name)
            return self._map(args[0], fn)
        if name == "log":
            x, b = args
            if not (is_scalar(x) and is_scalar(b)):
                raise InputError("log(x, b) takes two numbers")
            if b <= 0 or b == 1:
                raise DomainError("a log base must be positive and not 1")
            return _chk(self._f_log(x) / self._f_log(b))
        if name in ("max", "min"):
            vals = list(args[0]) if len(args) == 1 and isinstance(args[0], Vec) else args
            if not all(is_scalar(v) for v in vals):
                raise InputError(f"{name}(...) takes numbers or one vector")
            return max(vals) if name == "max" else min(vals)
        if name == "dot":
            u, v = (Vec(x[0] for x in a) if isinstance(a, Mat) and a.shape[1] == 1 else a
                    for a in args)
            if not (isinstance(u, Vec) and isinstance(v, Vec)):
                raise InputError("dot(u, v) takes two vectors")
            if len(u) != len(v):
                raise InputError("dot(u, v) needs vectors of the same length")
            return self._dot(u, v)
        if name == "norm":
            v = args[0]
            if is_scalar(v):
                return abs(v)
            entries = list(v) if isinstance(v, Vec) else [x for row in v for x in row]
            return self._f_sqrt(_chk(sum((x * x for x in entries), Fraction(0))))
        m = args[0]
        if name == "transpose":
            if isinstance(m, Vec):
                return Mat((tuple(m),))
            if isinstance(m, Mat):
                return Mat(tuple(row[j] for row in m) for j in range(m.shape[1]))
            raise InputError("transpose(...) takes a matrix")
        if not isinstance(m, Mat):
            raise InputError(f"{name}(...) takes a matrix")
        if m.shape[0] != m.shape[1]:
            raise InputError(f"{name}(...) needs a square matrix")
        if name == "trace":
            return _chk(sum((m[i][i] for i in range(len(m))), Fraction(0)))
        if name == "det":
            return self._det(m)
        if name == "inv":
            return self._inv(m)
        if name == "diff":
            raise InputError("diff needs symbols; this answer is a number")
        raise InputError(f"{name}(...) is not available here")

    @staticmethod
    def _f_sqrt(x: Scalar) -> Scalar:
        if x < 0:
            raise DomainError("the square root of a negative number is not a real number")
        if isinstance(x, Fraction):
            r = _exact_sqrt(x)
            if r is not None:
                return r
        return math.sqrt(_flt(x))

    @staticmethod
    def _f_exp(x: Scalar) -> Scalar:
        if x == 0:
            return Fraction(1)
        return math.exp(_flt(x))

    @staticmethod
    def _f_log(x: Scalar) -> Scalar:
        if x <= 0:
            raise DomainError("log is only defined for positive numbers")
        if x == 1:
            return Fraction(0)
        if isinstance(x, Fraction):
            # log of huge exact numbers without converting them to float
            return (math.log(x.numerator) - math.log(x.denominator))
        return math.log(x)

    _f_ln = _f_log

    @staticmethod
    def _f_sin(x: Scalar) -> Scalar:
        return Fraction(0) if x == 0 else math.sin(_flt(x))

    @staticmethod
    def _f_cos(x: Scalar) -> Scalar:
        return Fraction(1) if x == 0 else math.cos(_flt(x))

    @staticmethod
    def _f_tan(x: Scalar) -> Scalar:
        return Fraction(0) if x == 0 else math.tan(_flt(x))

    @staticmethod
    def _f_tanh(x: Scalar) -> Scalar:
        return Fraction(0) if x == 0 else math.tanh(_flt(x))

    @staticmethod
    def _f_sigmoid(x: Scalar) -> Scalar:
        if x == 0:
            return Fraction(1, 2)
        f = _flt(x)
        if f >= 0:
            return 1.0 / (1.0 + math.exp(-f))
        z = math.exp(f)
        return z / (1.0 + z)

    @staticmethod
    def _f_abs(x: Scalar) -> Scalar:
        return abs(x)

    @staticmethod
    def _det(m: Mat) -> Scalar:
        a = [list(row) for row in m]
        n = len(a)
        det: Scalar = Fraction(1)
        for c in range(n):
            pivot = max(range(c, n), key=lambda r: abs(a[r][c]))
            if a[pivot][c] == 0:
                return Fraction(0)
            if pivot != c:
                a[c], a[pivot] = a[pivot], a[c]
                det = -det
            det = _chk(det * a[c][c])
            for r in range(c + 1, n):
                f = a[r][c] / a[c][c]
                if f:
                    a[r] = [_chk(x - f * y) for x, y in zip(a[r], a[c])]
        return det

    @staticmethod
    def _inv(m: Mat) -> Mat:
        n = len(m)
        a = [list(row) + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(m)]
        for c in range(n):
            pivot = max(range(c, n), key=lambda r: abs(a[r][c]))
            if a[pivot][c] == 0 or (isinstance(a[pivot][c], float) and abs(a[pivot][c]) < 1e-300):
                raise DomainError("that matrix has no inverse")
            a[c], a[pivot] = a[pivot], a[c]
            p = a[c][c]
            a[c] = [_chk(x / p) for x in a[c]]
            for r in range(n):
                if r != c and a[r][c]:
                    f = a[r][c]
                    a[r] = [_chk(x - f * y) for x, y in zip(a[r], a[c])]
        return Mat(tuple(row[n:]) for row in a)


def evaluate_numeric(text: str | Parsed) -> Any:
    """Value of a numeric expression: Fraction or float, Vec, or Mat. Never imports sympy."""
    parsed = parse(text) if isinstance(text, str) else text
    try:
        return build(parsed, NumericBackend())
    except (RecursionError, MemoryError):
        raise InputError("that expression is too complex") from None
    except OverflowError:
        raise _too_large() from None
