"""policy-reader: convert policy papers to annotated Markdown and build the reader site."""

__version__ = "0.1.0"
