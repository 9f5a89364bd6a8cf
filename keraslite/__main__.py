"""`python -m keraslite run SCRIPT.py [ARGS...]` (see `keraslite.cli`)."""

import sys

from keraslite.cli import main

if __name__ == "__main__":
    sys.exit(main())
