"""Bytes of a text file or web page → str, decided one way for the whole corpus.

The readers decode every input with it, and the HTML extractor and the classifier's training data use
it for the raw pages they are handed, so a page is the same text whichever way it enters: BOM, then the
declared charset (HTTP header), then the page's ``<meta>`` charset, then UTF-8; a page re-saved as UTF-8
under an old declaration is read as UTF-8; bytes that still do not decode are replaced and counted.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

__all__ = ["BOMS", "charset", "decode_html", "decode_text"]

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# WHATWG encoding labels that Python spells differently or that browsers widen.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "utf8": "utf-8",
    "unicode": "utf-8",
}
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)


def charset(label: str | None) -> str | None:
    """A Python codec name for an encoding label, or None when the label is unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _CHARSET_ALIASES.get(name, name)


def decode_text(
    data: bytes, declared: str | None = None, sniff_html: bool = False
) -> tuple[str, dict[str, Any]]:
    """Bytes → text: BOM, then the declared charset, then an HTML <meta> charset, then UTF-8.

    Bytes invalid in the chosen encoding are replaced with U+FFFD; ``meta`` then records how many
    (``replacement_chars``) — a soft signal for a later filter, not a read error.
    """
    meta: dict[str, Any] = {}
    encoding = None
    for bom, name in BOMS:
        if data.startswith(bom):
            encoding = name
            break
    if encoding is None:
        encoding = charset(declared)
    if encoding is None and sniff_html:
        m = _META_CHARSET.search(data[:4096])
        if m:
            encoding = charset(m.group(1).decode("ascii", "replace"))
            if encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
                encoding = "utf-8"  # the bytes we just read as ASCII say otherwise
    encoding = encoding or "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        try:  # pages re-saved as UTF-8 keep their old declaration; servers mislabel pages
            text = data.decode("utf-8")
            meta["declared_encoding"], encoding = encoding, "utf-8"
        except UnicodeDecodeError:
            text = data.decode(encoding, errors="replace")
            meta["replacement_chars"] = text.count("\ufffd")
    except LookupError:  # pragma: no cover - charset() only returns known codecs
        encoding = "utf-8"
        text = data.decode("utf-8", errors="replace")
        meta["replacement_chars"] = text.count("\ufffd")
    meta["encoding"] = "utf-8" if encoding == "utf-8-sig" else encoding
    return text, meta


def decode_html(data: bytes) -> str:
    """The text of a page's bytes, as the HTML reader decodes it (no HTTP charset: the ``<meta>``
    charset, else UTF-8)."""
    return decode_text(data, sniff_html=True)[0]
