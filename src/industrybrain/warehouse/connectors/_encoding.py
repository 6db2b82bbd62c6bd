"""Encoding detection and the streaming transcoder to UTF-8 with ``\\n`` line ends.

Decision order: byte-order mark, then a strict UTF-8 trial, then GB18030 (a superset of GBK)
with a mojibake score. Undecodable bytes are written as the byte 0xFF, which is never valid
UTF-8, so the CSV reader rejects exactly the rows that hold them.
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from pathlib import Path

from ._types import ConnectorError

SAMPLE = 1 << 20
CHUNK = 1 << 22
PARALLEL_MIN = 32 * 2**20  # bytes; smaller files are transcoded in this process
GB_NAMES = {"gbk", "gb2312", "gb18030", "cp936", "936", "euc-cn", "euccn", "gb-18030"}


def _ff_handler(exc: UnicodeError) -> tuple[str, int]:
    if isinstance(exc, UnicodeDecodeError):
        return "\udcff", exc.end
    raise exc


codecs.register_error("ib_ff", _ff_handler)


def canonical(encoding: str) -> str:
    name = codecs.lookup(encoding).name  # raises LookupError for unknown names
    if name.replace("_", "-") in GB_NAMES or encoding.lower() in GB_NAMES:
        return "gb18030"
    return name


def read_samples(path: Path, size: int) -> tuple[bytes, list[bytes]]:
    """The first megabyte and three windows further on (for big files)."""
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE)
        windows: list[bytes] = []
        if size > 4 * SAMPLE:
            for frac in (0.33, 0.66, 0.95):
                fh.seek(int(size * frac))
                chunk = fh.read(SAMPLE // 4)
                nl = chunk.find(b"\n")  # start on a line boundary: safe for UTF-8 and GB18030
                windows.append(chunk[nl + 1 :] if nl >= 0 else b"")
    return head, windows


def _utf8_ok(data: bytes, final: bool) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _mostly_utf8(data: bytes, final: bool) -> bool:
    """Valid UTF-8 but for a few bad bytes (those rows are quarantined by the reader)."""
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(data, final=final)
    wide = sum(1 for ch in text if ch >= "\x80")
    bad = text.count("\ufffd")
    return wide - bad >= 20 and bad <= 0.01 * wide


_SUSPECT = re.compile("[\ue000-\uf8ff\ufffd]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_WIDE = re.compile("[^\x00-\x7f]")


def _gb_score(data: bytes, final: bool) -> float:
    """Share of suspicious characters when ``data`` is read as GB18030 (0 = clean).

    Suspicious: replacement marks and private-use characters (counted twice), and characters
    outside GB2312 other than letters from the 4-byte planes (CJK extensions such as 𠮷).
    """
    text = codecs.getincrementaldecoder("gb18030")(errors="replace").decode(data, final=final)
    wide = len(_WIDE.findall(text))
    if not wide:
        return 0.0
    suspect = len(_SUSPECT.findall(text))
    astral = _ASTRAL.findall(text)
    astral_bad = sum(1 for ch in astral if unicodedata.category(ch) != "Lo")
    outside = text.encode("gb2312", "replace").count(b"?") - text.count("?")
    outside -= suspect + len(astral)  # those are counted on their own
    return (2 * suspect + astral_bad + max(outside, 0)) / wide


def detect(path: Path, size: int) -> tuple[str, int]:
    """Return (codec name, BOM length) or raise ConnectorError when unsure."""
    head, windows = read_samples(path, size)
    whole = size <= len(head)
    if head.startswith(codecs.BOM_UTF8):
        if not _utf8_ok(head[3:], whole) or not all(_utf8_ok(w, False) for w in windows):
            raise ConnectorError(
                "the file starts with a UTF-8 byte-order mark but its content is not UTF-8 "
                "(GBK text saved with a wrong BOM?); re-save it or give the encoding"
            )
        return "utf-8", 3
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise ConnectorError("UTF-32 text is not supported; save the file as UTF-8")
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    even, odd = head[0::2], head[1::2]
    if len(head) >= 4:
        if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le", 0
        if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be", 0
    if _utf8_ok(head, whole) and all(_utf8_ok(w, False) for w in windows):
        return "utf-8", 0
    if all(_mostly_utf8(d, f) for d, f in [(head, whole), *((w, False) for w in windows)]):
        return "utf-8", 0
    score = max([_gb_score(head, whole)] + [_gb_score(w, False) for w in windows])
    if score <= 0.3:
        return "gb18030", 0
    raise ConnectorError(
        "cannot tell the text encoding: it is neither UTF-8 nor GBK/GB18030 "
        f"({score:.0%} of the characters would be garbled); give the encoding explicitly"
    )


def _norm_newlines(text: str, carry_cr: bool) -> tuple[str, bool]:
    if carry_cr:
        text = "\r" + text
    carry = text.endswith("\r")
    if carry:
        text = text[:-1]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, carry


def transcode_range(src: str, dst: str, encoding: str, start: int, end: int) -> bool:
    """Transcode bytes [start, end) of ``src`` to UTF-8 with ``\\n`` line ends into ``dst``.

    Returns whether the text holds a NUL character.
    """
    dec = codecs.getincrementaldecoder(encoding)(errors="ib_ff")
    carry = False
    nul = False
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        fin.seek(start)
        left = end - start
        while left > 0:
            chunk = fin.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            text, carry = _norm_newlines(dec.decode(chunk, final=left <= 0), carry)
            nul = nul or "\x00" in text
            fout.write(text.encode("utf-8", "surrogateescape"))
        tail = dec.decode(b"", final=True)
        text, _ = _norm_newlines(tail, carry)
        if carry:
            text += "\n"
        fout.write(text.encode("utf-8", "surrogateescape"))
    return nul or "\x00" in text


def _split_points(path: Path, start: int, size: int, parts: int) -> list[int]:
    points = [start]
    with open(path, "rb") as fh:
        for i in range(1, parts):
            fh.seek(start + (size - start) * i // parts)
            buf = fh.read(1 << 20)
            nl = buf.find(b"\n")
            if nl < 0:
                continue
            p = fh.tell() - len(buf) + nl + 1
            if p > points[-1]:
                points.append(p)
    points.append(size)
    return points


def transcode(path: Path, dst: Path, encoding: str, bom: int, size: int) -> bool:
    """Stream ``path`` to ``dst`` as UTF-8; GB18030/UTF-8 files above 32 MB use 2+ processes.

    Splitting at ``\\n`` bytes is safe for UTF-8 and GB18030: 0x0A is never part of a
    multi-byte character there (unlike UTF-16, which is always transcoded in one pass).
    """
    workers = min(os.cpu_count() or 1, 4)
    if size < PARALLEL_MIN or workers < 2 or encoding not in ("gb18030", "utf-8"):
        return transcode_range(str(path), str(dst), encoding, bom, size)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    points = _split_points(path, bom, size, workers)
    outs = [str(dst)] + [f"{dst}.part{i}" for i in range(1, len(points) - 1)]
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(outs), mp_context=ctx) as pool:
        futures = [
            pool.submit(transcode_range, str(path), out, encoding, points[i], points[i + 1])
            for i, out in enumerate(outs)
        ]
        nul = any([f.result() for f in futures])
    with open(dst, "r+b") as fout:
        fout.seek(0, os.SEEK_END)
        for part in outs[1:]:
            with open(part, "rb") as fin:
                n = os.fstat(fin.fileno()).st_size
                off = 0
                while off < n:
                    sent = os.copy_file_range(fin.fileno(), fout.fileno(), n - off)
                    if sent <= 0:
                        raise OSError("copy_file_range made no progress")
                    off += sent
            os.unlink(part)
    return nul
