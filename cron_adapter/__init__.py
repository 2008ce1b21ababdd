"""cron-adapter: a scale-to-zero cron for HTTP jobs on Amazon EventBridge Scheduler."""

__version__ = "0.1.0"
