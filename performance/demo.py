"""Demo contract management: filled in later in this module."""


def build(*, options) -> str:
    return "No performance data."
