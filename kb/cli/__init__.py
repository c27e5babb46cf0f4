"""The ``kb`` command line: a table of subcommands, each with its handler."""
