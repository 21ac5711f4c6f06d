"""The digest's chart: how many units had reported, day by day, as a small PNG drawn with Pillow.

Pillow comes with pdfplumber, so no plotting library is added. The chart carries its title, its
legend and the due date as a dashed line, in DejaVu Sans (Vietnamese glyphs) where it is
installed; without it only digits are drawn and the words stay in the mail's alt text. The
background is opaque white, so a mail client that inverts colours in dark mode inverts the whole
picture, which stays readable; the HTML scales it to the pane (width 100 %, at most 640 px).
"""
from __future__ import annotations

import datetime as dt
import io

from PIL import Image, ImageDraw, ImageFont

from compile.completeness import Completeness

W, H = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 40, 36
FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf")
ON_TIME, LATE, TARGET, AXIS = (47, 84, 150), (197, 90, 17), (112, 173, 71), (64, 64, 64)


def series(comp: Completeness, first: dt.date, last: dt.date) -> list[tuple[dt.date, int]]:
    """(day, expected units whose first report had arrived by the end of that day)."""
    dates = sorted(u.received_at.date() for u in comp.units if u.expected and u.received_at)
    out, i, day = [], 0, first
    while day <= last:
        while i < len(dates) and dates[i] <= day:
            i += 1
        out.append((day, i))
        day += dt.timedelta(days=1)
    return out


def window(comp: Completeness, today: dt.date, days: int = 28) -> tuple[dt.date, dt.date]:
    """Four weeks ending today, or ending two weeks after the due date for an old period."""
    last = min(today, comp.due + dt.timedelta(days=14))
    return last - dt.timedelta(days=days - 1), last


def _font(size: int):
    for path in FONTS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return None


def completeness_png(comp: Completeness, today: dt.date) -> bytes:
    first, last = window(comp, today)
    points = series(comp, first, last)
    top = max(comp.expected_count, max((n for _, n in points), default=0), 1)
    img = Image.new("RGB", (W, H), "white")
    draw = ImageDraw.Draw(img)
    words = _font(12)
    font = words or ImageFont.load_default(size=11)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    step = plot_w / len(points)
    for i, (day, n) in enumerate(points):
        x0 = LEFT + i * step + 1
        y0 = TOP + plot_h * (1 - n / top)
        draw.rectangle([x0, y0, x0 + step - 2, TOP + plot_h], fill=ON_TIME if day <= comp.due else LATE)
        if i % 7 == 0 or i == len(points) - 1:
            draw.text((min(x0, W - 36), TOP + plot_h + 6), day.strftime("%d/%m"), fill=AXIS, font=font)
    y_target = TOP + plot_h * (1 - comp.expected_count / top)
    draw.line([LEFT, y_target, W - RIGHT, y_target], fill=TARGET, width=2)
    if first <= comp.due <= last:                       # the due date, dashed
        due_x = LEFT + ((comp.due - first).days + 1) * step
        for dash in range(TOP, TOP + plot_h, 8):
            draw.line([due_x, dash, due_x, min(dash + 4, TOP + plot_h)], fill=AXIS, width=1)
        draw.text((min(due_x + 3, W - 60), TOP + 2), comp.due.strftime("%d/%m"), fill=AXIS, font=font)
    if words is not None:
        draw.text((LEFT, 4), "Số đơn vị đã gửi báo cáo theo ngày", fill=AXIS, font=_font(13) or words)
        x = LEFT
        for colour, label in ((ON_TIME, "Trước hạn"), (LATE, "Sau hạn"), (TARGET, "Phải báo cáo"),
                              (AXIS, "Hạn gửi (vạch đứt)")):
            draw.rectangle([x, 24, x + 10, 34], fill=colour)
            draw.text((x + 14, 22), label, fill=AXIS, font=words)
            x += 28 + int(draw.textlength(label, font=words))
    draw.line([LEFT, TOP, LEFT, TOP + plot_h, W - RIGHT, TOP + plot_h], fill=AXIS, width=1)
    for value in sorted({0, comp.expected_count}):
        y = TOP + plot_h * (1 - value / top)
        draw.text((4, y - 6), str(value), fill=AXIS, font=font)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()
