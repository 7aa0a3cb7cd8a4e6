import pytest

from funnelgen.errors import BuildError
from funnelgen.yamlsource import parse_yaml


def test_lines_are_recorded_for_keys_and_items():
    data = parse_yaml("a: 1\nb:\n  - x\n  - {c: 2}\n", "t.yml")
    assert data.lines == {"a": 1, "b": 2}
    assert data["b"].lines == [3, 4]
    assert data["b"][1].line == 4


def test_duplicate_key_is_an_error_with_both_lines():
    with pytest.raises(BuildError) as exc:
        parse_yaml("offers:\n  starter: {price: 1}\n  starter: {price: 2}\n", "site.yml")
    problem = exc.value.problems[0]
    assert problem.line == 3
    assert "duplicate key 'starter'" in problem.message and "line 2" in problem.message


def test_syntax_error_names_file_and_line():
    with pytest.raises(BuildError) as exc:
        parse_yaml("site:\n  title: [unclosed\nlegal: {}\n", "site.yml")
    problem = exc.value.problems[0]
    assert problem.file == "site.yml"
    assert problem.line == 3
    assert problem.message.startswith("YAML syntax error")
    assert problem.hint


def test_line_offset_for_front_matter():
    with pytest.raises(BuildError) as exc:
        parse_yaml("title: a\ntitle: b\n", "page.md", line_offset=1)
    assert exc.value.problems[0].line == 3


def test_dates_stay_strings():
    assert parse_yaml("d: 2026-12-31T23:59:00+09:00\n", "t.yml")["d"] == "2026-12-31T23:59:00+09:00"
