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
  8  jobs: no job with that id in the store (nothing was changed)
  9  jobs: the store changed under every attempt (nothing was written)
 10  jobs: the store cannot hold this edit (a hermes store, a pause in a sidecar list)
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
EXIT_UNKNOWN_JOB = 8
EXIT_CONFLICT = 9
EXIT_NOT_EDITABLE = 10
EXIT_INTERRUPTED = 130

# A reconcile's recorded status -> the exit code of the command that waited for it (push/jobs --wait).
RECONCILE_STATUS_EXIT = {
    "applied": EXIT_OK,
    "no-op": EXIT_OK,
    "partial": EXIT_PARTIAL,
    "rejected": EXIT_INVALID,
    "refused": EXIT_REFUSED,
    "contended": EXIT_LOCKED,
    "failed": EXIT_PARTIAL,
}
