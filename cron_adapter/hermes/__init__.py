"""hermes-agent integration: the provider plugin (``plugin/``, runs inside hermes) and its installer."""
