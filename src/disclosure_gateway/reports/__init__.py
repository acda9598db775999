"""Reports drawn as pages: self-contained HTML (inline CSS and SVG, no script, no CDN).

The numbers come from ``services/reports.py``; this package only draws them,
with the console's chart functions, so the console and the reports show one
picture of one batch.
"""
