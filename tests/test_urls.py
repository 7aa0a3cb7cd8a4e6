import pytest

from funnelgen.urls import absolute, add_query, base_path, unsafe_url_reason


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:alert(1)",
                                 " javascript:x", "data:text/html,<script>", "vbscript:x", "//evil.example/x"])
def test_unsafe_urls_are_refused(url):
    assert unsafe_url_reason(url)


@pytest.mark.parametrize("url", ["https://buy.stripe.com/abc", "/gift/", "mailto:a@b.jp", "tel:0312345678", "#faq",
                                 "images/a.png"])
def test_safe_urls_pass(url):
    assert unsafe_url_reason(url) == ""


def test_relative_refused_where_absolute_required():
    assert "absolute" in unsafe_url_reason("/x/", allow_relative=False)


def test_stripe_placeholder_stays_literal():
    url = add_query("https://shop.jp/upsell/", {"fg_offer": "a", "session_id": "{CHECKOUT_SESSION_ID}"})
    assert url == "https://shop.jp/upsell/?fg_offer=a&session_id={CHECKOUT_SESSION_ID}"


def test_base_path_and_absolute():
    assert base_path("https://x.jp/funnel") == "/funnel/"
    assert absolute("https://x.jp/funnel/", "/funnel/gift/") == "https://x.jp/funnel/gift/"
