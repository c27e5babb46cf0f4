"""The one hand-built PDF writer of the evals and tests: pages of text lines in Helvetica.

No PDF library in our dependencies writes text, so the file is built by hand (catalog, pages, font, then a
page and its content stream per page, and an xref table); pypdf then reads it through its ordinary path.
"""

from __future__ import annotations

from pathlib import Path


def escape(text: str) -> str:
    """A string as a PDF literal's content."""
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_stream(lines: list[str], size: float = 10, leading: float = 12, x: int = 40, y: int = 800, errors: str = "strict") -> bytes:
    """A page's content stream: one line of text after another from (x, y) down."""
    ops = ["BT", f"/F1 {size:g} Tf", f"{leading:g} TL", f"{x} {y} Td"] + [f"({escape(line)}) Tj T*" for line in lines] + ["ET"]
    return "\n".join(ops).encode("cp1252", errors=errors)


def write_pdf(path: Path, streams: list[bytes], catalog: str = "") -> Path:
    """Write a PDF with one page per content stream; ``catalog``: extra catalog entries (page labels)."""
    n = len(streams)
    objects: list[bytes] = [f"<< /Type /Catalog /Pages 2 0 R{catalog} >>".encode(),
                            f"<< /Type /Pages /Kids [{' '.join(f'{4 + 2 * i} 0 R' for i in range(n))}] /Count {n} >>".encode(),
                            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    for i, stream in enumerate(streams):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode())
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for num, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{num} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path
