"""Japanese line breaking: phrases for short text, no space at a soft break between Japanese lines.

Browsers break Japanese text between any two characters, so a heading can end a line with 「90」 and start
the next with 「分で」, and a button can orphan 「る」. For the short texts where that hurts (headings,
buttons, prices, product names, table headers) the build segments the text into phrases with BudouX
(https://github.com/google/budoux, the model Chrome's `word-break: auto-phrase` uses) and joins them with
`<wbr>`; the theme's CSS sets `word-break: keep-all` on those elements, so lines break only between phrases,
in every browser. Text without Japanese is left alone.

A soft line break in Markdown is a newline, which HTML renders as a space: between two Japanese lines that
space is a visible gap (「…つながらない」 「メルマガを…」). CSS Text 3 leaves this "segment break
transformation" to the browser and none removes it, so the Markdown renderer drops soft breaks between two
CJK characters and keeps them (a space) next to Latin text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup, escape

# Hiragana, katakana (and half-width), CJK ideographs, CJK punctuation and full-width forms.
_CJK_CLASS = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\uff61-\uff9f"
CJK = re.compile(f"[{_CJK_CLASS}]")

_parser = None


def _budoux():
    global _parser
    if _parser is None:
        import budoux

        _parser = budoux.load_default_japanese_parser()
    return _parser


LONG_PHRASE = 10  # characters; a longer phrase (a compound noun) may also break between its words
# Inside a long phrase: between a kanji run and a katakana run (個別|メールマーケティング|伴走|コーチング), and after
# 「・」. Digits stay with their counter (90分), so the break rule never separates a number from its unit.
_KATA = r"[\u30a0-\u30f4\u30f7-\u30ff]"  # katakana without ヵヶ, which count (6ヶ月)
_COMPOUND = re.compile(rf"(?<=[\u4e00-\u9fff])(?={_KATA})|(?<={_KATA})(?=[\u4e00-\u9fff])|(?<=・)")


# 禁則 (JIS X 4051): these never start a line, and opening brackets never end one.
NO_START = set("、。，．・：；？！）」』】〕〉》ー々ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ…‥")
NO_END = set("（「『【〔〈《")
OPEN, CLOSE = "（「『【〔〈《", "）」』】〕〉》"
SHORT_GROUP = 12  # a bracketed note this short stays on one line: 「（9,800円・税込）」


def _kinsoku(parts: list[str]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if out and (part[0] in NO_START or out[-1][-1] in NO_END):
            out[-1] += part
        else:
            out.append(part)
    # keep a short bracketed group together
    merged: list[str] = []
    depth, start = 0, 0
    for part in out:
        if depth > 0 and len("".join(merged[start:]) + part) <= SHORT_GROUP:
            merged[-1] += part
        else:
            merged.append(part)
            if depth <= 0:
                start = len(merged) - 1
        depth = max(0, depth + sum(part.count(c) for c in OPEN) - sum(part.count(c) for c in CLOSE))
        if depth == 0:
            start = len(merged)
    return merged


def phrases(text: str) -> list[str]:
    """The text cut into phrases a line may break between (one piece when it has no Japanese)."""
    if not text or not CJK.search(text):
        return [text] if text else []
    out: list[str] = []
    for phrase in _budoux().parse(text):
        out.extend(p for p in _COMPOUND.split(phrase) if p) if len(phrase) > LONG_PHRASE else out.append(phrase)
    return _kinsoku(out)


@lru_cache(maxsize=4096)
def _phrase_html(text: str) -> str:
    return "<wbr>".join(str(escape(p)) for p in phrases(text))


def phrase_html(value) -> Markup:
    """Jinja filter `phrases`: escaped text with `<wbr>` between its phrases. Markup is returned as is (it may
    hold tags a segmenter must not cut); None and numbers become text."""
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    return Markup(_phrase_html(str(value)))


# -- Markdown ------------------------------------------------------------------------------------

PHRASED = ("heading_open", "th_open")  # Markdown elements whose text is set in phrases


def _edge_char(tokens, i: int, step: int) -> str:
    """The character next to a soft break at tokens[i], looking back (step -1) or forward (+1)."""
    j = i + step
    while 0 <= j < len(tokens):
        content = tokens[j].content if tokens[j].type in ("text", "code_inline") else ""
        if content:
            return content[-1] if step < 0 else content[0]
        if tokens[j].type in ("softbreak", "hardbreak", "image"):
            return ""
        j += step
    return ""


def _inline_rule(state) -> None:
    """Drop soft breaks between Japanese characters; set heading and table-header text in phrases."""
    phrased = False
    for tok in state.tokens:
        if tok.type in PHRASED:
            phrased = True
            continue
        if tok.type in ("heading_close", "th_close"):
            phrased = False
            continue
        if tok.type != "inline" or not tok.children:
            continue
        kids = tok.children
        for i, child in enumerate(kids):
            if child.type == "softbreak" and CJK.match(_edge_char(kids, i, -1)) and CJK.match(_edge_char(kids, i, 1)):
                child.type, child.tag, child.content = "text", "", ""
                child.meta["fg_joined_break"] = True  # still a line of the source (markdown.py counts lines)
        if phrased:
            for child in kids:
                if child.type == "text" and CJK.search(child.content):
                    child.type, child.content = "html_inline", _phrase_html(child.content)


def markdown_plugin(md) -> None:
    """markdown-it plugin: the two rules above, after inline parsing."""
    md.core.ruler.push("fg_japanese_breaks", _inline_rule)
