"""The local loop behind ``cron-adapter dev``: an embedded AWS emulator (moto's server),
a local EventBridge clock that invokes the real fire handler, a local HTTP target that
checks the shared secret, a jobs-file watcher and a live view.

Everything binds to 127.0.0.1 and every loop stops by itself (a stop event plus bounded
waits). This is the only package besides the adapters that talks to AWS APIs, and it
only ever talks to the emulator it started.
"""
