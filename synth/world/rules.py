"""Declared rules of a table: small expressions, parsed without ``eval``, compiled to Polars.

A rule says what must hold of every row, optionally only where a condition holds::

    sex == "F" if womens_scheme
    age >= 60 if pension_scheme == "old_age"
    35 <= age <= 60 and ration_card in ("AAY", "PHH") if registry == "womens_scheme"
    not employee if entrepreneur

The grammar is a small part of Python's expression syntax, read with :mod:`ast` and checked node by
node: column names, text in quotes, whole or decimal numbers, ``true``/``false``, comparisons
(``== != < <= > >=``, chains such as ``35 <= age <= 60``), ``in`` and ``not in`` a list of literals,
``and``, ``or``, ``not`` and parentheses. A bare column name must be a true/false column. Anything else
(calls, attributes, arithmetic, subscripts) is refused with a message naming the rule. A row breaks a
rule where its condition is true and its requirement is not; a missing value in the condition makes
the rule not apply, a missing value in the requirement breaks it.

Rules come from a TOML file (``[rules]``, one ``name = "expression"`` per rule) or from a ``"rules"``
object in an SDV metadata JSON file.
"""

from __future__ import annotations

import ast
import io
import json
import tokenize
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl

from synth.errors import LearnError, did_you_mean

Kind = Literal["number", "text", "bool"]
_COMPARE = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}
_BOOL_WORDS = {"true": True, "false": False, "True": True, "False": False}
MAX_LENGTH = 1000


@dataclass(frozen=True)
class Rule:
    """One parsed rule: a requirement, the condition under which it applies, and the columns it names."""

    name: str
    text: str
    requirement: ast.expr
    condition: ast.expr | None
    columns: tuple[str, ...]

    def broken(self) -> pl.Expr:
        """True where a row breaks the rule (the condition holds and the requirement does not)."""
        requirement = _compile(self.requirement).fill_null(False)
        if self.condition is None:
            return ~requirement
        return _compile(self.condition).fill_null(False) & ~requirement


def kind_of(dtype: pl.DataType) -> Kind | None:
    """The rule language's kind of a Polars column type (None: a type rules cannot compare)."""
    if dtype == pl.Boolean:
        return "bool"
    if dtype.is_numeric():
        return "number"
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        return "text"
    return None


def _split(text: str) -> tuple[str, str | None]:
    """``requirement if condition`` -> the two parts (the ``if`` outside brackets and quotes)."""
    depth = 0
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError) as exc:
        raise LearnError(f"not a valid expression ({exc.args[0]})") from None
    for tok in tokens:
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        elif tok.type == tokenize.NAME and tok.string == "if" and depth == 0:
            col = tok.start[1]
            if tok.start[0] != 1:
                raise LearnError("a rule must be written on one line")
            return text[:col].strip(), text[tok.end[1] :].strip()
    return text.strip(), None


def _parse_part(part: str, what: str) -> ast.expr:
    if not part:
        raise LearnError(f"the {what} is empty")
    try:
        tree = ast.parse(part, mode="eval")
    except SyntaxError as exc:
        raise LearnError(f"the {what} '{part}' is not a valid expression ({exc.msg})") from None
    return tree.body


def _literal(node: ast.expr) -> tuple[Kind, Any] | None:
    """A literal's kind and value, or None when the node is not a literal."""
    if isinstance(node, ast.Constant) and not isinstance(node.value, bytes | complex) and node.value is not None:
        v = node.value
        if isinstance(v, bool):
            return "bool", v
        if isinstance(v, int | float):
            return "number", v
        if isinstance(v, str):
            return "text", v
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _literal(node.operand)
        if inner is not None and inner[0] == "number":
            return "number", -inner[1]
    if isinstance(node, ast.Name) and node.id in _BOOL_WORDS:
        return "bool", _BOOL_WORDS[node.id]
    return None


def _check(node: ast.expr, schema: Mapping[str, Kind | None], names: list[str]) -> Kind:
    """Walk a parsed expression, allowing only the grammar's nodes; return the kind of its value."""
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            if _check(value, schema, names) != "bool":
                raise LearnError(f"'{ast.unparse(value)}' is not a true/false test (in '{ast.unparse(node)}')")
        return "bool"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        if _check(node.operand, schema, names) != "bool":
            raise LearnError(f"'not' needs a true/false test, not '{ast.unparse(node.operand)}'")
        return "bool"
    lit = _literal(node)
    if lit is not None:
        return lit[0]
    if isinstance(node, ast.Name):
        if node.id not in schema:
            raise LearnError(f"column '{node.id}' is not in the table" + did_you_mean(node.id, list(schema)))
        kind = schema[node.id]
        if kind is None:
            raise LearnError(f"column '{node.id}' has a type rules cannot compare")
        names.append(node.id)
        return kind
    if isinstance(node, ast.Compare):
        operands = [node.left, *node.comparators]
        for op, left, right in zip(node.ops, operands[:-1], operands[1:], strict=True):
            symbol = _COMPARE.get(type(op))
            if symbol is None:
                raise LearnError(
                    f"operator '{ast.unparse(node)}' is not allowed; allowed are {', '.join(_COMPARE.values())}"
                )
            left_kind = _check(left, schema, names)
            if symbol in ("in", "not in"):
                if not isinstance(right, ast.Tuple | ast.List) or not right.elts:
                    raise LearnError(f'\'{symbol}\' needs a list of values in brackets, as in x in ("a", "b")')
                for element in right.elts:
                    lit = _literal(element)
                    if lit is None:
                        raise LearnError(f"'{ast.unparse(element)}' in a list must be a literal value")
                    if lit[0] != left_kind:
                        raise LearnError(
                            f"'{ast.unparse(left)}' ({left_kind}) is compared with {ast.unparse(element)} ({lit[0]})"
                        )
                continue
            right_kind = _check(right, schema, names)
            if left_kind != right_kind:
                raise LearnError(
                    f"'{ast.unparse(left)}' ({left_kind}) is compared with '{ast.unparse(right)}' ({right_kind})"
                )
            if symbol in ("<", "<=", ">", ">=") and left_kind != "number":
                raise LearnError(f"'{symbol}' compares numbers only, not '{ast.unparse(left)}' ({left_kind})")
        return "bool"
    raise LearnError(
        f"'{ast.unparse(node)}' is not allowed: rules use column names, literals, comparisons, "
        "'in (...)', 'and', 'or', 'not' and parentheses"
    )


def parse_rule(name: str, text: str, schema: Mapping[str, Kind | None]) -> Rule:
    """Parse and check one rule against the table's columns and their kinds.

    Raises
    ------
    LearnError
        The rule is not in the grammar, names a column the table lacks, or compares unlike kinds;
        the message starts with ``rule 'NAME'``.
    """
    try:
        if not isinstance(text, str) or not text.strip():
            raise LearnError("must be a non-empty text")
        if len(text) > MAX_LENGTH:
            raise LearnError(f"is longer than {MAX_LENGTH} characters")
        requirement_text, condition_text = _split(text)
        requirement = _parse_part(requirement_text, "requirement")
        condition = None if condition_text is None else _parse_part(condition_text, "condition after 'if'")
        names: list[str] = []
        for part in (requirement, condition):
            if part is not None and _check(part, schema, names) != "bool":
                raise LearnError(f"'{ast.unparse(part)}' is not a true/false test")
    except LearnError as exc:
        raise LearnError(f"rule '{name}' ({text!r}): {exc}") from None
    return Rule(name, text, requirement, condition, tuple(dict.fromkeys(names)))


def _compile(node: ast.expr) -> pl.Expr:
    """A checked expression as a Polars expression."""
    if isinstance(node, ast.BoolOp):
        parts = [_compile(v) for v in node.values]
        out = parts[0]
        for p in parts[1:]:
            out = (out & p) if isinstance(node.op, ast.And) else (out | p)
        return out
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return ~_compile(node.operand)
    lit = _literal(node)
    if lit is not None:
        return pl.lit(lit[1])
    if isinstance(node, ast.Name):
        return pl.col(node.id)
    if isinstance(node, ast.Compare):
        operands = [node.left, *node.comparators]
        tests = []
        for op, left, right in zip(node.ops, operands[:-1], operands[1:], strict=True):
            a = _compile(left)
            if isinstance(op, ast.In | ast.NotIn):
                values = [_literal(e)[1] for e in right.elts]  # type: ignore[attr-defined,index]
                test = a.is_in(values)
                tests.append(~test if isinstance(op, ast.NotIn) else test)
                continue
            b = _compile(right)
            tests.append(
                {
                    ast.Eq: a == b,
                    ast.NotEq: a != b,
                    ast.Lt: a < b,
                    ast.LtE: a <= b,
                    ast.Gt: a > b,
                    ast.GtE: a >= b,
                }[type(op)]
            )
        out = tests[0]
        for t in tests[1:]:
            out = out & t
        return out
    raise AssertionError(f"unchecked node {ast.dump(node)}")  # _check refuses everything else


def schema_kinds(schema: Mapping[str, pl.DataType]) -> dict[str, Kind | None]:
    """Rule kinds of a frame's columns."""
    return {name: kind_of(dtype) for name, dtype in schema.items()}


def parse_rules(rules: Mapping[str, str], schema: Mapping[str, Kind | None]) -> tuple[list[Rule], list[str]]:
    """Parse every rule; return the rules that parse and one problem line for each that does not."""
    parsed, problems = [], []
    for name, text in rules.items():
        try:
            parsed.append(parse_rule(str(name), text, schema))
        except LearnError as exc:
            problems.append(str(exc))
    return parsed, problems


def read_rules_file(path: str | Path) -> dict[str, str]:
    """Rules of a TOML file (``[rules]`` with ``name = "expression"``) or of a metadata JSON file (``"rules"``).

    Raises
    ------
    LearnError
        The file is missing, unreadable, or its rules are not a table of names to texts.
    """
    path = Path(path)
    if not path.is_file():
        raise LearnError(f"{path}: rules file not found")
    try:
        if path.suffix.lower() == ".json":
            raw: Any = json.loads(path.read_text(encoding="utf-8"))
        else:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise LearnError(f"{path}: not valid {'JSON' if path.suffix.lower() == '.json' else 'TOML'} ({exc})") from None
    rules = raw.get("rules", {}) if isinstance(raw, dict) else None
    return rules_table(rules, str(path))


def rules_table(rules: Any, where: str) -> dict[str, str]:
    """Check that ``rules`` maps rule names to expression texts (``where`` names its source in messages)."""
    if not isinstance(rules, dict):
        raise LearnError(
            f"{where}: 'rules' must be a table of rule names to expressions, as in old_age = 'age >= 60 if ...'"
        )
    bad = [str(k) for k, v in rules.items() if not isinstance(v, str)]
    if bad:
        raise LearnError(f"{where}: rule '{bad[0]}' must be an expression in quotes")
    return {str(k): v for k, v in rules.items()}
