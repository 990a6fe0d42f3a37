"""`python -m api` runs the innograph CLI (the same as the `innograph` console script)."""

from api.cli import main

main()
