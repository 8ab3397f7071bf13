"""The Segments API contract as data: the vendor's document and our overlay (see contract.py)."""
