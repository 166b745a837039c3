"""Stage 5: grammar. The rebuilt string is parsed by :func:`ast.parse` in ``eval`` mode and
every node of the tree is checked against a whitelist (numbers, declared names, + - * / ^ @,
calls of the listed functions, lists), with limits on depth and size. :func:`parse` runs
stages 1 to 5 and returns a :class:`Parsed` tree that a backend can build a value from."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Sequence

from .normalise import normalise, normalise_symbols
from .tokens import (
    bracket_scan,
    check_number,
    decimals_of,
    internal_name,
    lex,
    rebuild,
    semicolon_rows,
    unknown_name,
)
from .vocabulary import CONSTANTS, FUNCTIONS, MAX_DEPTH, MAX_INPUT_CHARS, MAX_NODES, InputError


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


# ----------------------------------------------------------------------------------------
# ast whitelist

BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^",
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
            if type(node.op) not in BINOPS:
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
                raise unknown_name(node.id, symbols)
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
    s, meta = normalise(text)
    if not s:
        raise InputError("type an answer first")
    if len(s) > 2 * MAX_INPUT_CHARS:
        raise InputError(f"that is too long (at most {MAX_INPUT_CHARS} characters)")
    if re.search(r"(?<![<>=!])=(?!=)", s):
        raise InputError("type just the value, without '='")
    bracket_scan(s)
    toks = semicolon_rows(lex(s, meta, syms))
    if not toks:
        raise InputError("type an answer first")
    decimals = None
    plain = [t for t in toks if not (t.kind == "op" and t.text in ("+", "-"))]
    if len(plain) == 1 and plain[0].kind == "num" and toks[-1] is plain[0]:
        decimals = decimals_of(plain[0].text)
    pieces = rebuild(toks, s, meta)
    source = " ".join(pieces)
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        raise InputError(_syntax_hint(pieces)) from None
    names = {internal_name(n): n for n in (*syms, *CONSTANTS, *FUNCTIONS)}
    _validate(tree, names, syms)
    literals: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            seg = ast.get_source_segment(source, node)
            if seg is None:
                raise InputError("couldn't read a number in that")
            check_number(seg)
            literals[id(node)] = seg
    return Parsed(tree, source, syms, names, decimals, literals)


def _syntax_hint(pieces: list[str]) -> str:
    if pieces and pieces[-1] in ("+", "-", "*", "/", "**", "@", ","):
        return "that ends with an operator; finish the expression"
    if pieces and pieces[0] in ("*", "/", "**", "@", ","):
        return "that starts with an operator; put a value first"
    return "couldn't read that; check for a missing number or operator"
