#!/usr/bin/env python3
"""Record land supply for a benchmark park over HTTP, as a bureau would: enterprises, then a
supply contract and its development facts for every `supplied` parcel, in a mix of states
(not started, started, stopped, completed, producing). Deterministic; 4 client threads.

Usage: gen_supplies.py BASE_URL PARK_ID   (PARKLAND_TOKEN in the environment)"""
import json, os, random, sys, threading, urllib.request

base, park = sys.argv[1].rstrip("/"), int(sys.argv[2])
headers = {"Authorization": f"Bearer {os.environ['PARKLAND_TOKEN']}", "Content-Type": "application/json"}


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(n):
    stem = f"91361021MA3{n:06d}"
    total = sum(ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(stem))
    return stem + ALPHABET[(31 - total % 31) % 31]


enterprises = [call("POST", "/api/enterprises", {"name": f"基准测试企业{n:03d}有限公司", "uscc": uscc(n), "industry": "C3911"})["id"]
               for n in range(200)]
ids, offset = [], 0
while True:
    page = call("GET", f"/collections/parcels/items?park_id={park}&status=supplied&limit=10000&offset={offset}")
    ids += [f["id"] for f in page["features"]]
    offset += 10000
    if offset >= page["numberMatched"]:
        break


def facts_for(i, area):
    rnd = random.Random(i)
    state = rnd.choice(["not_started", "not_started", "started", "stopped", "completed", "producing"])
    facts = []
    if state == "not_started":
        return facts
    facts += [{"kind": "construction_permit", "date": "2023-01-20", "permit_no": f"P{i}"},
              {"kind": "start", "date": "2023-02-10", "evidence": "piles_driven"},
              {"kind": "progress", "date": "2023-06-01", "developed_area_m2": round(area * 0.2, 2), "investment_yuan": 2_000_000}]
    if state == "stopped":
        facts.append({"kind": "stoppage", "date": "2023-07-01"})
    if state in ("completed", "producing"):
        facts.append({"kind": "completion", "date": "2024-06-30", "built_floor_area_m2": round(area * 1.3, 2), "building_coefficient_pct": 40.0})
    if state == "producing":
        facts.append({"kind": "production", "date": "2024-10-01"})
    return facts


def work(chunk):
    for i in chunk:
        terms = {"enterprise_id": enterprises[i % len(enterprises)], "method": "transfer_listing",
                 "contract_no": f"基准出让〔2022〕{i}号", "contract_date": "2022-06-01", "land_price_yuan": 400_000 + i,
                 "term_years": 50, "agreed_start": "2023-03-01", "agreed_completion": "2024-12-31",
                 "agreed_production": "2025-06-30", "total_investment_yuan": 10_000_000,
                 "indicators": {"far": 1.2, "tax_per_mu_wan": 15.0}}
        s = call("POST", f"/api/parcels/{i}/supplies", terms)
        for f in facts_for(i, s["land_area_m2"]):
            call("POST", f"/api/supplies/{s['id']}/facts", f)


threads = [threading.Thread(target=work, args=(ids[k::4],)) for k in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"{len(ids)} supplies recorded")
