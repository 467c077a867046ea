"""Declared rules: the small expression language, parsed without eval, compiled to Polars."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from synth.errors import LearnError
from synth.world.rules import parse_rule, parse_rules, read_rules_file, schema_kinds

FRAME = pl.DataFrame(
    {
        "sex": ["F", "M", "M", "F", "F", None],
        "age": [40, 65, 30, 70, 20, 61],
        "registry": ["womens_scheme", "womens_scheme", "pensioners", "pensioners", "none", "pensioners"],
        "scheme": ["none", "none", "old_age", "old_age", "none", "old_age"],
        "employee": [False, False, True, False, False, False],
        "note": ["if", "x", "x", "x", "x", "x"],
    }
)
KINDS = schema_kinds(FRAME.schema)


def broken(text: str) -> int:
    return int(FRAME.select(parse_rule("r", text, KINDS).broken().sum()).item())


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ('sex == "F" if registry == "womens_scheme"', 1),  # the man in the women's scheme
        ('age >= 60 if scheme == "old_age"', 1),  # the 30-year-old old-age pensioner
        ("35 <= age <= 60", 5),  # chained comparison, no condition: only the 40-year-old keeps it
        ('registry in ("pensioners", "none")', 2),
        ('registry not in ("pensioners", "none") if age < 35', 2),
        ('not employee if registry == "pensioners"', 1),
        ("employee == false if age > 60", 0),
        ("age > -1 and (sex == 'F' or sex == 'M')", 1),  # a missing value in the requirement breaks it
        ('age >= 18 if sex == "F"', 0),  # a missing value in the condition: the rule does not apply
        ('note == "if" if age == 40', 0),  # 'if' inside quotes is text, not the rule's 'if'
        ("age >= 60.5 if True", 3),
    ],
)
def test_rules_count_the_rows_that_break_them(text: str, count: int) -> None:
    assert broken(text) == count


def test_a_rule_records_its_columns() -> None:
    rule = parse_rule("ws", 'sex == "F" and age >= 35 if registry == "womens_scheme"', KINDS)
    assert rule.columns == ("sex", "age", "registry")
    assert rule.text == 'sex == "F" and age >= 35 if registry == "womens_scheme"'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '__import__("os").system("rm -rf /")',
            "rule 'r' ('__import__(\"os\").system(\"rm -rf /\")'): '__import__('os').system('rm -rf /')' is not "
            "allowed: rules use column names, literals, comparisons, 'in (...)', 'and', 'or', 'not' and parentheses",
        ),
        (
            "sex.upper() == 'F'",
            "rule 'r' (\"sex.upper() == 'F'\"): 'sex.upper()' is not allowed: rules use column names, literals, "
            "comparisons, 'in (...)', 'and', 'or', 'not' and parentheses",
        ),
        (
            "age + 1 > 60",
            "rule 'r' ('age + 1 > 60'): 'age + 1' is not allowed: rules use column names, literals, comparisons, "
            "'in (...)', 'and', 'or', 'not' and parentheses",
        ),
        (
            'gender == "F" if registry == "womens_scheme"',
            "rule 'r' ('gender == \"F\" if registry == \"womens_scheme\"'): column 'gender' is not in the table",
        ),
        (
            'sex == "F" if registy == "womens_scheme"',
            "rule 'r' ('sex == \"F\" if registy == \"womens_scheme\"'): column 'registy' is not in the table "
            "(did you mean 'registry'?)",
        ),
        (
            'age >= "sixty"',
            "rule 'r' ('age >= \"sixty\"'): 'age' (number) is compared with ''sixty'' (text)",
        ),
        ('sex > "F"', "rule 'r' ('sex > \"F\"'): '>' compares numbers only, not 'sex' (text)"),
        ("age if employee", "rule 'r' ('age if employee'): 'age' is not a true/false test"),
        (
            'registry in "pensioners"',
            "rule 'r' ('registry in \"pensioners\"'): 'in' needs a list of values in "
            'brackets, as in x in ("a", "b")',
        ),
        ("age >= 60 if", "rule 'r' ('age >= 60 if'): the condition after 'if' is empty"),
        ("age >= ", "rule 'r' ('age >= '): the requirement 'age >=' is not a valid expression (invalid syntax)"),
        ("", "rule 'r' (''): must be a non-empty text"),
    ],
)
def test_rules_outside_the_grammar_are_refused_with_the_rule_named(text: str, message: str) -> None:
    with pytest.raises(LearnError) as exc:
        parse_rule("r", text, KINDS)
    assert str(exc.value) == message


def test_parse_rules_collects_every_problem() -> None:
    rules, problems = parse_rules({"ok": "age >= 0", "bad": "colour == 'red'", "worse": "len(sex) > 1"}, KINDS)
    assert [r.name for r in rules] == ["ok"]
    assert problems == [
        "rule 'bad' (\"colour == 'red'\"): column 'colour' is not in the table",
        "rule 'worse' ('len(sex) > 1'): 'len(sex)' is not allowed: rules use column names, literals, comparisons, "
        "'in (...)', 'and', 'or', 'not' and parentheses",
    ]


def test_rules_files(tmp_path: Path) -> None:
    toml = tmp_path / "rules.toml"
    toml.write_text("[rules]\nold_age = 'age >= 60 if scheme == \"old_age\"'\n")
    assert read_rules_file(toml) == {"old_age": 'age >= 60 if scheme == "old_age"'}
    meta = tmp_path / "meta.json"
    meta.write_text('{"tables": {}, "rules": {"women": "sex == \\"F\\" if registry == \\"womens_scheme\\""}}')
    assert read_rules_file(meta) == {"women": 'sex == "F" if registry == "womens_scheme"'}

    bad = tmp_path / "bad.toml"
    bad.write_text("[rules]\nold_age = 60\n")
    with pytest.raises(LearnError) as exc:
        read_rules_file(bad)
    assert str(exc.value) == f"{bad}: rule 'old_age' must be an expression in quotes"
    broken_toml = tmp_path / "broken.toml"
    broken_toml.write_text("[rules\n")
    with pytest.raises(LearnError) as exc:
        read_rules_file(broken_toml)
    assert str(exc.value).startswith(f"{broken_toml}: not valid TOML (")
    with pytest.raises(LearnError) as exc:
        read_rules_file(tmp_path / "missing.toml")
    assert str(exc.value) == f"{tmp_path / 'missing.toml'}: rules file not found"
