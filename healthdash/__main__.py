"""`python -m healthdash <command>`: see healthdash/cli.py."""

import sys

from healthdash.cli import main

if __name__ == "__main__":
    sys.exit(main())
