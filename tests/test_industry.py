"""Industry rule packs: off unless site.industry lists them; on, each finds the wording its law names, as a
warning with the law, on the line of the Markdown where it stands."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest
from helpers import MINIMAL_CONFIG, write_site

from funnelgen.check import check_source

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def site(tmp_path, industry, body: str):
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["legal"].update(phone="03-6805-4127", email="info@tesuto-shoten.jp")
    cfg["forms"]["lead"]["purpose"] = "ご入力の情報は特典のお届けにのみ使います。"
    if industry:
        cfg["site"]["industry"] = industry
    page = f"---\ntitle: 案内\nheadline: ご案内\n---\n\n前置きです。\n\n{body}\n"
    return write_site(tmp_path / "site", cfg, {"starter.md": page})


CASES = [
    ("health-food", "毎朝1杯で便秘もすっきり解消します。", "industry.health-food", "便秘もすっきり解消"),
    ("health-food", "医師も推奨する青汁です。", "industry.health-food", "医師も推奨"),
    ("health-food", "疲労回復にぴったりです。", "industry.health-food", "疲労回復"),
    ("cosmetics", "使うほどにシワが消える美容液。", "industry.cosmetics", "シワが消え"),
    ("cosmetics", "小ジワが目立たなくなります。", "industry.cosmetics", "小ジワ"),
    ("judo", "つらい腰痛を根本から改善します。", "industry.judo", "腰痛を根本"),
    ("judo", "当院独自の山田式矯正で整えます。", "industry.judo", "山田式矯正"),
    ("judo", "各種保険が使えます。", "industry.judo", "保険が使え"),
    ("medical", "地域一番の技術で、痛くない治療を。", "industry.medical", "地域一番"),
]


@pytest.mark.parametrize("industry,body,rule,claim", CASES, ids=[c[3] for c in CASES])
def test_each_pack_finds_its_wording_as_a_warning_on_its_line(tmp_path, industry, body, rule, claim):
    problems = [p for p in check_source(site(tmp_path, [industry], body), now=NOW, preview=False) if p.rule == rule]
    assert problems, f"{rule} missed {body!r}"
    assert problems[0].severity == "warning" and claim in problems[0].message
    assert problems[0].file.endswith("starter.md") and problems[0].line == 8  # the line of the claim
    assert problems[0].why  # the law behind it


def test_packs_are_off_unless_the_site_names_its_industry(tmp_path):
    body = "毎朝1杯で便秘も解消。シワが消える。腰痛を根本から改善。地域一番の技術。"
    problems = check_source(site(tmp_path, None, body), now=NOW, preview=False)
    assert not [p for p in problems if p.rule.startswith("industry.")]


def test_permitted_wording_and_full_width_spellings(tmp_path):
    ok = site(tmp_path / "ok", ["cosmetics"], "乾燥による小ジワを目立たなくする効能評価試験済み。")
    assert not [p for p in check_source(ok, now=NOW, preview=False) if p.rule == "industry.cosmetics"]
    wide = site(tmp_path / "wide", ["medical"], "当院はＮｏ．１の実績です。")  # full-width letters are normalised
    assert [p for p in check_source(wide, now=NOW, preview=False) if p.rule == "industry.medical"]
    consent = site(tmp_path / "consent", ["judo"], "保険が使えます（脱臼・骨折の施術には医師の同意が必要です）。")
    assert not [p for p in check_source(consent, now=NOW, preview=False)
                if p.rule == "industry.judo" and "保険" in p.message]
