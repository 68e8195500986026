"""Stages 3–5, the site: plan the pages, render them, write them (and the preview server)."""
