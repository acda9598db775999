"""The `dgw` command line: a thin edge over the service functions."""
