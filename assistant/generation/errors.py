"""The one error a model's failure becomes, whichever model it is."""


class ModelServerError(RuntimeError):
    """The model could not give an answer (a server refused, timed out, failed or sent something unreadable; the
    local model's process died); the message names the model and what went wrong, in one line."""
