"""The load of `make bench`: simultaneous users over HTTP on loopback, each one family after another for a bounded
time, driving the forms by their labels as the functional tests do (GET the page, read its CSRF token, POST).

Users are threads spread over a few processes: one Python process parsing every page would be the bottleneck
(the GIL), not the server. Each request is timed on the client, from sending to the last byte of its body,
redirects timed apart (a POST and the GET it redirects to are two pages)."""

import multiprocessing
import os
import threading
import time
import traceback
from collections import defaultdict
from urllib.parse import urljoin

import requests

from ..concurrency import browsers, families
from ..formclient import Browser
from .servers import page_key

TIMEOUT = 60


class TimedClient(browsers.HttpClient):
    """The test client's get/post over HTTP (formclient.Browser drives it), every request and redirect timed."""

    def __init__(self, base_url: str, record):
        super().__init__(base_url, requests.Session())
        self.record = record

    def _send(self, method: str, url: str, follow_redirects: bool, **body):
        url, history = urljoin(self.base_url, url), []
        while True:
            started = time.perf_counter()
            response = self.session.request(method, url, allow_redirects=False, timeout=TIMEOUT, **body)
            response.content  # noqa: B018 - the body, read before the clock stops
            self.record(page_key(method, response.request.path_url), time.perf_counter() - started, response)
            if not (follow_redirects and response.is_redirect):
                break
            history.append(response)
            url, method, body = urljoin(response.url, response.headers["Location"]), "GET", {}
        response.history = history
        return browsers._Response(response)

    def get(self, url: str, follow_redirects: bool = True):
        return self._send("GET", url, follow_redirects)

    def post(self, url: str, data: dict, follow_redirects: bool = True, content_type: str | None = None):
        files = {name: (value[1], value[0]) for name, value in data.items() if isinstance(value, tuple)}
        fields = {name: value for name, value in data.items() if not isinstance(value, tuple)}
        return self._send("POST", url, follow_redirects, data=fields, files=files or None)


def pass_famille(browser) -> bool:
    """DUPONT through the CAF, her facts confirmed: « Votre demande est envoyée »."""
    return families.pass_famille_through_caf(browser).h1 == "Votre demande est envoyée"


def both(browser) -> bool:
    """LEFEBVRE through the CAF, « Les deux », a child added, a crèche wished, a proof of address: both sent."""
    return families.both_recap(browser).submit("Envoyer ma demande").h1 == "Vos demandes sont envoyées"


def bare(browser) -> bool:
    """Ten views of the bare page on one connection, about as many requests as a journey makes."""
    return all(browser.get("/").status == 200 for _ in range(10))


SCENARIOS = {"pass_famille": pass_famille, "both": both, "bare": bare}


def _user(base_url: str, scenario, deadline: float, out: dict, lock: threading.Lock) -> None:
    """One user: a new family (new browser, no cookie) after another until the deadline; the last one finishes."""
    while time.monotonic() < deadline:
        requests_made = []

        def record(key, seconds, response, made=requests_made):
            made.append((key, seconds, response.status_code))

        browser = Browser(TimedClient(base_url, record))
        started = time.perf_counter()
        try:
            done, error = scenario(browser), None
        except Exception as failure:  # an assertion of the journey (unexpected page) or a network error
            done, error = False, f"{type(failure).__name__}: {failure}"[:500]
            if not isinstance(failure, AssertionError | requests.RequestException):
                error += "\n" + traceback.format_exc(limit=3)[-800:]
        finally:
            browser.client.session.close()
        with lock:
            for key, seconds, status in requests_made:
                out["timings"][key].append(seconds)
                if status >= 500 or status in (400, 403, 404, 429):
                    out["statuses"][f"{status} {key}"] += 1
            if done:
                out["journeys"].append(time.perf_counter() - started)
            else:
                out["failures"].append(error or f"page inattendue après {requests_made[-1:]}")


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def _process(base_url: str, scenario_name: str, users: int, seconds: float, start, results) -> None:
    """`users` users in threads of this process for `seconds` from the moment every process is ready (`start`, a
    barrier); puts what they measured, and the CPU time the process spent, on the `results` queue."""
    out = {"timings": defaultdict(list), "statuses": defaultdict(int), "journeys": [], "failures": []}
    lock = threading.Lock()
    start.wait()
    cpu, deadline = _cpu(), time.monotonic() + seconds
    threads = [
        threading.Thread(target=_user, args=(base_url, SCENARIOS[scenario_name], deadline, out, lock), daemon=True)
        for _ in range(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 5 * TIMEOUT)
    results.put({**out, "timings": dict(out["timings"]), "statuses": dict(out["statuses"]), "cpu": _cpu() - cpu})


def run(base_url: str, scenario_name: str, users: int, seconds: float, processes: int) -> dict:
    """The scenario for `seconds` with `users` simultaneous users; merged timings, journeys, wall-clock time."""
    shares = [share for i in range(processes) if (share := users // processes + (i < users % processes))]
    # Clean children (no engine, no thread of the parent), which import this module first: the clock starts once
    # they all are ready.
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(len(shares) + 1), context.Queue()
    children = [
        context.Process(target=_process, args=(base_url, scenario_name, share, seconds, start, results))
        for share in shares
    ]
    for child in children:
        child.start()
    start.wait(timeout=120)
    started = time.monotonic()
    parts = [results.get(timeout=seconds + 10 * TIMEOUT) for _ in children]
    elapsed = time.monotonic() - started
    for child in children:
        child.join()
    merged = {"timings": defaultdict(list), "statuses": defaultdict(int), "journeys": [], "failures": []}
    merged["client_cpu_seconds"] = round(sum(part["cpu"] for part in parts), 1)
    for part in parts:
        for key, values in part["timings"].items():
            merged["timings"][key].extend(values)
        for key, count in part["statuses"].items():
            merged["statuses"][key] += count
        merged["journeys"].extend(part["journeys"])
        merged["failures"].extend(part["failures"])
    return {**merged, "elapsed": elapsed}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(result: dict) -> dict:
    """Per page p50/p95 (ms) and count; requests and journeys per second over the whole run."""
    pages = {
        key: {
            "count": len(values),
            "p50_ms": round(percentile(values, 0.5) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
        }
        for key, values in result["timings"].items()
    }
    every = [v for values in result["timings"].values() for v in values]
    return {
        "seconds": round(result["elapsed"], 1),
        "requests": len(every),
        "requests_per_second": round(len(every) / result["elapsed"], 1),
        "journeys": len(result["journeys"]),
        "journeys_per_second": round(len(result["journeys"]) / result["elapsed"], 2),
        "journey_p50_ms": round(percentile(result["journeys"], 0.5) * 1000) if result["journeys"] else None,
        "p50_ms": round(percentile(every, 0.5) * 1000, 1) if every else None,
        "p95_ms": round(percentile(every, 0.95) * 1000, 1) if every else None,
        "pages": pages,
        "error_statuses": result["statuses"],
        "failures": len(result["failures"]),
        "client_cpu_seconds": result["client_cpu_seconds"],
        "failure_examples": sorted(set(result["failures"]))[:5],
    }
