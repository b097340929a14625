"""Which text encoding a CSV or text file uses: UTF-8 (with or without BOM), UTF-16 with a BOM, Latin-1.

Anything else is refused naming what was found (UTF-32, UTF-16 without a byte-order mark,
UTF-7, EBCDIC, binary), because decoding it as one of ours would store garbled text silently.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from geo.errors import GeoDataError
from geo.messages import M

SNIFF_BYTES = 1 << 20
_FIX = M("Save the file again as UTF-8 (Excel: File > Save As > CSV UTF-8).")
_LE, _BE = M("little-endian"), M("big-endian")
#: Byte-order marks we refuse, longest first (UTF-32 LE starts like UTF-16 LE).
_REFUSED_BOMS = (
    (codecs.BOM_UTF32_LE, M("UTF-32 ({order})", order=_LE)), (codecs.BOM_UTF32_BE, M("UTF-32 ({order})", order=_BE)),
    (b"+/v8", "UTF-7"), (b"+/v9", "UTF-7"), (b"+/v+", "UTF-7"), (b"+/v/", "UTF-7"),
    (b"\xf7\x64\x4c", "UTF-1"), (b"\xdd\x73\x66\x73", "UTF-EBCDIC"), (b"\x0e\xfe\xff", "SCSU"),
    (b"\xfb\xee\x28", "BOCU-1"), (b"\x84\x31\x95\x33", "GB 18030"),
)
#: C0 control bytes that never appear in text (tab, LF, CR, form feed and ESC aside).
_CONTROL = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1B}


@dataclass(frozen=True)
class Encoding:
    """A recognised text encoding: what to call it, Python's codec, and how many BOM bytes to skip."""

    name: str
    codec: str
    bom: int = 0

    @property
    def utf16(self) -> bool:
        """Whether characters are two bytes wide (the byte scanners then count bytes, not characters)."""
        return self.codec.startswith("utf-16")


UTF8 = Encoding("UTF-8", "utf-8")
UTF8_BOM = Encoding(M("UTF-8 with byte-order mark"), "utf-8-sig", 3)
UTF16_LE = Encoding(M("UTF-16 ({order}, with byte-order mark)", order=_LE), "utf-16", 2)
UTF16_BE = Encoding(M("UTF-16 ({order}, with byte-order mark)", order=_BE), "utf-16", 2)
LATIN1 = Encoding("Latin-1 (Windows-1252)", "cp1252")
LATIN1_STRICT = Encoding("Latin-1 (ISO-8859-1)", "latin-1")


def starts_as_text(head: bytes) -> bool:
    """Return whether ``head`` begins with a text byte-order mark we read (UTF-8 or UTF-16)."""
    return head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not head.startswith(
        codecs.BOM_UTF32_LE)


def sniff(path: Path) -> Encoding:
    """Return the encoding of the text file at ``path`` from its byte-order mark and first MB.

    Raises
    ------
    GeoDataError
        When the file is in another encoding (named) or is not text at all.
    """
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    return sniff_bytes(head, label=path.name, complete=len(head) < SNIFF_BYTES)


def sniff_bytes(head: bytes, *, label: str, complete: bool = False) -> Encoding:
    """Return the encoding of text starting with ``head`` (``complete`` when it is the whole file).

    Raises
    ------
    GeoDataError
        When the bytes are in another encoding (named) or are not text.
    """
    for bom, name in _REFUSED_BOMS:
        if head.startswith(bom):
            raise unsupported(label, M("{name} (byte-order mark {bom})", name=name, bom=repr(bom)))
    if head.startswith(codecs.BOM_UTF8):
        _check_utf8(head[3:], label, complete)
        return UTF8_BOM
    if head.startswith(codecs.BOM_UTF16_LE):
        _check_utf16(head, "utf-16-le", label)
        return UTF16_LE
    if head.startswith(codecs.BOM_UTF16_BE):
        _check_utf16(head, "utf-16-be", label)
        return UTF16_BE
    sample = head[:4096]
    if b"\x00" in sample:
        named = nul_text_name(sample)
        if named is not None:
            raise unsupported(label, named)
        raise GeoDataError(M("{label}: binary content (NUL bytes), not text. Use UTF-8, UTF-16 with a byte-order "
                             "mark or Latin-1 text. {fix}", label=label, fix=_FIX))
    try:
        _check_utf8(head, label, complete)
        return UTF8
    except GeoDataError:
        pass
    bad = next((i for i, b in enumerate(head) if b in _CONTROL), None)
    if bad is not None:
        raise GeoDataError(M("{label}: not text in any encoding StageMap reads (control byte 0x{byte:02x} at "
                             "offset {offset}; binary data?). Use UTF-8, UTF-16 with a byte-order mark or Latin-1. "
                             "{fix}", label=label, byte=head[bad], offset=bad, fix=_FIX))
    try:
        head.decode("cp1252")
        return LATIN1
    except UnicodeDecodeError:
        return LATIN1_STRICT


def _check_utf8(data: bytes, label: str, complete: bool) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(data, final=complete)
    except UnicodeDecodeError as exc:
        raise GeoDataError(M("{label}: not valid UTF-8 at byte {offset:,} ({found}). {fix}", label=label,
                             offset=exc.start, found=repr(data[exc.start:exc.start + 4]), fix=_FIX)) from None


def _check_utf16(data: bytes, codec: str, label: str) -> None:
    body = data[2:len(data) - (len(data) % 2)]
    try:
        codecs.getincrementaldecoder(codec)().decode(body, final=False)
    except UnicodeDecodeError as exc:
        raise GeoDataError(M("{label}: starts with a UTF-16 byte-order mark but is not valid UTF-16 at byte "
                             "{offset:,}. {fix}", label=label, offset=exc.start + 2, fix=_FIX)) from None


def nul_text_name(sample: bytes) -> str | None:
    """Name the encoding that puts NUL bytes in text (UTF-32, or UTF-16 without a BOM); ``None`` for binary data."""
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return M("UTF-32 ({order})", order=_LE if sample.startswith(codecs.BOM_UTF32_LE) else _BE)
    even, odd = sample[0::2], sample[1::2]
    if len(sample) >= 4 and sample[:4].count(0) == 3:
        return M("UTF-32 ({order}) without a byte-order mark", order=_LE if sample[0] else _BE)
    if odd.count(0) > len(odd) * 0.6 and even.count(0) < len(even) * 0.1:
        return M("UTF-16 ({order}) without a byte-order mark", order=_LE)
    if even.count(0) > len(even) * 0.6 and odd.count(0) < len(odd) * 0.1:
        return M("UTF-16 ({order}) without a byte-order mark", order=_BE)
    return None


def unsupported(label: str, name: str) -> GeoDataError:
    """Return the refusal for text in an encoding StageMap does not read, naming it."""
    return GeoDataError(M("{label}: the text encoding is {name}; StageMap reads UTF-8, UTF-16 with a byte-order "
                          "mark and Latin-1. {fix}", label=label, name=name, fix=_FIX))


def transcode_to_utf8(path: Path, encoding: Encoding, target: Path, *, chunk: int = 1 << 22) -> Path:
    """Write the text of ``path`` (in ``encoding``) to ``target`` as UTF-8, chunk by chunk; return ``target``.

    Raises
    ------
    GeoDataError
        At the first byte that is not valid in ``encoding``.
    """
    decoder = codecs.getincrementaldecoder(encoding.codec)()
    done = 0
    with path.open("rb") as src, target.open("wb") as dst:
        try:
            while data := src.read(chunk):
                dst.write(decoder.decode(data).encode("utf-8"))
                done += len(data)
            dst.write(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError as exc:
            raise GeoDataError(M("{label}: not valid {encoding} at byte {offset:,}. {fix}", label=path.name,
                                 encoding=encoding.name, offset=done + exc.start, fix=_FIX)) from None
    return target
