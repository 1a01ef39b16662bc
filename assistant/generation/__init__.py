"""Passages to a model's text: the sentences shown, the prompt, and the models that write."""
