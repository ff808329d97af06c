import sys

from robustx.cli.main import main

sys.exit(main())
