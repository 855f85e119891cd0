"""Repairing mojibake: text that was UTF-8, decoded somewhere upstream as Latin-1
or Windows-1252 ("gÃ¼nlÃ¼k" for "günlük"), put back with ftfy, and nothing else
changed: quotes stay curly, ligatures, widths, line breaks and control characters
as they are.  The repaired text is the article's text, the one every offset
points into.

When it applies (``--mojibake``, :data:`MODES`): ``auto`` (the default) repairs
web pages and web archives, where mojibake is common and the extracted text is
wiretrace's own making anyway, and never plain formats (.txt, JSONL, CSV,
Parquet, SGML), whose text is kept exactly as stored; ``repair`` repairs every
format (a JSONL corpus scraped without care, such as the SemEval-2022 news
pairs); ``keep`` repairs nothing.  ftfy comes with ``wiretrace[html]``.
"""

from __future__ import annotations

from functools import lru_cache

MODES = ("auto", "repair", "keep")


def check_mode(mode: str) -> None:
    """ValueError for an unknown mode, or for ``repair`` without ftfy installed."""
    if mode not in MODES:
        raise ValueError(f"unknown mojibake mode {mode!r}: expected one of {', '.join(MODES)}")
    if mode == "repair":
        try:
            import ftfy  # noqa: F401
        except ImportError:
            raise ValueError("repairing mojibake needs ftfy: pip install 'wiretrace[html]'"
                             ) from None


def repairs(mode: str, web: bool) -> bool:
    """Whether text read from a file of this kind (``web``: a page or web archive) is
    repaired under ``mode``."""
    return mode == "repair" or (mode == "auto" and web)


def repaired(text: str) -> str:
    """The text with mojibake undone by ftfy when it is installed (else as it is)."""
    try:
        import ftfy
    except ImportError:
        return text
    return ftfy.fix_text(text, _mojibake_only())


@lru_cache(maxsize=1)
def _mojibake_only() -> object:
    import ftfy

    return ftfy.TextFixerConfig(
        unescape_html=False, remove_terminal_escapes=False, fix_latin_ligatures=False,
        fix_character_width=False, uncurl_quotes=False, fix_line_breaks=False,
        remove_control_chars=False, normalization=None, explain=False)
