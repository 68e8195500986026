"""Stage 2, score: model values → points, totals, grades and ranks. Pure: no files, no YAML."""
