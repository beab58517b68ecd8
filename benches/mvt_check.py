#!/usr/bin/env python3
"""Do parkland's and Martin's tiles say the same thing? For each tile given, fetch both, decode
them (a small protobuf reader, no dependency) and compare the features by id: the geometry
commands, and the properties (parkland's `area_mu` is left out, Martin's table source has no
such column; `area_m2` is compared at parkland's two decimals). Martin's table source
looks up rows by the tile's own box when the table is not in 3857 or 4326 (here 4490), so
features reaching only into the 64-unit buffer are in parkland's tile and not in Martin's:
those are checked against the database (`geom && tile box` must be false for each).

Usage: mvt_check.py PARKLAND_BASE MARTIN_BASE AUTH_HEADER TILE...
  TILE is z/x/y/martin_source, e.g. 14/13498/6944/parcels_low. AUTH_HEADER may be "".
Exit status 1 when a tile disagrees."""
import struct, subprocess, sys, urllib.request


def varint(b, i):
    r = s = 0
    while True:
        c = b[i]
        i += 1
        r |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return r, i


def fields(b):
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        f, w = key >> 3, key & 7
        if w == 0:
            v, i = varint(b, i)
        elif w == 2:
            n, i = varint(b, i)
            v = b[i:i + n]
            i += n
        elif w == 1:
            v = b[i:i + 8]
            i += 8
        elif w == 5:
            v = b[i:i + 4]
            i += 4
        else:
            raise ValueError(f"wire type {w}")
        yield f, w, v


def packed(b):
    out, i = [], 0
    while i < len(b):
        v, i = varint(b, i)
        out.append(v)
    return out


def value(b):
    for f, _, v in fields(b):
        if f == 1:
            return bytes(v).decode()
        if f == 2:
            return struct.unpack("<f", v)[0]
        if f == 3:
            return struct.unpack("<d", v)[0]
        if f == 4:
            return v - (1 << 64) if v >= 1 << 63 else v
        if f == 5:
            return v
        if f == 6:
            return (v >> 1) ^ -(v & 1)
        if f == 7:
            return bool(v)
    return None


def decode(tile):
    """{layer name: {feature id: (properties, geometry commands)}}"""
    layers = {}
    for f, _, layer in fields(tile):
        if f != 3:
            continue
        name, keys, values, features = None, [], [], []
        for lf, _, v in fields(layer):
            if lf == 1:
                name = bytes(v).decode()
            elif lf == 2:
                features.append(v)
            elif lf == 3:
                keys.append(bytes(v).decode())
            elif lf == 4:
                values.append(value(v))
        out = {}
        for feature in features:
            fid, tags, geometry = None, [], ()
            for ff, _, v in fields(feature):
                if ff == 1:
                    fid = v
                elif ff == 2:
                    tags = packed(v)
                elif ff == 4:
                    geometry = tuple(packed(v))
            props = {keys[tags[i]]: values[tags[i + 1]] for i in range(0, len(tags), 2)}
            out[fid] = (props, geometry)
        layers[name] = out
    return layers


def get(url, headers):
    req = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(req) as r:
        return r.read()


def psql(sql):
    return subprocess.run(
        ["psql", "-qAt", "-h", "127.0.0.1", "-U", "postgres", "-d", "parkland_bench", "-c", sql],
        check=True, capture_output=True, text=True).stdout.strip()


def same_props(p, m):
    p = {k: v for k, v in p.items() if k != "area_mu"}
    if "area_m2" in p and "area_m2" in m:
        if round(m["area_m2"], 2) != p["area_m2"]:
            return False
        p = {k: v for k, v in p.items() if k != "area_m2"}
        m = {k: v for k, v in m.items() if k != "area_m2"}
    return p == m


def main():
    pbase, mbase, auth = sys.argv[1], sys.argv[2], sys.argv[3]
    headers = {"Authorization": auth.split(": ", 1)[1]} if auth else {}
    ok = True
    print(f"{'tile (z/x/y source)':<28} {'parkland':>8} {'martin':>7} {'common':>7} {'same geom':>9} {'same props':>10}"
          f" {'buffer only':>11}  martin = SQL count")
    for arg in sys.argv[4:]:
        z, x, y, source = arg.split("/")
        p = decode(get(f"{pbase}/collections/parcels/tiles/WebMercatorQuad/{z}/{y}/{x}", headers)).get("parcels", {})
        m = decode(get(f"{mbase}/{source}/{z}/{x}/{y}", {})).get("parcels", {})
        common = p.keys() & m.keys()
        geom = sum(p[i][1] == m[i][1] for i in common)
        props = sum(same_props(p[i][0], m[i][0]) for i in common)
        extra = sorted(p.keys() - m.keys())
        envelope = f"ST_Transform(ST_TileEnvelope({z}, {x}, {y}), 4490)"
        inside = int(psql(f"SELECT count(*) FROM parcels WHERE id = ANY('{{{','.join(map(str, extra))}}}'::bigint[])"
                          f" AND geom && {envelope}")) if extra else 0
        expected = int(psql(f"SELECT count(*) FROM parcels WHERE geom && {envelope}"))
        agree = (not (m.keys() - p.keys()) and geom == len(common) and props == len(common)
                 and inside == 0 and expected == len(m))
        ok &= agree
        label = f"{z}/{x}/{y} {source}"
        print(f"{label:<28} {len(p):>8} {len(m):>7} {len(common):>7} {geom:>9} {props:>10}"
              f" {len(extra) - inside:>11}  {len(m)} = {expected}  {'agree' if agree else 'DIFFER'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
