"""Decodes QR codes that `redirectctl qr` wrote, with zxing-cpp, and prints one JSON object per file.

Usage: decode_qr.py FILE...  (.png as is, .svg rasterised by cairosvg, .txt read back from its half blocks).

Every file is decoded without inversion and without rotation, so a code drawn with the wrong colours or
mirrored does not pass. For each file: {"file", "texts" (the decoded bytes as UTF-8), "ec_levels", "width",
"height", "modules" (text only: the module rows read back, "1" for dark)}.
"""

import io
import json
import sys

import cairosvg
import zxingcpp
from PIL import Image

HALF_BLOCKS = {" ": (False, False), "\u2580": (True, False), "\u2584": (False, True), "\u2588": (True, True)}
PIXELS_PER_MODULE = 4


def text_modules(path):
    """The module rows of a terminal drawing: each glyph is two rows, its drawn halves the light modules."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    rows = []
    for line in lines:
        upper, lower = [], []
        for glyph in line:
            top, bottom = HALF_BLOCKS[glyph]
            upper.append(not top)
            lower.append(not bottom)
        rows += [upper, lower]
    # A code with its quiet zone has an odd number of rows: the last line's lower half is the terminal's own.
    width = len(rows[0])
    if len(rows) == width + 1:
        rows.pop()
    return rows


def image_of_modules(rows):
    size = len(rows[0]) * PIXELS_PER_MODULE
    image = Image.new("L", (size, len(rows) * PIXELS_PER_MODULE), 255)
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                image.paste(0, (x * PIXELS_PER_MODULE, y * PIXELS_PER_MODULE,
                                (x + 1) * PIXELS_PER_MODULE, (y + 1) * PIXELS_PER_MODULE))
    return image


def main():
    for path in sys.argv[1:]:
        result = {"file": path}
        if path.endswith(".txt"):
            rows = text_modules(path)
            result["modules"] = ["".join("1" if dark else "0" for dark in row) for row in rows]
            image = image_of_modules(rows)
        elif path.endswith(".svg"):
            with open(path, "rb") as f:
                image = Image.open(io.BytesIO(cairosvg.svg2png(bytestring=f.read()))).convert("L")
        else:
            image = Image.open(path)
            result["mode"] = image.mode
            image = image.convert("L")
        result["width"], result["height"] = image.size
        codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode, try_rotate=False,
                                       try_invert=False)
        result["texts"] = [code.bytes.decode("utf-8", "replace") for code in codes]
        result["ec_levels"] = [code.ec_level for code in codes]
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
