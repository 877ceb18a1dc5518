"""Docstrings that share text: written once, filled into each."""

import re


class Substitution:
    """Fill the marked lines of a docstring with shared text.

    A line of the docstring that reads ``{name}`` (indented as the text around
    it) is replaced by ``blocks[name]``, which carries its own indentation, as
    imbalanced-learn's ``Substitution`` does for the parameters its samplers
    share. A marker without a block, or a block without its marker, is an
    error at import: text meant to be shared cannot silently go missing.

    Parameters
    ----------
    **blocks : str
        The shared texts by name, each a whole number of lines.
    """

    def __init__(self, **blocks):
        self.blocks = blocks

    def __call__(self, obj):
        doc = obj.__doc__
        for name, text in self.blocks.items():
            marker = next((line for line in doc.splitlines(keepends=True)
                           if line.strip() == "{" + name + "}"), None)
            if marker is None:
                raise ValueError(f"The docstring of {obj.__qualname__} has no "
                                 f"line {{{name}}} to fill.")
            doc = doc.replace(marker, text)
        if re.search(r"^\s*\{[A-Za-z_]\w*\}\s*$", doc, flags=re.MULTILINE):
            raise ValueError(f"The docstring of {obj.__qualname__} has a marker "
                             "with no text to fill it.")
        obj.__doc__ = doc
        return obj
