"""scoresite: a static site generator for published assessment results (考核评分公示).

The package is laid out by pipeline stage; each layer imports only those below it:

    cli.py                      the command line (the only module that imports click)
    site/  git/  data/          plan, render, write and serve · history and diff · export and import
    score/                      rules and scoring: pure functions over model values
    load/                       tree, YAML, schema, rubrics, score files, the project
    model.py  numbers.py        plain dataclasses · exact rounding and printing of numbers
    errors.py                   errors for people: file:line:column, what, got, hint
"""
