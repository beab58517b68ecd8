#!/usr/bin/env python3
"""The z14 and z16 WebMercatorQuad tiles covering the bench park's extent (extent.txt), for
map_interface.sh and tiles_vs_martin.sh.

Usage: tile_list.py OUT_DIR MINX MINY MAXX MAXY
  -> OUT_DIR/tiles-z{z}.txt  parkland paths, /collections/parcels/tiles/WebMercatorQuad/z/y/x
     OUT_DIR/tiles-z{z}.zxy  "z x y" a line, in the same order"""
import math, sys

out = sys.argv[1]
minx, miny, maxx, maxy = (float(v) for v in sys.argv[2:6])


def tile(lon, lat, z):
    n = 2 ** z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


for z in (14, 16):
    x0, y1 = tile(minx, miny, z)
    x1, y0 = tile(maxx, maxy, z)
    with open(f"{out}/tiles-z{z}.txt", "w") as paths, open(f"{out}/tiles-z{z}.zxy", "w") as zxy:
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                paths.write(f"/collections/parcels/tiles/WebMercatorQuad/{z}/{y}/{x}\n")
                zxy.write(f"{z} {x} {y}\n")
