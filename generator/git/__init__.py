"""Git: the history of the score files, and `scoresite diff` between two revisions."""
