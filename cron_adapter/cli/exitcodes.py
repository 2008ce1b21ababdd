"""The CLI's exit codes: one table, used by every command and printed in docs/cli.md.

  0  success (valid, planned, converged, nothing to do)
  1  partial apply or failed reconcile (rerun to continue); an unexpected error
  2  invalid input: the jobs file, a flag or a setting (nothing was changed)
  3  mass delete refused by the guard (nothing was changed)
  4  another reconcile holds the lock (nothing was changed)
  5  push --wait: no reconcile result within --timeout
  6  AWS unusable: no region, no credentials, endpoint unreachable, access denied,
     or the table/bucket does not exist (nothing was changed)
  7  apply declined at the prompt, or refused without --yes off a terminal (nothing was changed)
130  interrupted (Ctrl-C)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_INVALID = 2
EXIT_REFUSED = 3
EXIT_LOCKED = 4
EXIT_TIMEOUT = 5
EXIT_AWS = 6
EXIT_DECLINED = 7
EXIT_INTERRUPTED = 130
