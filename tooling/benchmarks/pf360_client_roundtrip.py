"""Client → simulator round trip over loopback: p50/p95 per operation (target: p50 < 5 ms).

    python tooling/benchmarks/pf360_client_roundtrip.py [--rounds 300]

Each round walks projects → dates → slots → confirm → cancel through the real HTTP client (pooled
keep-alive connections, schema validation on both sides) against an in-process simulator thread.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from pf360_client import Settings, build_client
from pf360_client.credentials import StaticToken
from pf360_client.fake.data import DEMO_CLIENT, DEMO_CUSTOMER
from scheduling_tooling.pf360_sim.server import DEFAULT_TOKEN, SimulatorServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    samples: dict[str, list[float]] = defaultdict(list)

    @contextmanager
    def timed(name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        samples[name].append((time.perf_counter() - started) * 1000)

    with SimulatorServer() as server:
        settings = Settings.from_env(
            {
                "USE_MOCK_API": "false",
                "API_BASE_URL": server.url,
                "PF360_CREDENTIALS_SECRET": "unused",
                "ENABLE_REAL_CONFIRM": "true",
                "ENABLE_REAL_CANCEL": "true",
            }
        )
        client = build_client(settings, credentials=StaticToken(DEFAULT_TOKEN))
        client.get_projects(DEMO_CLIENT, DEMO_CUSTOMER)  # warm-up: schemas compiled, connection open
        started = time.perf_counter()
        for _ in range(args.rounds):
            with timed("get_projects"):
                client.get_projects(DEMO_CLIENT, DEMO_CUSTOMER)
            with timed("get_available_dates"):
                dates = client.get_available_dates(DEMO_CLIENT, "12345")
            with timed("get_time_slots"):
                slots = client.get_time_slots(DEMO_CLIENT, "12345", dates.dates[0], dates.request_id)
            with timed("confirm_appointment"):
                client.confirm_appointment(DEMO_CLIENT, "12345", slots.date, slots.slots[0], slots.request_id)
            with timed("cancel_appointment"):
                client.cancel_appointment(DEMO_CLIENT, "12345")
        wall = time.perf_counter() - started

    everything = [v for values in samples.values() for v in values]
    print(f"{'operation':<22}{'calls':>7}{'p50 ms':>9}{'p95 ms':>9}")
    for name, values in [*samples.items(), ("all", everything)]:
        q = statistics.quantiles(values, n=20)
        print(f"{name:<22}{len(values):>7}{statistics.median(values):>9.2f}{q[18]:>9.2f}")
    print(
        f"{len(everything)} calls in {wall:.2f} s ({len(everything) / wall:.0f} calls/s, one client thread)"
    )
    verdict = "meets" if statistics.median(everything) < 5 else "MISSES"
    print(f"p50 {statistics.median(everything):.2f} ms {verdict} the 5 ms target")


if __name__ == "__main__":
    main()
