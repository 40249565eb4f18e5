"""``python -m hub_conf``: see hub_conf/cli.py."""
import sys

from .cli import main

sys.exit(main())
