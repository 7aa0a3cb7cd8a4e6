"""Every problem the checks report on a set of sites that trigger many rules, as JSON lines.

`python3 tests/checks_snapshot.py` rewrites tests/golden/checks/*.json; test_checks_snapshot.py compares. It
pins the checks' output (rule, severity, file, line, key, message, hint) while their implementation is made
cheaper: same rules, same messages, same line numbers.
"""

from __future__ import annotations

import copy
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "benchmarks"))

from helpers import MINIMAL_CONFIG, copy_example, write_site  # noqa: E402

GOLDEN = HERE / "golden" / "checks"
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
THEME = HERE.parent / "themes" / "default" / "templates"

# Copy that trips the text rules (prices, tax, reference prices, superlatives, industry wording) in many forms.
BAD_COPY = """\
今なら29,800円でご案内します。月商300万円の方も。

講座は1,980円（税込）です。本体価格 10,000円（+税）のみ。

通常価格 ~~2,980円~~ → 1,980円

定価9,800円→4,980円、通常6,600円（税込）のところ2,980円！

業界No.1の講座。**ナンバーワン**の満足度、[最安](#nope)で100%保証。

- 毎朝1杯で便秘もすっきり解消します。医師も推奨する青汁です。疲労回復にぴったり。
- 使うほどにシワが消える美容液。小ジワが目立たなくなります。
- つらい腰痛を根本から改善します。当院独自の山田式矯正。各種保険が使えます。
- 地域一番の技術で、痛くない治療を。

> ¥5,000 だけ。 ￥ 12,000 お得

| 商品 | 価格 |
|---|---|
| A | 3,000円 |
| B | 4,000円（税込） |

[PDF](/downloads/missing.pdf) [上へ](#nope) [外](https://other.example.org/?email=a@b.jp)
[購入済みの方](/thanks/?fg_offer=starter&session_id=x) [ok](/starter/) [ok2](#top)

::: testimonial name="A" compensated="maybe"
とても良かったです。
:::

::: testimonial name="B" compensated="true"
最高峰の講座でした。
:::

::: countdown ends_at="2026-01-01 10:00"
:::

::: countdown minutes=30
:::
"""


def page(body: str, front: str = "title: x") -> str:
    return f"---\n{front}\n---\n\n{body}\n"


def kitchen_sink(dest: Path) -> Path:
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["site"].update(audience=["jp", "eu", "us"], industry=["health-food", "cosmetics", "judo", "medical"])
    cfg["offers"]["plan"] = {"name": "月額 プラン", "price": 2980, "billing": {"interval": "month"},
                             "checkout": "https://buy.stripe.com/test_plan123"}
    cfg["tracking"] = {"ga4": "G-K7T2Q9X4LM", "meta_pixel": "111111111111111",
                       "head": "<script>gtag('event','purchase',{value:1})</script>"}
    steps = cfg["funnels"]["main"]["steps"]
    steps.insert(3, {"id": "member", "kind": "sales", "page": "member.md", "offer": "plan", "next": "thanks"})
    steps[2]["next"] = "member"
    pages = {"starter.md": page(BAD_COPY, "title: s\ncta: 次へ"), "gift.md": page(BAD_COPY),
             "optin.md": page("無料です。\n\n[x](/gift/#nowhere)"), "member.md": page(BAD_COPY, "title: m"),
             "thanks.md": page("[戻る](/starter/#summary)\n\nありがとうございました。No.1")}
    return write_site(dest, cfg, pages)


def broken_theme(dest: Path) -> Path:
    """The minimal site with templates that leave out what the rules look for."""
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["tracking"] = {"ga4": "G-K7T2Q9X4LM", "gtm": "GTM-AB12CD3"}
    src = write_site(dest, cfg, {"starter.md": page(BAD_COPY), "gift.md": page("講座は1,980円（税込）です。")})
    form = ('<form name="{{ form.id }}" method="GET" action="{{ form.action }}" data-netlify="true">'
            '<input name="email" type="email"><input type="checkbox" name="ok" checked>'
            '<button>送信</button></form>')
    base = (THEME / "base.html").read_text(encoding="utf-8")
    moved = base.replace("{{ tracking_head }}\n", "", 1).replace("</body>", "{{ tracking_head }}</body>")
    templates = {"partials/form.html": form, "partials/footer.html": "<footer>フッター 1,000円</footer>",
                 "partials/cta.html": '{% if action %}<a class="btn" href="{{ action.href }}">次へ</a>{% endif %}',
                 "partials/order_summary.html": "<table class=\"summary\"><tr><th>数量</th><td>1</td></tr></table>",
                 "base.html": moved, "legal.html": "<html><body><table><tr><th>販売業者</th><td>x</td></tr>"
                                                  "</table></body></html>",
                 "privacy.html": "<html><body><h2>事業者</h2></body></html>"}
    for name, text in templates.items():
        path = src / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return src


def generated(dest: Path, language: str) -> Path:
    from sitegen import make_site

    src = make_site(dest, 12)
    config = src / "site.yml"
    config.write_text(config.read_text().replace("language: en", f"language: {language}"))
    return src


SITES = {"example": copy_example, "kitchen_sink": kitchen_sink, "broken_theme": broken_theme,
         "generated_en": lambda d: generated(d, "en"), "generated_ja": lambda d: generated(d, "ja")}


def _rows(problems, tmp: Path) -> list[dict]:
    rows = [{"rule": p.rule, "severity": p.severity, "file": p.file.replace(str(tmp), "<tmp>"), "line": p.line, "key": p.key,
             "message": p.message, "hint": p.hint} for p in problems]
    return sorted(rows, key=lambda r: json.dumps(r, ensure_ascii=False, sort_keys=True))


def record(name: str, tmp: Path) -> dict:
    """What `funnelgen check` and a build's checker (-j 1, like `funnelgen build`) report on site `name`."""
    from funnelgen.build import planned_outputs, prepare, write_site
    from funnelgen.check import check_source
    from funnelgen.output import Staging
    from funnelgen.rules import PageChecker

    src = SITES[name](tmp / name)
    checked = check_source(src, now=NOW, preview=False)
    prep = prepare(src, None)
    staging = Staging(tmp / f"{name}-out")
    checker = PageChecker.planned(prep.site, staging.root, planned_outputs(prep), preview=False, now=NOW)
    built = write_site(prep, staging, 1, checker)
    return {"check": _rows(checked, tmp), "build": _rows(built, tmp)}


def main() -> None:
    import tempfile

    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name in SITES:
            found = record(name, Path(tmp))
            (GOLDEN / f"{name}.json").write_text(json.dumps(found, ensure_ascii=False, indent=1) + "\n",
                                                 encoding="utf-8")
            print(name, len(found["check"]), "check,", len(found["build"]), "build problems")


if __name__ == "__main__":
    main()
