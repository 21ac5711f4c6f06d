"""Files that must end as a recorded failure naming the file, with no values and no crash."""
from __future__ import annotations

import io
import random
import zipfile


def truncated(data: bytes, keep: float) -> bytes:
    return data[: int(len(data) * keep)]


def jpeg() -> bytes:
    """A photo of the signed report, saved with an .xlsx name."""
    from PIL import Image, ImageDraw
    img = Image.new("RGB", (320, 200), "white")
    draw = ImageDraw.Draw(img)
    for y in range(20, 200, 18):
        draw.line((20, y, 300, y), fill=(90, 90, 90), width=1)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def zip_bomb(megabytes: int = 200) -> bytes:
    """One entry of zeros, ratio ~1000:1, streamed so building it costs no memory."""
    buf = io.BytesIO()
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("BaoCao_CTTE_2024.xlsx", "w", force_zip64=True) as entry:
            for _ in range(megabytes):
                entry.write(chunk)
    return buf.getvalue()


def entity_bomb(xlsx: bytes) -> bytes:
    """A real workbook whose sheet carries a 'billion laughs' DTD, used in the title cell
    (openpyxl writes inline strings, so the sheet part is where the text lives)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    dtd = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE worksheet [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "' + f"&lol{i - 1 if i > 1 else ''};" * 10 + '">' for i in range(1, 10))
           + ']>\n')
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = body.decode("utf-8")
                if text.startswith("<?xml"):
                    text = text[text.index("?>") + 2:].lstrip()
                head, sep, rest = text.partition("<is><t>")
                assert sep, "no inline string to poison"
                text = dtd + head + sep + "&lol9;" + rest[rest.index("</t>"):]
                body = text.encode("utf-8")
            dst.writestr(item, body)
    return out.getvalue()


def garbage_docx(rng: random.Random) -> bytes:
    """A zip with the parts of a .docx whose document.xml is noise (a broken save)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", bytes(rng.randrange(256) for _ in range(3000)))
    return out.getvalue()
