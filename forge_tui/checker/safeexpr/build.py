"""Stage 6: building a value from a :class:`~.grammar.Parsed` tree, node by node, with a
backend that decides what numbers and operations are: :class:`~.numeric.NumericBackend`
(exact fractions and floats, no sympy) or :class:`~.sympy_backend.SympyBackend`."""

from __future__ import annotations

import ast
from typing import Any

from .grammar import BINOPS, Parsed
from .vocabulary import CONSTANTS, InputError


class Backend:
    """What a value is made of. :func:`build` calls these; each raises
    :class:`InputError` (or :class:`DomainError`) with a player's message when it refuses."""

    def number(self, literal: str) -> Any:
        """A number literal, as typed (``"0.665"``, ``"1e3"``)."""
        raise NotImplementedError

    def constant(self, name: str) -> Any:
        """``e`` or ``pi``."""
        raise NotImplementedError

    def symbol(self, name: str) -> Any:
        """A declared symbol, by its display name."""
        raise NotImplementedError

    def neg(self, a: Any) -> Any:
        """``-a``."""
        raise NotImplementedError

    def binop(self, op: str, a: Any, b: Any) -> Any:
        """``a op b`` for op in ``+ - * / ^ @``."""
        raise NotImplementedError

    def call(self, name: str, args: list[Any]) -> Any:
        """One of the listed functions (``sqrt``, ``det``...) except ``diff``."""
        raise NotImplementedError

    def diff(self, f: Any, spec: list[Any]) -> Any:
        """``diff(f, x)``, ``diff(f, x, 2)``, ``diff(f, x, y)``: symbols and orders."""
        raise NotImplementedError

    def array(self, items: list[Any]) -> Any:
        """A list of numbers (a vector) or of equal-length rows (a matrix)."""
        raise NotImplementedError


def build(parsed: Parsed, backend: Backend) -> Any:
    """The value of a parsed expression, made by ``backend`` node by node."""
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
            return backend.binop(BINOPS[type(node.op)], visit(node.left), visit(node.right))
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
        raise InputError("that is not allowed here")  # unreachable after validate

    return visit(parsed.tree)
