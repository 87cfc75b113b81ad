"""Text pipeline: documents, sentences, tokens, lemmas, number and date normalisation."""

from eventx.text.model import Document, Sentence, Token

__all__ = ["Document", "Sentence", "Token"]
