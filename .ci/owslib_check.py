#!/usr/bin/env python3
"""End-to-end check of parkland's OGC API – Features with OWSLib's client, against the demo
park (run by .ci/clients-check.sh): landing page, conformance, API document, collections, items
with bbox, a property filter, paging through every parcel, single items, and a 404."""
import math
import os
import sys
import time

import owslib
from owslib.ogcapi.features import Features

BASE = sys.argv[1]
# The register needs a token (the public layers do not).
HEADERS = {"Authorization": f"Bearer {os.environ['PARKLAND_TOKEN']}"}
PARK_BBOX = [116.60, 27.53, 116.68, 27.59]
results = []


def check(name, fn):
    t0 = time.time()
    try:
        detail = fn()
        results.append((name, True, detail))
        print(f"PASS {name} ({(time.time()-t0)*1000:.0f} ms) {detail or ''}")
    except Exception as e:  # noqa
        results.append((name, False, repr(e)))
        print(f"FAIL {name}: {type(e).__name__}: {str(e)[:300]}")


def rings(geom):
    t = geom["type"]
    assert t in ("Polygon", "MultiPolygon"), f"geometry type {t}"
    polys = [geom["coordinates"]] if t == "Polygon" else geom["coordinates"]
    for poly in polys:
        for ring in poly:
            yield ring


def check_feature(f):
    assert f["type"] == "Feature", f.get("type")
    assert "id" in f, "feature without id"
    for ring in rings(f["geometry"]):
        assert len(ring) >= 4 and ring[0] == ring[-1], f"ring not closed in {f['id']}"
        for x, y, *rest in ring:
            assert 116.55 < x < 116.75 and 27.50 < y < 27.62, f"coord {x},{y} of {f['id']} not lon/lat near park"
    p = f["properties"]
    assert "area_m2" in p and "area_mu" in p, f"area props missing in {f['id']}"
    assert isinstance(p["area_m2"], (int, float)) and isinstance(p["area_mu"], (int, float))
    exp = p["area_m2"] * 15 / 10000
    assert math.isclose(p["area_mu"], exp, abs_tol=1e-3), f"{f['id']}: area_mu {p['area_mu']} != {exp}"


w = Features(BASE, headers=HEADERS)
print("owslib", owslib.__version__, "->", BASE)


def landing():
    rels = {l["rel"] for l in w.links}
    for r in ("self", "service-desc", "conformance", "data"):
        assert r in rels, f"landing page lacks rel={r}"
    return sorted(rels)


def conformance():
    c = w.conformance()["conformsTo"]
    core = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
    gj = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
    assert core in c and gj in c, c
    return f"{len(c)} classes"


def api():
    doc = w.api()
    assert doc["openapi"].startswith("3.0"), doc.get("openapi")
    assert "/collections/{collectionId}/items" in doc["paths"] or any("items" in p for p in doc["paths"])
    return f"openapi {doc['openapi']}, {len(doc['paths'])} paths"


def collections():
    ids = [c["id"] for c in w.collections()["collections"]]
    assert set(ids) >= {"parks", "zones", "parcels"}, ids
    fc = w.feature_collections()
    assert set(fc) >= {"parks", "zones", "parcels"}, fc
    return ids


def collection():
    c = w.collection("parcels")
    assert c["id"] == "parcels"
    bb = c["extent"]["spatial"]["bbox"][0]
    assert 116.5 < bb[0] < bb[2] < 116.8 and 27.4 < bb[1] < bb[3] < 27.7, bb
    assert any(l["rel"] == "items" for l in c["links"])
    return bb


def items_bbox():
    r = w.collection_items("parcels", limit=50, bbox=PARK_BBOX)
    assert r["type"] == "FeatureCollection"
    assert r["numberReturned"] == len(r["features"]) == min(50, r["numberMatched"]), (r["numberReturned"], len(r["features"]), r["numberMatched"])
    assert r["numberMatched"] > 50
    for f in r["features"]:
        check_feature(f)
    # a smaller bbox must return fewer
    small = w.collection_items("parcels", limit=1000, bbox=[116.6170, 27.5470, 116.6300, 27.5560])
    assert 0 < small["numberMatched"] < r["numberMatched"], small["numberMatched"]
    assert small["numberReturned"] == len(small["features"]) == small["numberMatched"]
    return f"bbox all={r['numberMatched']} small={small['numberMatched']}"


def property_filter():
    r = w.collection_items("parcels", status="available", limit=1000)
    assert r["numberMatched"] == len(r["features"]) > 0, (r["numberMatched"], len(r["features"]))
    assert all(f["properties"]["status"] == "available" for f in r["features"])
    total = w.collection_items("parcels", limit=1)["numberMatched"]
    assert r["numberMatched"] < total
    statuses = {}
    for f in w.collection_items("parcels", limit=10000)["features"]:
        statuses[f["properties"]["status"]] = statuses.get(f["properties"]["status"], 0) + 1
    assert statuses["available"] == r["numberMatched"], statuses
    return f"available={r['numberMatched']} of {total}; statuses={statuses}"


def paging():
    first = w.collection_items("parcels", limit=1)
    total = first["numberMatched"]
    seen, offset, pages = [], 0, 0
    while True:
        r = w.collection_items("parcels", limit=25, offset=offset)
        pages += 1
        # numberMatched is counted on the first page only (docs/performance.md).
        assert r.get("numberMatched", total) == total
        assert (offset == 0) == ("numberMatched" in r), offset
        assert r["numberReturned"] == len(r["features"])
        seen += [f["id"] for f in r["features"]]
        for f in r["features"]:
            check_feature(f)
        nxt = [l for l in r["links"] if l["rel"] == "next"]
        if not nxt:
            break
        offset += 25
        assert pages < 100
    assert len(seen) == total == len(set(seen)), (len(seen), total, len(set(seen)))
    # follow the server's own next link literally (as a GIS client would)
    import requests
    url = w.collection_items("parcels", limit=100)["links"]
    nxt = [l["href"] for l in url if l["rel"] == "next"][0]
    r2 = requests.get(nxt, headers=HEADERS, timeout=10)
    r2.raise_for_status()
    assert len(r2.json()["features"]) == total - 100
    return f"{total} unique ids in {pages} pages; next link OK"


def single_item():
    fid = w.collection_items("parcels", limit=1)["features"][0]["id"]
    f = w.collection_item("parcels", fid)
    assert f["id"] == fid
    check_feature(f)
    assert any(l["rel"] == "collection" for l in f.get("links", [])), "item has no collection link"
    return f"id={fid!r} ({type(fid).__name__}) code={f['properties']['code']}"


def other_collections():
    out = []
    for cid in ("parks", "zones"):
        r = w.collection_items(cid, limit=100)
        assert r["numberMatched"] == len(r["features"]) > 0
        fid = r["features"][0]["id"]
        assert w.collection_item(cid, fid)["id"] == fid
        out.append(f"{cid}={r['numberMatched']}")
    return ", ".join(out)


def missing_item_is_error():
    try:
        w.collection_item("parcels", "999999")
    except RuntimeError as e:
        return f"RuntimeError as expected: {str(e)[:120]}"
    raise AssertionError("no error for missing item")


for name, fn in [("landing", landing), ("conformance", conformance), ("api (openapi.json)", api),
                 ("collections", collections), ("collection('parcels')", collection),
                 ("collection_items bbox+limit", items_bbox), ("property filter status=available", property_filter),
                 ("paging all parcels", paging), ("collection_item", single_item),
                 ("parks/zones items", other_collections), ("missing item -> 404", missing_item_is_error)]:
    check(name, fn)

failed = [r for r in results if not r[1]]
print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
