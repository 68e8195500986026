"""`python -m generator` runs the scoresite command."""

from .cli import main

main()
