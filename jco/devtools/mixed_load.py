"""The mixed load of ``make bench``: many simulated users reading and writing at once, with locust.

Run by :mod:`jco.devtools.bench` in a process of its own, because locust patches the standard
library for gevent as soon as it is imported, and the bench's own client threads, subprocesses and
database drivers are better left unpatched. It reads its instructions as JSON on stdin (so the
session cookie and the API tokens never show in a process list) and prints its figures as JSON on
the last line of stdout:

    {"host": "http://127.0.0.1:PORT", "users": 20, "seconds": 60, "cookie": "...", "csrf": "...",
     "tokens": ["jco_..."], "jco_ids": [1, 2], "results_jco_ids": [3], "meeting_ids": [4],
     "document_numbers_from": 10001, "delegates": [{"token": "jco_...", "rounds": [5, 6]}]}

Each user thinks 0.5–1.5 s between two requests, as a person clicking through pages would. Nine in
ten requests read (the register, JCO pages, the dashboard, My deadlines, the calendar feed, and the
API's register and JCOs); one in ten writes, in turn: a result row and a delegation's written
comment through ``/api/v1`` with a token, an agenda item and a document through their pages' forms
(with the session's CSRF token, as the browser sends them). Every successful write is a row the
bench can count in the database afterwards: results of the commodity ``bench seizures``, comments
``Bench comment …``, agenda items ``Bench item …``, documents ``Bench note …``.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import itertools  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
from collections import Counter  # noqa: E402

import gevent  # noqa: E402
from locust import HttpUser, between, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

PLAN: dict = {}
WRITES: Counter = Counter()
STATUSES: Counter = Counter()
USER_NUMBERS = itertools.count()
DOCUMENT_NUMBERS = itertools.count()


class Colleague(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.client.headers["Cookie"] = PLAN["cookie"]
        number = next(USER_NUMBERS)
        self.token = PLAN["tokens"][number % len(PLAN["tokens"])]
        # Each user records the results of an operation of its own, as a lead delegation does: two
        # writes to the same operation's results at the same instant are refused (409) by design.
        self.results_jco = PLAN["results_jco_ids"][number % len(PLAN["results_jco_ids"])]
        # A meeting of its own too: two items put on one agenda at the same instant race for a position.
        self.meeting = PLAN["meeting_ids"][number % len(PLAN["meeting_ids"])]
        self.number = number
        # A delegation of its own, and the rounds it has not commented on yet: each comment is a new one.
        delegate = PLAN["delegates"][number] if number < len(PLAN["delegates"]) else {"token": "", "rounds": []}
        self.delegate_token, self.rounds = delegate["token"], list(delegate["rounds"])
        self.sent = 0

    def _api(self) -> dict:
        # None drops the session's cookie: the API answers tokens only.
        return {"Authorization": f"Bearer {self.token}", "Cookie": None}

    @task
    def next_request(self) -> None:
        # Every tenth request of each user writes, its first included: exactly one in ten, and a
        # short run writes too.
        self.sent += 1
        if self.sent % 10 == 1:
            write = WRITE_KINDS[(self.sent // 10 + self.number) % len(WRITE_KINDS)]
            write(self)
        else:
            read = random.choices(READS, weights=[weight for _, weight in READS])[0][0]
            read(self)

    def _read(self, path: str, name: str, headers: dict | None = None) -> None:
        # Redirects are not followed: a read that ends on the login page is an error, not a page.
        with self.client.get(path, headers=headers, name=name, allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    def register(self) -> None:
        self._read("/jcos", "/jcos")

    def jco_page(self) -> None:
        self._read(f"/jcos/{random.choice(PLAN['jco_ids'])}", "/jcos/<id>")

    def dashboard(self) -> None:
        self._read("/dashboard", "/dashboard")

    def my_deadlines(self) -> None:
        self._read("/deadlines", "/deadlines")

    def calendar_feed(self) -> None:
        self._read("/calendar.ics", "/calendar.ics")

    def api_register(self) -> None:
        self._read("/api/v1/jcos?per_page=20", "/api/v1/jcos", self._api())

    def api_jco(self) -> None:
        self._read(f"/api/v1/jcos/{random.choice(PLAN['jco_ids'])}", "/api/v1/jcos/<id>", self._api())

    def record_result(self) -> None:
        row = {"country": random.choice(["LV", "PL", "DE", "FR", "EE"]), "commodity": "bench seizures",
               "quantity": random.randint(1, 1000), "unit": "pieces"}
        with self.client.post(f"/api/v1/jcos/{self.results_jco}/results",
                              json={"rows": [row]}, headers=self._api(), name="write: result (API)",
                              catch_response=True) as response:
            if response.status_code == 201:
                WRITES["results"] += 1
            else:
                response.failure(f"HTTP {response.status_code}")

    def send_comment(self) -> None:
        if not self.rounds:  # every round commented on: a result instead, so that the mix stays
            self.record_result()
            return
        round_id = self.rounds.pop(0)
        with self.client.post(f"/api/v1/rounds/{round_id}/comments",
                              json={"body": f"Bench comment {random.randint(1, 10**6)}", "version": 0},
                              headers={"Authorization": f"Bearer {self.delegate_token}", "Cookie": None},
                              name="write: comment (API)", catch_response=True) as response:
            if response.status_code == 201:
                WRITES["comments"] += 1
            else:
                response.failure(f"HTTP {response.status_code}")

    def _post_form(self, path: str, fields: dict, kind: str, name: str) -> None:
        # A form that worked answers with a redirect; one that did not shows itself again (200 or 400).
        with self.client.post(path, data={"csrf_token": PLAN["csrf"], **fields}, allow_redirects=False,
                              name=name, catch_response=True) as response:
            if response.status_code in (302, 303):
                WRITES[kind] += 1
            else:
                response.failure(f"HTTP {response.status_code}, not a redirect")

    def add_agenda_item(self) -> None:
        self._post_form(f"/meetings/{self.meeting}/items",
                        {"title": f"Bench item {random.randint(1, 10**6)}", "jco_id": "0", "purpose": "information",
                         "documents": ""}, "agenda items", "write: agenda item (page)")

    def register_document(self) -> None:
        number = PLAN["document_numbers_from"] + next(DOCUMENT_NUMBERS)
        self._post_form("/documents/new",
                        {"reference": f"{number}/25", "title": f"Bench note {number}", "doc_type": "note",
                         "marking": "LIMITE", "doc_date": "", "subject_codes": "", "previous_reference": ""},
                        "documents", "write: document (page)")


WRITE_KINDS = [Colleague.record_result, Colleague.send_comment, Colleague.add_agenda_item,
               Colleague.register_document]
# The reads and how often each comes, as people use the tracker: JCO pages and the register most.
READS = [
    (Colleague.register, 20), (Colleague.jco_page, 27), (Colleague.dashboard, 15), (Colleague.my_deadlines, 13),
    (Colleague.calendar_feed, 9), (Colleague.api_register, 8), (Colleague.api_jco, 8),
]


@events.request.add_listener
def _count_status(response=None, exception=None, **_kwargs) -> None:
    STATUSES[str(getattr(response, "status_code", 0) if exception is None else "no answer")] += 1


def run(plan: dict) -> dict:
    PLAN.update(plan)
    # stop_timeout: at the end each user finishes the request it is making. Killed mid-request, a
    # write the server completes would be in the database without the load knowing it was sent.
    environment = Environment(user_classes=[Colleague], host=plan["host"], events=events, stop_timeout=30)
    runner = environment.create_local_runner()
    runner.start(plan["users"], spawn_rate=plan["users"])
    gevent.spawn_later(plan["seconds"], runner.quit)
    runner.greenlet.join()
    total = environment.stats.total
    return {
        "users": plan["users"], "seconds": plan["seconds"],
        "requests": total.num_requests, "failures": total.num_failures,
        "rps": round(total.total_rps, 1),
        "p50_ms": round(total.get_response_time_percentile(0.5) or 0, 1),
        "p95_ms": round(total.get_response_time_percentile(0.95) or 0, 1),
        "statuses": dict(STATUSES),
        "errors": {f"{e.method} {e.name}: {e.error}": e.occurrences for e in environment.stats.errors.values()},
        "writes": dict(WRITES),
        # Which requests the time goes to, under load.
        "routes": {f"{entry.method} {entry.name}": {
            "requests": entry.num_requests, "failures": entry.num_failures,
            "p50_ms": round(entry.get_response_time_percentile(0.5) or 0, 1),
            "p95_ms": round(entry.get_response_time_percentile(0.95) or 0, 1),
        } for entry in environment.stats.entries.values()},
    }


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.stdin.read()))), flush=True)
