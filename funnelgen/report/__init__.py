"""`funnelgen report`: read exported results (preview captures, Netlify Forms, Stripe, GA4) and show figures
per funnel, step, variant and traffic source, with the split tests' statistics (docs/report.md).

Pipeline: detect (format of each file) → read_* (one module per export) → figures → experiments (stats) →
data (the JSON schema) → render_text / render_html. Entry point: run.make_report."""
