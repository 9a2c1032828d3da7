import sys

from vimsim.cli import main

sys.exit(main())
