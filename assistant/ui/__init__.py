"""The browser app over an Assistant: ask, read the cited articles, manage the library, see who said what. The app
itself is ``assistant.ui.app`` (Gradio is imported there only, so that the pure parts load without it)."""
