"""File bytes to text: BOMs, UTF-16 without one, UTF-8, then a legacy encoding; binary refused."""

from __future__ import annotations

from qa.errors import LoadError


def decode_bytes(data: bytes, path: str) -> str:
    """Decode file bytes: BOMs, UTF-16 without one, UTF-8, a legacy encoding; refuse binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    elif data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    elif (order := _utf16_order(data[:8192])) is not None:
        text = data.decode(order, errors="replace")
    elif b"\x00" in data[:8192]:
        raise LoadError(path, "looks like a binary file (contains NUL bytes), not text")
    else:
        text = _decode_unmarked(data, path)
    if _looks_binary(text):
        raise LoadError(path, "looks like a binary file (mostly control bytes), not text")
    # a few stray NULs (padding, a bad copy) in a long text: text, stored without them
    return text.replace("\x00", "")


def _utf16_order(head: bytes) -> str | None:
    """ "utf-16-le" or "-be" for UTF-16 text saved without a BOM: a NUL in every other byte."""
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    for order, nuls, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        # mostly Latin text: the high byte of nearly every character is 0, the low byte never
        if nuls.count(0) >= len(nuls) * 0.7 and other.count(0) <= len(other) * 0.01:
            return order
    return None


def _decode_unmarked(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Western news sites' legacy encoding first: detectors guess badly on short texts. Western
    # text is mostly ASCII; a text of mostly high bytes (Chinese in GBK, Russian in cp1251)
    # would decode to cp1252 mojibake, so it goes to the detector.
    high = sum(b >= 0x80 for b in data)
    try:
        text = data.decode("cp1252")
        if high <= len(data) * 0.3 and not any(
            ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text
        ):
            return text
    except UnicodeDecodeError:
        pass
    # Mostly ASCII with stray bytes: damaged UTF-8; keep the text, mark the damage with U+FFFD.
    # (Detectors guess wildly on such input; they are for texts in a legacy non-Latin encoding.)
    if high <= len(data) * 0.3:
        return data.decode("utf-8", errors="replace")
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise LoadError(path, "not UTF-8 and no other text encoding fits; re-save it as UTF-8")
    return str(best)


def _looks_binary(text: str) -> bool:
    """Control characters (over 1%) or mostly U+FFFD, in the start or the whole: not text."""
    for sample in (text[:20000], text):
        control = len(sample) - len(sample.translate(_CONTROL))
        if control > len(sample) * 0.01 or sample.count("\ufffd") > len(sample) * 0.25:
            return True
    return False


# the control characters that text does not hold, deleted by str.translate
_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\r\n\f\v")
