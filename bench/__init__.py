"""Benchmarks on MultiHop-RAG (../shared/eval): retrieval quality and speed, answer accuracy and latency."""
