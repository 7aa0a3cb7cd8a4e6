import pytest

from funnelgen.markdown import parse_info, render_markdown


def echo(call):
    return f"<div data-block='{call.name}' data-title='{call.title}' data-line='{call.line}'>{call.inner}</div>"


def test_blocks_get_inner_html_attrs_and_line():
    seen = []

    def block(call):
        seen.append(call)
        return echo(call)

    text = "intro\n\n::: testimonial name=\"山田 花子\" role='整体院'\nとても **良い**\n:::\n"
    result = render_markdown(text, block)
    assert seen[0].name == "testimonial"
    assert seen[0].attrs == {"name": "山田 花子", "role": "整体院"}
    assert seen[0].line == 3
    assert "<strong>良い</strong>" in seen[0].inner
    assert result.html.startswith("<p>intro</p>")


def test_nested_blocks_render_inside_out():
    text = "::: note\n::: faq Q?\nA\n:::\n:::\n"
    html = render_markdown(text, echo).html
    assert html.index("data-block='note'") < html.index("data-block='faq'")


def test_javascript_links_are_reported_and_neutralised():
    result = render_markdown("---\ntitle: x\n---\n\n[click](javascript:alert(1))\n", echo)
    assert "javascript" not in result.html
    line, message, _hint = result.problems[0]
    assert line == 5 and "javascript" in message


def test_raw_html_is_escaped_by_default_and_allowed_on_request():
    assert "&lt;script&gt;" in render_markdown("<script>x</script>\n", echo).html
    assert "<b>x</b>" in render_markdown("<b>x</b>\n", echo, allow_html=True).html


def test_event_handler_attributes_are_dropped():
    html = render_markdown("[a](/x/){.btn onclick=\"steal()\"}\n", echo).html
    assert 'class="btn"' in html and "onclick" not in html


def test_front_matter_is_not_rendered():
    assert "title" not in render_markdown("---\ntitle: secret\n---\nbody\n", echo).html


def test_parse_info():
    assert parse_info("cta 今すぐ申し込む", "cta") == ("今すぐ申し込む", {})
    assert parse_info('price offer="coaching"', "price") == ("", {"offer": "coaching"})


def test_unknown_block_names_are_reported_with_a_suggestion():
    result = render_markdown("intro\n\n::: testimonal name=\"x\"\nhi\n:::\n", echo)
    line, message, hint = result.problems[0]
    assert line == 3 and "unknown block '::: testimonal'" in message and "Did you mean 'testimonial'?" in message


def test_raw_html_with_scripts_is_refused_even_when_html_is_allowed():
    for snippet in ('<img src=x onerror="steal()">\n', '<a href="javascript:x">a</a>\n', "<script>x</script>\n",
                    '<a href="&#106;avascript:steal()">a</a>\n', '<iframe srcdoc="&lt;script&gt;steal()"></iframe>\n'):
        result = render_markdown(snippet, echo, allow_html=True)
        assert result.problems and "raw HTML" in result.problems[0][1], snippet
        assert "steal" not in result.html and "javascript" not in result.html


def test_harmless_raw_html_and_embeds_pass_when_allowed():
    html = '<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>\n\n<p class="note">注意</p>\n'
    result = render_markdown(html, echo, allow_html=True)
    assert result.problems == [] and "youtube-nocookie.com/embed" in result.html


@pytest.mark.parametrize("html, removed", [
    ('<svg><a><animate attributeName="href" values="&#106;avascript:alert(1)"/></a></svg>', "<animate>"),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', "<meta>"),
    ('<iframe src="https://www.youtube.com/embed/x"></iframe>', 'src="https://www.youtube.com/embed/x" on <iframe>'),
    ('<iframe src="https://player.vimeo.com/video/1" srcdoc="x"></iframe>', 'srcdoc="x" on <iframe>'),
    ('<img src="x.png" onerror="alert(1)">', 'onerror="alert(1)" on <img>'),
    ('<a href="jav&#x09;ascript:alert(1)">x</a>', "on <a>"),
    ('<form action="https://evil.example/"><input name="card"></form>', "<form>"),
])
def test_allow_html_reports_what_the_sanitizer_removes(html, removed):
    result = render_markdown("text\n\n" + html + "\n", echo, allow_html=True)
    assert {line for line, _message, _hint in result.problems} == {3}
    assert any(removed in message for _line, message, _hint in result.problems), result.problems
    assert "javascript" not in result.html.replace("&#106;", "j") and "refresh" not in result.html


def test_allow_html_keeps_sales_page_markup():
    html = ('<details><summary>FAQ</summary><p>答え</p></details>\n\n<figure><img src="/a.png" alt="a">'
            '<figcaption>図</figcaption></figure>\n\n<div class="box"><span class="red">赤</span></div>\n')
    result = render_markdown(html, echo, allow_html=True)
    assert result.problems == [] and "<figcaption>" in result.html and 'class="red"' in result.html


def test_tab_inside_a_link_scheme_is_an_unsafe_scheme():
    result = render_markdown("[x](<java\tscript:alert(1)>)\n", echo)
    assert result.problems and "unsafe" in result.problems[0][1] and 'href="#"' in result.html
