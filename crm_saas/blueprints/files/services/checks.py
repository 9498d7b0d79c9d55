"""What a file may be: the allowed types, the bytes each must start with, and a name fit to show.

The type is decided by the extension against an allow-list, then the content
must agree with it, so a program renamed ``报价.pdf`` is refused. The MIME type
we store and send is ours (from the extension), never the client's header.
A small signature table rather than a sniffing library: the list is short,
and the OLE2 and OOXML families need the extension to tell doc from xls anyway.
"""
import codecs
import unicodedata

OLE2 = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
ZIP = (b"PK\x03\x04",)
TEXT = None  # no signature: the whole file must read as UTF-8 or GB18030 text

# extension -> (MIME type, accepted first bytes)
TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "doc": ("application/msword", OLE2),
    "xls": ("application/vnd.ms-excel", OLE2),
    "ppt": ("application/vnd.ms-powerpoint", OLE2),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ZIP),
    "zip": ("application/zip", ZIP),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", ()),  # RIFF container: see _matches
    "txt": ("text/plain; charset=utf-8", TEXT),
    "csv": ("text/csv; charset=utf-8", TEXT),
}
HEAD_BYTES = 16
NAME_MAX = 255


def display_name(raw):
    """The user's file name as people should read it: own script kept, nothing that can deceive.

    Browsers send a bare name, older ones a whole path: keep the last part.
    Control and format characters go (a right-to-left override can make
    ``gpj.exe`` read as ``exe.jpg``); dots and spaces at the ends go too.
    """
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(" " if ch.isspace() else ch for ch in name if unicodedata.category(ch)[0] != "C" or ch.isspace())
    name = " ".join(name.split()).strip(". ")
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = stem[:NAME_MAX - len(ext) - 1] + dot + ext if dot and len(ext) <= 10 else name[:NAME_MAX]
    return name


def extension(name):
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def content_type(ext):
    return TYPES[ext][0]


def _matches(ext, head):
    if ext == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return any(head.startswith(signature) for signature in TYPES[ext][1])


class ContentCheck:
    """Fed the file chunk by chunk while it is written, so nothing is read twice or held whole."""

    def __init__(self, ext):
        self.ext = ext
        self.head = b""
        self.text = TYPES[ext][1] is TEXT
        self.decoders = [codecs.getincrementaldecoder(c)() for c in ("utf-8", "gb18030")] if self.text else []
        self.has_nul = False

    def feed(self, chunk):
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[:HEAD_BYTES - len(self.head)]
        if self.text:
            self.has_nul = self.has_nul or b"\x00" in chunk
            self.decoders = [d for d in self.decoders if _decodes(d, chunk)]

    def passed(self):
        """Binary types: the first bytes match. Text: no NUL byte, and UTF-8 or GB18030 reads it all."""
        if not self.text:
            return _matches(self.ext, self.head)
        return not self.has_nul and any(_decodes(d, b"", final=True) for d in self.decoders)


def _decodes(decoder, chunk, final=False):
    try:
        decoder.decode(chunk, final)
    except UnicodeDecodeError:
        return False
    return True
