"""Files to Documents: one loader per format, and the metadata a file does not state found in its text."""
