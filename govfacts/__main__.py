"""`python -m govfacts` runs the command-line interface."""

from govfacts.cli import main

main()
