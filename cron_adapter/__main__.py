import sys

from cron_adapter.cli import main

sys.exit(main())
