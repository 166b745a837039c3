"""Unlock tools: one self-contained Textual screen per tool, registered by id with its module."""
