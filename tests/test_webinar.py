"""The webinar step kind: a dated registration page, its reminder on the next step, its calendar file,
its registration event, and the errors a user can make with it."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from helpers import MINIMAL_CONFIG, write_site

from funnelgen.build import build
from funnelgen.check import check_source
from funnelgen.errors import BuildError

SEMINAR = ('---\ntitle: 無料オンラインセミナー\nheadline: 90分で分かるステップメールの作り方\n'
           'starts_at: "2027-01-17 20:00"\nduration: 90\nvenue: Zoom（参加URLはメールでお送りします）\n---\n\n本文です。\n')


def webinar_config(language: str = "ja") -> dict:
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["site"]["language"] = language
    cfg["forms"]["seminar"] = {"fields": ["name", "email"],
                               "consent": "テスト商店から、セミナーのご案内をメールでお送りします。"}
    cfg["funnels"]["seminar"] = {"steps": [
        {"id": "seminar", "kind": "webinar", "page": "seminar.md", "form": "seminar", "next": "seminar-thanks"},
        {"id": "seminar-thanks", "kind": "thankyou", "page": "seminar-thanks.md"},
    ]}
    return cfg


def build_webinar(tmp_path, language="ja", page=SEMINAR):
    src = write_site(tmp_path / "site", webinar_config(language), {"seminar.md": page})
    out = tmp_path / "out"
    build(src, out)
    return src, out


def soup(out, path):
    return BeautifulSoup((out / path).read_text(encoding="utf-8"), "html.parser")


def test_registration_page_shows_the_date_and_fires_registration(tmp_path):
    _src, out = build_webinar(tmp_path)
    page = soup(out, "seminar/index.html")
    when = page.find("p", class_="event-date")
    assert "2027年1月17日（日）20:00〜21:30（日本時間）" in when.get_text()
    assert when.find("time")["datetime"] == "2027-01-17T20:00:00+09:00"
    assert "Zoom（参加URLはメールでお送りします）" in when.get_text()
    form = page.find("form", attrs={"data-fg-form": "seminar"})
    assert form["data-fg-lead"] == "registration"
    assert form.find("button", type="submit").get_text(strip=True) == "無料で参加登録する"
    data = json.loads(page.find("script", id="fg-page").string)
    assert data["lead_form"] == "seminar" and data["kind"] == "webinar"
    assert page.find("meta", attrs={"name": "robots"}) is None  # a registration page may be indexed
    runtime = next((out / "assets").glob("funnel.*.js")).read_text(encoding="utf-8")
    assert '"registration":"sign_up"' in runtime and '"registration":"CompleteRegistration"' not in runtime  # no meta


def test_next_step_reminds_with_calendar_links(tmp_path):
    _src, out = build_webinar(tmp_path)
    thanks = soup(out, "seminar-thanks/index.html")
    reminder = thanks.find("section", class_="reminder")
    assert "2027年1月17日（日）20:00〜21:30（日本時間）" in reminder.get_text()
    google = urlsplit(reminder.find("a", href=lambda h: h and "calendar.google.com" in h)["href"])
    query = parse_qs(google.query)
    assert query["dates"] == ["20270117T110000Z/20270117T123000Z"]  # 20:00 JST is 11:00 UTC
    assert query["text"] == ["無料オンラインセミナー"] and query["location"] == ["Zoom（参加URLはメールでお送りします）"]
    assert reminder.find("a", href="/seminar/event.ics").has_attr("download")
    assert soup(out, "gift/index.html").find("section", class_="reminder") is None  # only after a registration


def test_calendar_file_follows_rfc5545(tmp_path):
    _src, out = build_webinar(tmp_path)
    raw = (out / "seminar" / "event.ics").read_bytes()
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded at 75 octets
    text = raw.decode("utf-8").replace("\r\n ", "")  # unfold
    assert "DTSTART:20270117T110000Z" in text and "DTEND:20270117T123000Z" in text
    assert "SUMMARY:無料オンラインセミナー" in text and "UID:seminar@shop.example.com" in text
    assert "LOCATION:Zoom（参加URLはメールでお送りします）" in text
    assert "URL:https://shop.example.com/seminar/" in text


def test_long_calendar_lines_fold_between_characters():
    from funnelgen.schedule import event_date, ics

    event = event_date({"starts_at": "2027-01-17 20:00", "venue": "東京都千代田区丸の内1-2-3 会議室A, B; C"}, "ja")
    raw = ics(event, uid="x@example.com", title="売り込まずに売れるメール講座・特別無料オンラインセミナー（第3回）",
              url="https://example.com/s/").encode("utf-8")
    assert b"\r\n " in raw and all(len(line) <= 75 for line in raw.split(b"\r\n"))
    for piece in raw.split(b"\r\n"):
        piece.decode("utf-8")  # a fold never splits a character
    unfolded = raw.decode("utf-8").replace("\r\n ", "")
    assert "SUMMARY:売り込まずに売れるメール講座・特別無料オンラインセミナー（第3回）" in unfolded
    assert "LOCATION:東京都千代田区丸の内1-2-3 会議室A\\, B\\; C" in unfolded  # TEXT escaping


def test_english_dates_and_zones(tmp_path):
    page = SEMINAR.replace('"2027-01-17 20:00"', '"2027-01-17T20:00-05:00"')
    _src, out = build_webinar(tmp_path, "en", page)
    when = soup(out, "seminar/index.html").find("p", class_="event-date").get_text()
    assert "Sun, Jan 17, 2027, 20:00–21:30 (UTC-05:00)" in when


def test_webinar_without_a_date_is_an_error_naming_the_page(tmp_path):
    src = write_site(tmp_path / "site", webinar_config(), {"seminar.md": "---\ntitle: セミナー\n---\n本文\n"})
    with pytest.raises(BuildError) as exc:
        build(src, tmp_path / "out")
    problem = exc.value.problems[0]
    assert problem.file.endswith("pages/seminar.md") and "starts_at" in problem.message
    assert "2026-12-20 20:00" in problem.hint


def test_dates_on_other_kinds_and_bad_dates_are_errors(tmp_path):
    pages = {"starter.md": '---\ntitle: 講座\nstarts_at: "2027-01-17 20:00"\n---\n本文\n',
             "seminar.md": SEMINAR.replace('"2027-01-17 20:00"', '"来週の日曜"')}
    src = write_site(tmp_path / "site", webinar_config(), pages)
    with pytest.raises(BuildError) as exc:
        build(src, tmp_path / "out")
    messages = {(p.file.rsplit("/", 1)[-1], p.key): p.message for p in exc.value.problems}
    assert "only read on dated pages" in messages[("starter.md", "starts_at")]
    assert "is not a date and time" in messages[("seminar.md", "starts_at")]


def test_registration_for_a_past_event_fails_check(tmp_path):
    src = write_site(tmp_path / "site", webinar_config(), {"seminar.md": SEMINAR})
    before = datetime(2026, 6, 1, tzinfo=timezone.utc)
    after = datetime(2027, 1, 17, 11, 30, tzinfo=timezone.utc)  # 20:30 JST: the seminar has started
    assert not [p for p in check_source(src, now=before, preview=False) if p.rule == "schedule.past-event"]
    past = [p for p in check_source(src, now=after, preview=False) if p.rule == "schedule.past-event"]
    assert past and past[0].file.endswith("pages/seminar.md") and past[0].severity == "error"


def test_sticky_button_of_a_form_step_says_what_the_form_does(tmp_path):
    _src, out = build_webinar(tmp_path)
    sticky = soup(out, "seminar/index.html").find("div", class_="sticky")
    assert sticky.find("a").get_text(strip=True) == "無料で参加登録する"
    assert sticky.find("a")["href"] == "#fg-form-seminar"
