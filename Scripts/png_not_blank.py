#!/usr/bin/env python3
"""Exit 0 when a PNG screenshot is not blank: at least 2% of its pixels are not near-white and it has at least
16 distinct colours. Standard library only (zlib): 8-bit greyscale, RGB or RGBA, non-interlaced PNGs."""
import struct, sys, zlib

def pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (0, 2, 6) and interlace == 0, f"unsupported PNG (depth {depth}, type {ctype})"
            bpp = {0: 1, 2: 3, 6: 4}[ctype]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * bpp
    prev, rows = bytearray(stride), []
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line)); prev = line
    return width, height, bpp, rows

w, h, bpp, rows = pixels(sys.argv[1])
ink, colours = 0, set()
for r in rows[::2]:
    for x in range(0, w * bpp, bpp * 2):
        px = r[x:x + 3] if bpp >= 3 else r[x:x + 1] * 3
        colours.add(px)
        if min(px) < 235: ink += 1
total = len(rows[::2]) * len(range(0, w * bpp, bpp * 2))
share = ink / total
ok = share >= 0.02 and len(colours) >= 16
print(f"{sys.argv[1]}: {w}x{h}, {share:.1%} of pixels inked, {len(colours)} colours: {'not blank' if ok else 'BLANK'}")
sys.exit(0 if ok else 1)
