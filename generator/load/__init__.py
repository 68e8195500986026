"""Stage 1, load: files → checked model values (tree, YAML, schema, rubrics, score files, project).

Imports only `generator.model`, `generator.errors` and `generator.numbers`; it never scores."""
