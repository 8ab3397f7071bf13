"""Adapters: the vendor's Python SDK (vendor_python) and our reference client (reference)."""
