"""govfacts: Chinese government news in, a verifiable city-by-period fact table out.

The stages live in sub-packages mapped from the repository's top-level folders:
`govfacts.pipeline` (read, normalize, segment, resolve, load), `govfacts.extractors`
(amounts, counts, growth and shares, dates, projects) and `govfacts.lexicons` (the
language data). The stage order is written once, in `govfacts.pipeline.stages`.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
