"""What an accepted file may not carry besides its type (issue 22): markup that a browser
would run if it ever sniffed the file (a polyglot: a valid PDF or image header followed by
HTML), and a PDF's active content (script, launch actions, embedded files, forms that post
data), which readers run when the file is opened.

A PDF's dictionaries may sit inside compressed object streams and its names may be spelt with
#xx escapes, so streams are inflated (in bounded chunks: a stream can be a bomb) and names
decoded before they are looked at.
"""
import base64
import re
import zlib

# Browsers sniff the first 512 bytes; twice that, to be sure.
HEAD = 1024
MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|iframe|svg|object|embed|meta)\b"
                    rb"|javascript:", re.IGNORECASE)
SCRIPT = re.compile(rb"<\s*script\b", re.IGNORECASE)
ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|SubmitForm|"
                    rb"ImportData|GoToE)(?![A-Za-z0-9])")
STREAM = re.compile(rb"(?<!end)stream\r?\n")
NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
MAX_INFLATED = 64 * 1024 * 1024       # all of a PDF's streams together, inflated
MAX_STREAMS = 200000                  # a real document of 10 MB has a few thousand
CHUNK = 64 * 1024


def markup(data: bytes, kind: str) -> bool:
    """True if ``data`` carries HTML where a browser would find it: in its head, or (for a
    file that is not a zip package, whose parts are compressed) a script anywhere."""
    if MARKUP.search(data, 0, HEAD):
        return True
    return not data.startswith(b"PK") and SCRIPT.search(data) is not None


def pdf_actions(data: bytes) -> set[str]:
    """The names of active content found in a PDF (empty for a passive document);
    "Oversized" for one whose streams inflate past the bound or are too many to look at."""
    found = set()
    try:
        for part in _pdf_parts(data):
            names = NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), part)
            found.update(m.group(1).decode() for m in ACTIVE.finditer(names))
    except OverflowError:
        found.add("Oversized")
    return found


def _pdf_parts(data: bytes):
    """The file itself, then each stream decoded (object streams hide dictionaries): its own
    bytes only (up to ``endstream``), through the ASCII filters its dictionary names, and
    inflated as far as it goes: a damaged stream still shows what it held before the damage,
    as a tolerant reader would."""
    yield data
    budget = MAX_INFLATED
    for number, match in enumerate(STREAM.finditer(data)):
        if number >= MAX_STREAMS:
            raise OverflowError("too many streams")
        end = data.find(b"endstream", match.end())
        raw = data[match.end():end if end >= 0 else len(data)]
        part = _inflated(_ascii_decoded(raw, data[max(0, match.start() - 300):match.start()]),
                         budget)
        budget -= len(part)
        if budget <= 0:
            raise OverflowError("the streams inflate past the bound")
        yield part


def _ascii_decoded(raw: bytes, dictionary: bytes) -> bytes:
    """The stream under the ASCII filters its dictionary names (they wrap Flate to hide it)."""
    filters = dictionary[dictionary.rfind(b"<<"):]
    try:
        if b"/ASCIIHexDecode" in filters or b"/AHx" in filters:
            raw = bytes.fromhex(re.sub(rb"[^0-9A-Fa-f]", b"", raw.split(b">")[0]).decode())
        if b"/ASCII85Decode" in filters or b"/A85" in filters:
            raw = base64.a85decode(raw.strip().removesuffix(b"~>").removeprefix(b"<~"),
                                   ignorechars=b" \t\r\n")
    except ValueError:
        pass
    return raw


def _inflated(raw: bytes, budget: int) -> bytes:
    """Flate output of ``raw`` in chunks, kept up to a damage (a cut end, a bad block); empty
    for a stream that is not Flate at all. The zlib header is skipped and the body inflated
    raw, so a wrong checksum at the end, which readers ignore, hides nothing."""
    if len(raw) < 2 or raw[0] & 0x0F != 8 or (raw[0] << 8 | raw[1]) % 31:
        return b""
    inflater, out = zlib.decompressobj(-zlib.MAX_WBITS), []
    raw, size = raw[2:], 0
    try:
        for at in range(0, len(raw), CHUNK):
            piece = inflater.decompress(raw[at:at + CHUNK], budget - size + 1)
            out.append(piece)
            size += len(piece)
            if size > budget or inflater.unconsumed_tail or inflater.eof:
                break
    except zlib.error:
        pass
    return b"".join(out)
