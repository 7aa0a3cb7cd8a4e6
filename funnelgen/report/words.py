"""The report's words in Japanese and English (the site's language picks them; the theme's UI words are
in funnelgen/i18n.py, these belong to the report alone)."""

from __future__ import annotations

WORDS = {
    "ja": {
        "title": "成果レポート", "funnel": "ファネル", "step": "ステップ", "variant": "パターン", "source": "流入元",
        "visitors": "訪問者", "conversions": "成約", "rate": "成約率", "interval": "{pct}%信頼区間",
        "revenue": "売上", "refunds": "返金", "aov": "平均購入単価", "rpv": "訪問者あたり売上", "all": "全体",
        "orders": "購入", "leads": "登録", "goal_purchase": "購入", "goal_form": "フォーム送信", "goal_none": "—",
        "dropoff": "が次のステップへ進みませんでした", "reached": "到達", "experiments": "A/Bテストの結果",
        "control": "元のパターン", "by_source": "流入元別", "no_visitors_data": "訪問者数なし（GA4のデータを追加してください）",
        "prob_best": "最も成約率が高い確率", "test_z": "2標本比率のz検定（プール）", "test_fisher": "フィッシャーの正確確率検定",
        "significant": "有意差あり", "not_significant": "有意差なし", "p_value": "p値",
        "lift": "元のパターン比", "remaining": "判定までに必要な訪問者（あと）",
        "verdict_winner": "パターン{v}の勝ち：成約率が元のパターンより高く、偶然とは考えにくい差です（信頼度{pct}%）。",
        "verdict_control_better": "元のパターン（{v}）のほうが成約率が高く、偶然とは考えにくい差です（信頼度{pct}%）。",
        "verdict_keep_running": "まだ判定できません。あと約{n}人の訪問者（各パターン合計）が集まるまでテストを続けてください。",
        "verdict_no_difference": "今の人数では差が見られません。どちらを使っても成約率はほぼ同じと考えられます。",
        "verdict_no_lift_yet": "今のところパターン間で成約率が同じです。差があるかどうかは、テストを続けて確かめてください。",
        "verdict_no_visitors": "パターン別の訪問者数がありません。GA4のエクスポートにカスタムディメンション fg_variant を加えてください。",
        "verdict_no_conversions": "まだ成約がありません。",
        "ended": "このテストは {since} に終了し、いまは全員にパターン{winner}を表示しています（site.yml の winner:）。",
        "verdict_incomplete": "パターン（fg_variant）が分からない成約があるため、パターン別には比べられません。",
        "method": "算出方法", "method_interval": "成約率の区間：ウィルソンのスコア区間（信頼度{pct}%）",
        "method_best": "最善の確率：ベータ事後分布 Beta(1+成約, 1+非成約) の数値積分",
        "method_sample": "必要人数：検出力80%、観測された差をそのまま前提に計算",
        "method_visitors": "訪問者：GA4の「{metric}」", "inputs": "読み込んだデータ", "notes": "注記",
        "rows": "件", "chart_funnel": "ファネル（ステップごとの到達と離脱）", "chart_variants": "パターン別の成約率（線は信頼区間）",
        "none": "—", "generated": "作成", "legend_bar": "棒の長さ＝成約率",
    },
    "en": {
        "title": "Results report", "funnel": "Funnel", "step": "Step", "variant": "Variant", "source": "Source",
        "visitors": "Visitors", "conversions": "Conv.", "rate": "Rate", "interval": "{pct}% interval",
        "revenue": "Revenue", "refunds": "Refunds", "aov": "Avg. order", "rpv": "Rev./visitor", "all": "all",
        "orders": "orders", "leads": "sign-ups", "goal_purchase": "purchase", "goal_form": "form sent", "goal_none": "—",
        "dropoff": "did not go on to the next step", "reached": "reached", "experiments": "Split tests",
        "control": "original", "by_source": "By traffic source", "no_visitors_data": "no visitor counts (add a GA4 export)",
        "prob_best": "Chance of being best", "test_z": "two-proportion z-test (pooled)", "test_fisher": "Fisher's exact test",
        "significant": "significant", "not_significant": "not significant", "p_value": "p",
        "lift": "vs original", "remaining": "visitors still needed",
        "verdict_winner": "Variant {v} wins: it converts better than the original, and the gap is unlikely to be chance ({pct}% confidence).",
        "verdict_control_better": "The original ({v}) converts better, and the gap is unlikely to be chance ({pct}% confidence).",
        "verdict_keep_running": "Too early to call. Keep the test running for about {n} more visitors (all variants together).",
        "verdict_no_difference": "No real difference at this many visitors: the variants convert about the same.",
        "verdict_no_lift_yet": "So far the variants convert exactly alike; keep the test running to see whether a difference appears.",
        "verdict_no_visitors": "No visitor counts per variant: add the custom dimension fg_variant to the GA4 export.",
        "verdict_no_conversions": "No conversions yet.",
        "ended": "This test ended on {since}: everyone sees variant {winner} now (winner: in site.yml).",
        "verdict_incomplete": "Some conversions do not say their variant (fg_variant), so the variants cannot be compared.",
        "method": "How these are computed", "method_interval": "Rate interval: Wilson score interval ({pct}% confidence)",
        "method_best": "Chance of being best: Beta(1+conversions, 1+non-conversions) posteriors, numeric integration",
        "method_sample": "Visitors needed: 80% power for the lift observed so far",
        "method_visitors": "Visitors: GA4 \"{metric}\"", "inputs": "Data read", "notes": "Notes",
        "rows": "rows", "chart_funnel": "Funnel (who reached each step, who dropped off)",
        "chart_variants": "Conversion rate per variant (line: interval)", "none": "—", "generated": "Generated",
        "legend_bar": "bar length = conversion rate",
    },
}


NOTES = {
    "ja": {
        "outside_pages": "{file}: ファネルのステップではないページ（{pages}）の訪問者 {count} 人は集計から除きました",
        "not_paid": "{file}: 決済が完了していない {count} 件（失敗・キャンセルなど）は数えていません",
        "foreign_payments": "{file}: funnelgen の参照ID（client_reference_id）がない決済 {amount} {currency} "
                            "（同じアカウントの他の商品）は除きました",
        "duplicates": "{file}: 前のファイルと重複する {count} 件（同じ決済ID）は一度だけ数えました",
        "unknown_reference": "{file}:{line}: 参照ID '{ref}' はこのサイトのステップを指していないため除きました",
    },
    "en": {
        "outside_pages": "{file}: {count} visitors on pages that are not funnel steps ({pages}) left out",
        "not_paid": "{file}: {count} payments not counted (failed, canceled or incomplete)",
        "foreign_payments": "{file}: payments of {amount} {currency} without a funnelgen client_reference_id "
                            "(other products on the account) left out",
        "duplicates": "{file}: {count} records already in an earlier file (same payment id) counted once",
        "unknown_reference": "{file}:{line}: client_reference_id '{ref}' names no step of this site; left out",
    },
}


def note_text(note: dict, language: str) -> str:
    return NOTES["ja" if language == "ja" else "en"][note["code"]].format(**note)


def words(language: str) -> dict[str, str]:
    return WORDS["ja" if language == "ja" else "en"]
