"""Rule-engine throughput: the tier of 245,000 people in-process, and `casework rules tier` end to end.

Targets (issue 3): in-process recalculation of 245,000 tiers under 5 s; the CLI on a 245,000-line
file under 20 s. Run: ``.venv/bin/python -m benchmarks.rules_bench [--people N]``.

``engine_seconds`` times ``calculate_tier`` with its explanation (the default, as before);
``engine_tiers_only_seconds`` with ``explain=False`` (tiers, levels, points and flags only);
``contract_seconds`` times ``handle`` (JSON request in, response with explanation out). The load
average when the run started is recorded: on a shared machine the times move with it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time

from casework.rules import tiering

NEEDS = ["ACCOMMODATION", "EDUCATION_TRAINING_EMPLOYMENT", "RELATIONSHIPS", "LIFESTYLE_AND_ASSOCIATES",
         "DRUG_MISUSE", "ALCOHOL_MISUSE", "THINKING_AND_BEHAVIOUR", "ATTITUDES", "FINANCE", "EMOTIONAL_WELLBEING"]
COMPLEXITY = ["RMDO", "ALSH", "RVLN", "RCCO", "RCPR", "RCHD", "RPIR", "RVAD", "STRG", "RTAO"]


def tier_requests(n: int, seed: int = 2026) -> list[dict]:
    """``n`` realistic tier requests shaped by scale.md (RoSH 30/50/18/2, MAPPA 2/3 ~2%, women 1 in 10)."""
    rng = random.Random(seed)
    requests = []
    for _ in range(n):
        rosh = rng.choices(["LOW", "MEDIUM", "HIGH", "VERY_HIGH", None], [30, 50, 17, 2, 1])[0]
        regs = sorted(set(rng.sample(COMPLEXITY, rng.choice([0, 0, 0, 1, 1, 2]))
                          + (["ADVP"] if rng.random() < 0.3 else []) + (["IIOM"] if rng.random() < 0.05 else [])))
        female = rng.random() < 0.1
        mappa = None
        r = rng.random()
        if r < 0.02:
            mappa = {"level": rng.choice([2, 3]), "category": rng.choice([1, 2, 3])}
        elif r < 0.08:
            mappa = {"level": 1, "category": rng.choice([1, 2])}
        request = {
            "as_of": "2026-11-27",
            "gender": "FEMALE" if female else "MALE",
            "active_sentence": rng.random() < 0.97,
            "rosh": rosh,
            "rsr": round(rng.uniform(0.1, 12), 2) if rng.random() < 0.9 else None,
            "mappa": mappa,
            "registrations": regs,
            "ogrs": rng.randint(1, 99) if rng.random() < 0.95 else None,
            "assessment": {"needs": {k: rng.choice(["NO_NEED", "STANDARD", "SEVERE"]) for k in NEEDS}}
            if rng.random() < 0.9 else None,
            "mandate_for_change": rng.random() < 0.85,
            "predictors": {"arp": round(rng.uniform(0, 99), 1), "arp_static": rng.random() < 0.2,
                           "csrp": round(rng.uniform(0, 9), 2), "csrp_static": rng.random() < 0.2, "dc_srp": None},
            "lifer_release_date": None,
            "sexual_offence_history": rng.random() < 0.08,
            "unsupervised": rng.random() < 0.05,
        }
        if female:
            request["women"] = {"parenting": rng.random() < 0.5, "impulsivity_or_temper": rng.random() < 0.3,
                                "breach_or_recall_last_year": rng.random() < 0.2}
        requests.append(request)
    return requests


def machine() -> str:
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=245_000)
    args = parser.parse_args(argv)
    requests = tier_requests(args.people)
    as_of = dt.date(2026, 11, 27)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    parsed = [tiering.read_request(r)[0] for r in requests]
    start = time.perf_counter()
    for inputs in parsed:
        tiering.calculate_tier(inputs, as_of=as_of)
    engine_s = time.perf_counter() - start

    start = time.perf_counter()
    for inputs in parsed:
        tiering.calculate_tier(inputs, as_of=as_of, explain=False)
    engine_tiers_only_s = time.perf_counter() - start

    start = time.perf_counter()
    for request in requests:
        tiering.handle(request)
    contract_s = time.perf_counter() - start

    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
        for request in requests:
            handle.write(json.dumps(request))
            handle.write("\n")
        path = handle.name
    start = time.perf_counter()
    with open(path) as stdin:
        done = subprocess.run([sys.executable, "-m", "casework.cli", "rules", "tier"], stdin=stdin,
                              stdout=subprocess.DEVNULL, check=False)
    cli_s = time.perf_counter() - start
    os.unlink(path)

    results = {
        "people": args.people,
        "engine_seconds": round(engine_s, 2),
        "engine_tiers_only_seconds": round(engine_tiers_only_s, 2),
        "contract_seconds": round(contract_s, 2),
        "cli_seconds": round(cli_s, 2),
        "cli_exit": done.returncode,
        "machine": machine(),
        "load_average": None if load is None else round(load, 2),
        "date": dt.date.today().isoformat(),
    }
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
