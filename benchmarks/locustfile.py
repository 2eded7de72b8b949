"""Load run: practitioners sign in through the real sign-in form, then browse caseload, cases, contacts, search.

Run by ``benchmarks.run`` against gunicorn on 127.0.0.1 (``LOCUST_USERNAMES``: comma-separated
practitioners who hold cases; every generated account shares the demo password).
"""

from __future__ import annotations

import itertools
import os
import random
import re

from locust import HttpUser, between, task

USERNAMES = itertools.cycle(os.environ.get("LOCUST_USERNAMES", "po").split(","))
PASSWORD = os.environ.get("LOCUST_PASSWORD", "casework-demo")
CRN = re.compile(r'href="/cases/([A-Z]\d{6})/"')
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SURNAMES = ("smith", "jones", "taylor", "brown", "williams", "wilson", "evans", "khan", "patel", "walker")


class Practitioner(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        self.username = next(USERNAMES)
        form = self.client.get("/sign-in/", name="sign-in form").text
        # The CSRF token is kept in the session (CSRF_USE_SESSIONS), so it is read from the form.
        found = CSRF_TOKEN.search(form)
        token = found.group(1) if found else ""
        with self.client.post("/sign-in/", name="sign-in", catch_response=True,
                              data={"csrfmiddlewaretoken": token, "username": self.username,
                                    "password": PASSWORD}) as response:
            if "/sign-in/" in response.url:
                response.failure(f"sign-in refused for {self.username}")
        self.crns = CRN.findall(self.client.get("/caseload/", name="caseload").text) or []

    @task(3)
    def caseload(self):
        page = self.client.get("/caseload/", name="caseload")
        self.crns = CRN.findall(page.text) or self.crns

    @task(4)
    def case(self):
        if self.crns:
            self.client.get(f"/cases/{random.choice(self.crns)}/", name="case overview")

    @task(3)
    def contacts(self):
        if self.crns:
            self.client.get(f"/cases/{random.choice(self.crns)}/contacts/", name="case contacts")

    @task(2)
    def search(self):
        self.client.get(f"/search/?q={random.choice(SURNAMES)}", name="search by surname")
        if self.crns:
            self.client.get(f"/search/?q={random.choice(self.crns)}", name="search by CRN")
