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


def test_merge_keys_are_overridden_by_explicit_keys():
    data = parse_yaml("base: &b {price: 1, name: a}\noffer:\n  <<: *b\n  price: 2\n", "site.yml")
    assert data["offer"] == {"price": 2, "name": "a"} and data["offer"].lines["price"] == 4


def test_explicit_duplicates_next_to_a_merge_are_still_errors():
    with pytest.raises(BuildError, match="duplicate key 'price'"):
        parse_yaml("base: &b {price: 1}\noffer:\n  <<: *b\n  price: 2\n  price: 3\n", "site.yml")


@pytest.mark.parametrize("text, key", [("{1: a, true: b}\n", "'1'"), ("x:\n  true: b\n", "'true'"),
                                       ("x:\n  null: b\n", "'null'")])
def test_a_non_text_key_is_named_as_written(text, key):
    with pytest.raises(BuildError) as exc:
        parse_yaml(text, "site.yml")
    assert key in exc.value.problems[0].message and "duplicate" not in exc.value.problems[0].message


def test_an_unclosed_quote_is_a_syntax_error_on_its_line():
    with pytest.raises(BuildError) as exc:
        parse_yaml('site:\n  title: "Shop\n  base_url: https://x.example/\n  accent_color: "#c2410c"\n', "site.yml")
    [problem] = exc.value.problems
    assert problem.message.startswith("YAML syntax error") and problem.line == 2


def test_a_multi_line_quoted_text_is_fine():
    assert parse_yaml('a: "one\n  two"\n', "t.yml")["a"] == "one two"


def test_a_nul_byte_is_reported_with_its_line():
    with pytest.raises(BuildError) as exc:
        parse_yaml("a: 1\nb: ああ\nc: x\0y\n", "t.yml")
    assert exc.value.problems[0].line == 3 and "NUL" in exc.value.problems[0].message
