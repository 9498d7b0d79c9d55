"""RQ job functions and the worker entry point. Jobs take a tenant schema and ids, never objects."""
