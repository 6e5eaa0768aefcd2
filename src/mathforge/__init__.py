"""mathforge: turn a general language model into a math-specialised one, and prove it."""

__version__ = "0.1.0"
