"""What an accepted file may not carry besides its type (issue 22): markup that a browser
would run if it ever sniffed the file (a polyglot: a valid PDF or image header followed by
HTML), and a PDF's active content (script, launch actions, embedded files, forms that post
data), which readers run when the file is opened.

A PDF's dictionaries may sit inside compressed object streams and its names may be spelt with
#xx escapes, so streams are inflated (in bounded chunks: a stream can be a bomb) and names
decoded before they are looked at.
"""
import re
import zlib

# Browsers sniff the first 512 bytes; twice that, to be sure.
HEAD = 1024
MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|iframe|svg|object|embed|meta)\b"
                    rb"|javascript:", re.IGNORECASE)
SCRIPT = re.compile(rb"<\s*script\b", re.IGNORECASE)
ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|SubmitForm|"
                    rb"ImportData|GoToE)(?![A-Za-z0-9])")
STREAM = re.compile(rb"stream\r?\n")
NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
MAX_INFLATED = 64 * 1024 * 1024       # all of a PDF's streams together, inflated


def markup(data: bytes, kind: str) -> bool:
    """True if ``data`` carries HTML where a browser would find it: in its head, or (for a
    file that is not a zip package, whose parts are compressed) a script anywhere."""
    if MARKUP.search(data, 0, HEAD):
        return True
    return not data.startswith(b"PK") and SCRIPT.search(data) is not None


def pdf_actions(data: bytes) -> set[str]:
    """The names of active content found in a PDF (empty for a passive document);
    "Oversized" for one whose streams inflate past the bound (unreadable, so not passed)."""
    found = set()
    try:
        for part in _pdf_parts(data):
            names = NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), part)
            found.update(m.group(1).decode() for m in ACTIVE.finditer(names))
    except OverflowError:
        found.add("Oversized")
    return found


def _pdf_parts(data: bytes):
    """The file itself, then each stream that inflates (object streams hide dictionaries)."""
    yield data
    view, budget = memoryview(data), MAX_INFLATED
    for match in STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            part = inflater.decompress(view[match.end():], budget)
        except zlib.error:
            continue                       # not Flate, or not compressed: seen in the file
        budget -= len(part)
        if budget <= 0 or inflater.unconsumed_tail:
            raise OverflowError("the streams inflate past the bound")
        yield part
