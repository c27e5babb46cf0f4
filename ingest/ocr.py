"""Read the text of scanned PDF pages with Tesseract OCR.

A page with no text layer is a picture of text. Its images (pypdf ``page.images``, decoded by
Pillow) are handed one by one to the ``tesseract`` program (Debian's ``tesseract-ocr``) as PNG
on standard input, and the text comes back on standard output. No Python OCR package is
needed; when the program is missing, ``available()`` says so and the loader reports each page
that could not be read.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from typing import Any

TESSERACT = "tesseract"
LANG = "eng"
PSM = 3  # fully automatic page segmentation (no orientation detection): a whole page in blocks and columns
TIMEOUT = 120.0  # seconds per image: a dense A4 scan at 300 dpi takes a few seconds
MIN_SIDE = 32  # pixels: smaller images are rules, bullets and icons, not text
INSTALL = "apt install tesseract-ocr"


class OcrError(Exception):
    """OCR could not run on a page; the message says why, in plain words."""


def available(program: str = TESSERACT) -> bool:
    """Whether the tesseract program is on PATH."""
    return shutil.which(program) is not None


def page_images(page: Any, min_side: int = MIN_SIDE) -> list[Any]:
    """The page's images as Pillow images, skipping tiny ones and any that cannot be decoded.

    Raises ``OcrError`` when the page has images but none of them could be decoded.
    """
    try:
        count = len(page.images)
    except Exception as exc:  # a damaged resource dictionary
        raise OcrError(f"its images could not be listed ({reason(exc)})") from exc
    found: list[Any] = []
    failures: list[str] = []
    for i in range(count):
        try:
            image = page.images[i].image
        except Exception as exc:  # an unsupported or broken image filter (JBIG2, a cut stream...)
            failures.append(reason(exc))
            continue
        if image is not None and min(image.size) >= min_side:
            found.append(image)
    if not found and failures:
        raise OcrError(f"its image could not be decoded ({failures[0]})")
    return found


def resolution(image: Any, page_width_pt: float) -> int:
    """Dots per inch of a scan, from its own record or else its width across the page."""
    dpi = image.info.get("dpi")
    if dpi and dpi[0] and float(dpi[0]) > 1:
        guess = float(dpi[0])
    else:
        guess = image.size[0] / max(page_width_pt / 72.0, 0.1)
    return round(min(max(guess, 70.0), 1200.0))


def _png(image: Any) -> bytes:
    """The image as PNG bytes, flattened onto white if it has transparency."""
    if image.mode in ("RGBA", "LA", "P", "PA"):
        from PIL import Image

        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba).convert("RGB")
    elif image.mode not in ("1", "L", "RGB"):
        image = image.convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def tidy(text: str) -> str:
    """Tesseract's output without its page-end form feed, trailing spaces and runs of blank lines."""
    text = text.replace("\f", "\n").replace("\r\n", "\n")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def read_image(image: Any, dpi: int, lang: str = LANG, psm: int = PSM, timeout: float = TIMEOUT, program: str = TESSERACT) -> str:
    """The text tesseract reads in one image ('' when it finds none); ``OcrError`` if it cannot run."""
    cmd = [program, "stdin", "stdout", "-l", lang, "--psm", str(psm), "--dpi", str(dpi)]
    env = dict(os.environ)
    env.setdefault("OMP_THREAD_LIMIT", "1")  # one thread per page is faster overall than tesseract's own threading
    try:
        done = subprocess.run(cmd, input=_png(image), capture_output=True, timeout=timeout, env=env, check=False)
    except FileNotFoundError as exc:
        raise OcrError(f"the tesseract program was not found ({INSTALL})") from exc
    except subprocess.TimeoutExpired as exc:
        raise OcrError(f"it took longer than {timeout:.0f} seconds") from exc
    if done.returncode != 0:
        detail = next((ln for ln in done.stderr.decode("utf-8", "replace").splitlines() if ln.strip()), f"exit code {done.returncode}")
        raise OcrError(f"tesseract failed: {detail.strip()}")
    return tidy(done.stdout.decode("utf-8", "replace"))


def read_images(images: list[Any], page_width_pt: float, lang: str = LANG, timeout: float = TIMEOUT) -> str:
    """The text of a page's images, in the order the page lists them, one block per image."""
    texts = [read_image(im, resolution(im, page_width_pt), lang=lang, timeout=timeout) for im in images]
    return "\n\n".join(t for t in texts if t)


def reason(exc: BaseException) -> str:
    """An exception as a short phrase for a user-facing message."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return text[:120]
