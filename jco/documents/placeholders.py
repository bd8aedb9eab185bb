"""Tiny, valid, clearly labelled PDFs that stand in for real documents in the demo.

Written by hand (a page of Helvetica text) so the demo needs no PDF library and loads instantly.
"""

from __future__ import annotations

import textwrap


def _pdf_text(line: str) -> str:
    # Helvetica's built-in encoding covers Latin-1; anything else becomes "?" rather than garbage.
    line = line.replace("—", "-").replace("–", "-").replace("“", '"').replace("”", '"').replace("’", "'")
    line = line.encode("latin-1", "replace").decode("latin-1")
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def placeholder_pdf(reference: str, title: str) -> bytes:
    lines = ["DEMO PLACEHOLDER", "", reference, *textwrap.wrap(title, 70), "",
             "This is not the Council document: the demonstration holds no real files."]
    text = " T* ".join(f"({_pdf_text(line)}) Tj" for line in lines)
    stream = f"BT /F1 14 Tf 20 TL 72 770 Td {text} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
