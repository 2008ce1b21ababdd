"""Operations, pure: what should have run, what did, and what to do about the difference.

The auditor (:mod:`cron_adapter.ops.audit`), catch-up selection (:mod:`.catchup`), failure
streaks (:mod:`.streak`) and the ``status`` view (:mod:`.status`) take run records and jobs
as plain values; adapters read them from the table (``cron_adapter.adapters.runs``).
"""
