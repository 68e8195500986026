"""Data in and out: the JSON and CSV export (and, later, spreadsheet import and export)."""
