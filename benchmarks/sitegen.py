"""Generate realistic funnel sites of N pages for benchmarks (shared by the build and serve benchmarks)."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

WORDS = ("customers email list offer trust story result simple step guide course template reader "
         "business owner shop week morning coffee habit message subject open click value price honest "
         "promise guarantee refund question answer lesson video worksheet plan launch sequence write "
         "daily small local service booking client referral review follow-up season holiday").split()


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def page_text(rng: random.Random, i: int, words: int = 1500) -> str:
    """~1,500 words of sales copy with headings, lists, bold text and blocks."""
    parts = [f"---\ntitle: Page {i}\nheadline: A clear promise for reader {i}\nsubheadline: {paragraph(rng, 14)}\n---\n"]
    written = 0
    section = 0
    while written < words:
        section += 1
        parts.append(f"## Section {section}: {paragraph(rng, 5)}\n")
        for _ in range(3):
            n = rng.randint(50, 90)
            parts.append(paragraph(rng, n).replace(" value ", " **value** ", 1) + "\n")
            written += n
        parts.append("\n".join(f"- {paragraph(rng, 8)}" for _ in range(4)) + "\n")
        written += 32
        if section % 3 == 0:
            parts.append(f'::: testimonial name="Customer {section}" role="Shop owner"\n{paragraph(rng, 40)}\n:::\n')
            parts.append(f"::: faq {paragraph(rng, 8)}?\n{paragraph(rng, 30)}\n:::\n")
            written += 78
    return "\n".join(parts)


def make_site(dest: Path, pages: int, seed: int = 1) -> Path:
    """A site with a 4-step funnel plus `pages - 4` content pages."""
    rng = random.Random(seed)
    (dest / "pages").mkdir(parents=True, exist_ok=True)
    config = {
        "site": {"title": "Bench Shop", "base_url": "https://bench.example.com/", "language": "en"},
        "legal": {"seller": "Bench Shop LLC", "representative": "Jane Doe", "address": "1 Main St, Springfield",
                  "phone": "+1 555 010 0100", "email": "hi@bench.example.com", "extra_charges": "None.",
                  "payment_methods": "Card", "payment_timing": "At order", "delivery_timing": "Immediately",
                  "returns": "30-day refund", "privacy": {"purposes": ["Deliver the gift"]}},
        "offers": {"course": {"name": "Course", "price": 19, "currency": "USD",
                              "checkout": "https://buy.stripe.com/bench123"}},
        "forms": {"lead": {"fields": ["name", "email"], "consent": "Bench Shop will email you the guide."}},
        "tracking": {"ga4": "G-BENCH12345"},
        "funnels": {"main": {"steps": [
            {"id": "optin", "kind": "optin", "page": "optin.md", "form": "lead", "next": "gift"},
            {"id": "gift", "kind": "thankyou", "page": "gift.md", "next": "sales"},
            {"id": "sales", "kind": "sales", "page": "sales.md", "offer": "course", "next": "thanks"},
            {"id": "thanks", "kind": "thankyou", "page": "thanks.md"},
        ]}},
        "pages": [{"id": f"article-{i}", "page": f"article-{i}.md"} for i in range(max(0, pages - 4))],
    }
    (dest / "site.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    names = ["optin.md", "gift.md", "sales.md", "thanks.md"] + [f"article-{i}.md" for i in range(max(0, pages - 4))]
    for i, name in enumerate(names):
        (dest / "pages" / name).write_text(page_text(rng, i), encoding="utf-8")
    return dest


def make_hugo_site(dest: Path, src: Path) -> Path:
    """The same pages as a Hugo site with one trivial layout (the peers' comparison): content/ holds each
    page's Markdown as is, front matter included."""
    (dest / "content").mkdir(parents=True, exist_ok=True)
    (dest / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
    (dest / "hugo.toml").write_text('baseURL = "https://bench.example.com/"\ntitle = "Bench"\n'
                                    'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n',
                                    encoding="utf-8")
    layout = "<!doctype html><title>{{ .Title }}</title><main>{{ .Content }}</main>\n"
    (dest / "layouts" / "_default" / "single.html").write_text(layout, encoding="utf-8")
    (dest / "layouts" / "_default" / "list.html").write_text(layout, encoding="utf-8")
    (dest / "layouts" / "index.html").write_text(layout, encoding="utf-8")
    for page in sorted((src / "pages").glob("*.md")):
        (dest / "content" / page.name).write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
    return dest
