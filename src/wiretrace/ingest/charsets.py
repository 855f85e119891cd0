"""Which encoding a web page's bytes are in, as a browser would decide, in order:

1. a byte-order mark (UTF-8, UTF-16, UTF-32): it wins over any label;
2. the charset the HTTP header names (a WARC record's ``Content-Type``);
3. the charset the page's own ``<meta charset>`` or ``<meta http-equiv>`` names,
   looked for in its first 4 KB;
4. strict UTF-8, when the bytes are valid UTF-8 (most of today's web);
5. detection by charset-normalizer among the web's legacy encodings
   (:data:`WEB_LEGACY`: a page in one of them that names none);
6. Windows-1252, which decodes any bytes: the last resort, named as such.

A label is used only when its codec exists and decodes the bytes without error;
otherwise the next step is tried (a page labelled UTF-8 that holds Latin-1
bytes is common).  Labels are read as the WHATWG Encoding Standard reads them:
``iso-8859-1``, ``latin1`` and ``us-ascii`` mean Windows-1252 (browsers have
always decoded them so; pages labelled Latin-1 hold curly quotes in 0x80-0x9F).
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

META_WINDOW = 4096
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_WINDOWS_1252 = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii",
                 "cp819", "ibm819", "iso-ir-100", "csisolatin1", "windows-1252", "cp1252"}


# The legacy encodings the web still holds pages in (the WHATWG Encoding
# Standard's, less the rare ones): detection chooses among these only.  Left
# free, charset-normalizer read a short German page as HP Roman-8.
WEB_LEGACY = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256",
              "cp1257", "cp1258", "iso8859_2", "iso8859_5", "iso8859_7", "iso8859_15",
              "koi8_r", "koi8_u", "shift_jis", "euc_jp", "iso2022_jp", "gb18030", "big5",
              "euc_kr", "cp874", "tis_620")


class Decoded(NamedTuple):
    text: str
    encoding: str  # the codec used
    how: str  # which step chose it: "bom", "http", "meta", "utf-8", "detected", "fallback"


def _codec(label: str | None) -> str | None:
    """The Python codec a charset label names, or None for an unknown label."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _WINDOWS_1252:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _try(data: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_page(data: bytes, declared: str | None = None) -> Decoded:
    """The page's text and how its encoding was chosen (see the module docstring)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _try(data, codec)
            if text is not None:
                return Decoded(text, codec, "bom")
    for label, how in ((declared, "http"), (_meta_label(data), "meta")):
        codec = _codec(label)
        text = _try(data, codec)
        if text is not None:
            return Decoded(text, codec or "", how)
    text = _try(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", "utf-8")
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000], cp_isolation=list(WEB_LEGACY)).best()
    if best is not None:
        text = _try(data, _codec(best.encoding))
        if text is not None:
            return Decoded(text, _codec(best.encoding) or best.encoding, "detected")
    return Decoded(data.decode("cp1252", errors="replace"), "cp1252", "fallback")


def _meta_label(data: bytes) -> str | None:
    found = _META.search(data[:META_WINDOW])
    return found.group(1).decode("ascii", "replace") if found else None
