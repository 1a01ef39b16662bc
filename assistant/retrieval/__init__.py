"""Question to passages: hybrid search over the index, and who said what."""
