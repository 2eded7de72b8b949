"""No input gives a server error: every page, every query parameter it reads, every form it posts.

First the findings of the security review, one test each (each failed before the fix). Then the
systematic part: every page route is read from the URLconf, and the parameters it reads are found
by running it (a recording middleware notes each ``request.GET`` and ``request.POST`` key the
code asks for) together with the fields of the forms on the page, until no new ones turn up.
Hypothesis then sends arbitrary text, long numbers, odd Unicode and repeated keys in each of them,
signed in as someone the page is for, and every answer must be below 500 and pass the page checks
(``tests/pagecheck.py``: an error summary whenever a field shows an error, and the rest).
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import resolve, reverse
from django.urls.converters import IntConverter, StringConverter
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from casework.audit.models import AuditEvent
from casework.record.models import Contact
from casework.web.forms import EARLIEST_DATE, LATEST_DATE
from tests import factories
from tests.access.test_permissions import iter_routes
from tests.pagecheck import PageProblem, check_page

EXAMPLES = 25
HUGE = "9" * 20

# Findings: each of these was a server error.


@pytest.fixture
def case(po):
    return factories.AllocatedCaseFactory(manager=po)


@pytest.mark.django_db
@pytest.mark.parametrize("query, message", [
    pytest.param(",,", "Enter a name, CRN or PNC number", id="only-commas"),
    pytest.param(", ,", "Enter a name, CRN or PNC number", id="commas-and-space"),
    pytest.param("\U0010ffff\U0010ffff", None, id="highest-code-point"),
    pytest.param("ab\U0010ffff", None, id="ends-in-highest-code-point"),
    pytest.param("\ud7ff\ud7ff", None, id="last-before-surrogates"),
])
def test_search_queries_that_failed(signed_in, po, query, message):
    response = signed_in(po).get(reverse("search"), {"q": query})
    assert response.status_code == 200
    if message:
        assert message.encode() in response.content and b"govuk-error-summary" in response.content
    else:
        assert response.context["results"] == [] or response.context["results"] is None


def date_parts(prefix: str, day: str, month: str, year: str) -> dict:
    return {f"{prefix}_0": day, f"{prefix}_1": month, f"{prefix}_2": year}


REAL_DATE = "must be a real date"


@pytest.mark.django_db
@pytest.mark.parametrize("parts", [
    pytest.param((HUGE, "1", "2020"), id="huge-day"),
    pytest.param(("1", HUGE, "2020"), id="huge-month"),
    pytest.param(("³", "1", "2020"), id="superscript-digit"),
])
def test_contact_filter_dates_that_failed(signed_in, po, case, parts):
    response = signed_in(po).get(reverse("case-contacts", args=[case.crn]), date_parts("date_from", *parts))
    assert response.status_code == 200
    assert f"The from date {REAL_DATE}".encode() in response.content


@pytest.mark.django_db
def test_contact_form_with_a_huge_month(signed_in, po, case):
    data = {"kind": "OFFICE_APPOINTMENT", "time": "10:00", **date_parts("date", "1", HUGE, "2026")}
    response = signed_in(po).post(reverse("contact-new", args=[case.crn]), data)
    assert response.status_code == 200
    assert f"The date {REAL_DATE}".encode() in response.content
    assert not Contact.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_personal_details_with_a_huge_day(signed_in, po, case):
    from tests.web.test_forms import details

    data = details(case, **date_parts("date_of_birth", HUGE, "3", "1990"))
    response = signed_in(po).post(reverse("personal-details-edit", args=[case.crn]), data)
    assert response.status_code == 200
    assert f"The date of birth {REAL_DATE}".encode() in response.content


@pytest.fixture
def admin(db):
    return factories.AdminStaffFactory()


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["audit-log", "audit-export"])
@pytest.mark.parametrize("parts, message", [
    pytest.param((HUGE, "1", "2020"), f"The to date {REAL_DATE}", id="huge-day"),
    pytest.param(("31", "12", "9999"), "The to date must be between 1 January 1900 and 31 December 2099",
                 id="year-9999"),
])
def test_audit_filter_dates_that_failed(signed_in, admin, page, parts, message):
    response = signed_in(admin).get(reverse(page), date_parts("date_to", *parts))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")  # the page with the error, not an export
    assert message.encode() in response.content
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["audit-log", "audit-export"])
def test_the_widest_audit_date_range_is_accepted(signed_in, admin, page):
    latest, earliest = LATEST_DATE, EARLIEST_DATE
    query = {**date_parts("date_from", str(earliest.day), str(earliest.month), str(earliest.year)),
             **date_parts("date_to", str(latest.day), str(latest.month), str(latest.year))}
    response = signed_in(admin).get(reverse(page), query)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200 and b"govuk-error-summary" not in body
    assert latest + dt.timedelta(days=1) < dt.date.max  # the end of a "to" filter is still a date


# The systematic part.

PAGE_ROUTES = [(pattern, entry.name) for pattern, entry in iter_routes()
               if not pattern.startswith(("admin/", "api/"))]
CONVERTERS = {entry.name: entry.pattern.converters for _, entry in iter_routes()}
# URL arguments of routes the world does not know yet (a route added since): a value of the right kind,
# which most likely names nothing (a 404), so at least the not-found answer is fuzzed.
FALLBACK = {IntConverter: 1, StringConverter: "x"}
# Who fuzzes each page: the first of these who is not refused it (a 403 or a redirect to sign in).
SPECIAL_USERS = {"login": "anonymous", "accessibility": "anonymous", "two-factor": "password-only",
                 "enforcement-decision": "spo"}  # the SPO sees the oversight form
USERS = ["po", "spo", "admin", "qa"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            team = factories.TeamFactory()
            po = factories.StaffFactory(team=team)
            spo = factories.SpoFactory(team=team)
            case = factories.AllocatedCaseFactory(manager=po)
            factories.CommunityOrderFactory(case=case)
            contact = factories.AppointmentFactory(case=case)
            registration = factories.RegistrationFactory(case=case)
            password_only = factories.StaffFactory(team=team)
            reduction = factories.ReductionFactory(staff=po)  # the workforce pages' reduction of po
            factories.authenticator_for(password_only.user)
            # A recall of the case waiting for po's recommendation: its page fuzzes the recommendation form.
            from casework.rules.recall_workflow import Actor, State
            from tests.recall.support import written_recall

            licence = factories.LicenceFactory(case=case)
            recall = written_recall(case, licence, State.SPO_OVERSIGHT,
                                    people={Actor.PRACTITIONER: po, Actor.SPO: spo})
            # A licence decision by po waiting for the SPO's oversight: its page fuzzes the oversight form.
            from casework.enforcement.models import EnforcementDecision

            decision = EnforcementDecision.objects.create(
                case=case, sentence=licence, kind="INCREASED_REPORTING", decided_on=dt.date.today(),
                rationale="Weekly", recorded_by=po, recorded_at=dt.datetime.now(dt.UTC), oversight="AWAITING")
            # A quality assurance exercise of the PDU with po's case in its sample, allocated to qa to assess.
            from casework.quality.models import Exercise, SampledCase

            qa = factories.QualityAssuranceFactory()
            factories.grant(qa, "QUALITY_ASSURANCE", region=team.pdu.region)
            exercise = Exercise.objects.create(
                name="Fuzz", framework="PROBATION_2018", case_standards=["2.1"], pdu=team.pdu, seed=1,
                window_start=dt.date(2026, 1, 1), window_end=dt.date(2026, 6, 30), as_of=dt.date(2026, 9, 1),
                status="SAMPLED", created_by=qa)
            sampled = SampledCase.objects.create(exercise=exercise, case=case, stratum="MALE_COMMUNITY_HIGHER",
                                                 role="SAMPLE", position=0, practitioner=po,
                                                 practitioner_name=po.name, grade="PO", team=team, assessor=qa)
            yield {"users": {"po": po.user, "spo": spo.user, "admin": factories.AdminStaffFactory().user,
                             "password-only": password_only.user, "qa": qa.user},
                   "kwargs": {"crn": case.crn, "code": team.code, "contact_id": contact.pk,
                              "registration_id": registration.pk, "staff_code": po.code,
                              "reduction_id": reduction.pk, "membership_id": po.memberships.get().pk,
                              "recall_id": recall.pk, "decision_id": decision.pk, "exercise_id": exercise.pk,
                              "sampled_id": sampled.pk, "standard": "1.1"}}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


class RecordingQueryDict(QueryDict):
    """A copy of a request's GET or POST that notes every key the code reads."""

    def __init__(self, original: QueryDict, seen: set[str]):
        super().__init__(mutable=True)
        for key, values in original.lists():
            self.setlist(key, values)
        self._mutable = False
        self.seen = seen

    def __getitem__(self, key):
        self.seen.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.seen.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self.seen.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self.seen.add(key)
        return super().__contains__(key)

    def __copy__(self):
        return self._plain()

    def __deepcopy__(self, memo):
        return self._plain()

    def _plain(self) -> QueryDict:
        copy = QueryDict(mutable=True)
        for key, values in self.lists():
            copy.setlist(key, list(values))
        return copy


READ: dict[str, set[str]] = {"GET": set(), "POST": set()}


class RecordingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = RecordingQueryDict(request.GET, READ["GET"])
        if request.method == "POST":
            request.POST = RecordingQueryDict(request.POST, READ["POST"])
        return self.get_response(request)


class FormFields(HTMLParser):
    """The forms on a page: method, action and each field's name with its default value."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (attrs.get("method") or "get").upper(), "action": attrs.get("action") or "",
                               "fields": {}})
        elif tag in ("input", "select", "textarea") and self.forms and attrs.get("name"):
            fields = self.forms[-1]["fields"]
            if attrs.get("type") in ("radio", "checkbox") and "checked" not in attrs:
                fields.setdefault(attrs["name"], "")
            else:
                fields[attrs["name"]] = attrs.get("value") or fields.get(attrs["name"], "")


def page_forms(response, url: str) -> dict[str, dict[str, str]]:
    """Fields, with defaults, of the forms on the page that submit back to ``url``, by method."""
    found: dict[str, dict[str, str]] = {"GET": {}, "POST": {}}
    if not response.get("Content-Type", "").startswith("text/html"):
        return found
    parser = FormFields()
    parser.feed(response.content.decode())
    for form in parser.forms:
        if form["action"] in ("", url) or urlsplit(form["action"]).path == url:
            found[form["method"]].update(form["fields"])
    return found


def client_for(world, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(world["users"][who])
    return client


def refused(response) -> bool:
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"].startswith(reverse("login")))


def discover(world, name: str, url: str, settings) -> tuple[str, dict[str, str], dict[str, str]]:
    """Who may use the page, and the GET and POST keys it reads, with the page's own default values."""
    settings.MIDDLEWARE = ["tests.web.test_fuzz_forms.RecordingMiddleware", *settings.MIDDLEWARE]
    for who in [SPECIAL_USERS[name]] if name in SPECIAL_USERS else USERS:
        READ["GET"].clear()
        response = client_for(world, who).get(url)
        if not refused(response):
            break
    keys = {method: dict(fields) for method, fields in page_forms(response, url).items()}
    for method in ("GET", "POST"):
        keys[method] = {**dict.fromkeys(READ["GET"] if method == "GET" else (), ""), **keys[method]}
        for _ in range(3):  # a bound form reads more keys than an empty request: go until nothing new turns up
            READ[method].clear()
            send(client_for(world, who), method, url, {k: v or "1" for k, v in keys[method].items()})
            new = READ[method] - set(keys[method])
            if not new:
                break
            keys[method] |= dict.fromkeys(new, "")
    return who, keys["GET"], keys["POST"]


def send(client, method: str, url: str, data, raw_query: str = ""):
    if method == "GET":
        query = urlencode(data, doseq=True)
        return client.get(f"{url}?{query}{raw_query}")
    return client.post(url + (f"?{raw_query.lstrip('&')}" if raw_query else ""), data)


# Values every parameter gets in turn: the shapes behind the findings and their neighbours.
ODD = [",,", ", ,", "ab\U0010ffff", "a\ud7ff", "\x00", "%", "'; --", "<b>", "1e400", "NaN", "-1", "0", HUGE,
       "9" * 400, "9999", "31", "13", "２", "³", "X123456", "2001/0012345H", " ", "a" * 5000, "ł\u0301"]
VALUES = st.one_of(
    st.sampled_from(ODD),
    st.text(max_size=40),
    st.from_regex(r"-?[0-9]{1,25}", fullmatch=True),
)
RAW_QUERIES = st.sampled_from(["", "&q=%FF%FE", "&%C0=%80", "&page=%00", "&date_from_0=%EF%BF%BF", "&&=&"])
# What a person would type, so that one odd value at a time meets otherwise sensible input (a huge
# day only reaches the date arithmetic when the month and year are real).
PLAUSIBLE = [(re.compile(r".*_0$"), "1"), (re.compile(r".*_1$"), "1"), (re.compile(r".*_2$"), "2020"),
             (re.compile(r"^time$"), "10:00"), (re.compile(r"^q$"), "smith")]


def plausible(keys: dict[str, str]) -> dict[str, str]:
    return {k: v or next((value for pattern, value in PLAUSIBLE if pattern.match(k)), "") for k, v in keys.items()}


def form_data(keys: dict[str, str]):
    """Some of ``keys`` (each its usual value, one odd value or several), and sometimes a key nobody reads."""
    value = st.one_of(VALUES, st.lists(VALUES, min_size=2, max_size=3))
    optional = {k: st.one_of(st.just(usual), value) if usual else value for k, usual in keys.items()}
    extra = st.dictionaries(st.text(min_size=1, max_size=10), VALUES, max_size=1)
    return st.tuples(st.fixed_dictionaries({}, optional=optional), extra).map(lambda t: {**t[1], **t[0]})


@pytest.mark.parametrize("pattern, name", [pytest.param(p, n, id=n) for p, n in PAGE_ROUTES])
def test_no_input_gives_a_server_error(world, db, settings, pattern, name):
    converters = CONVERTERS[name]
    url = reverse(name, kwargs={k: world["kwargs"].get(k, FALLBACK.get(type(c), "1")) for k, c in converters.items()})
    who, get_keys, post_keys = discover(world, name, url, settings)
    settings.MIDDLEWARE = settings.MIDDLEWARE[1:]
    expected = {"search": {"q"}, "case-contacts": {"kind", "date_from_0", "date_to_2", "page"},
                "contact-new": {"kind", "date_0", "time", "notes"}, "audit-log": {"actor", "date_to_2", "crn"}}
    if name in expected:  # the discovery works: it finds what these pages are known to read
        assert expected[name] <= set(get_keys) | set(post_keys), (name, get_keys, post_keys)
    statuses = set()
    client = client_for(world, who)

    def attempt(method, data, raw_query=""):
        nonlocal client
        if name in ("logout", "login"):  # these change who is signed in: start each request afresh
            client = client_for(world, who)
        response = send(client, method, url, data, raw_query)
        sent = f"{method} {url} {data!r:.500} {raw_query!r}"
        assert response.status_code < 500, sent
        if response.status_code != 405:  # Django's bare "method not allowed" (GET /sign-out/) is no page
            try:
                check_page(response, url)
            except PageProblem as exc:
                raise AssertionError(f"{exc}, after {sent}") from None
        statuses.add(response.status_code)

    def fuzzer(method):
        def fuzz(data, raw_query):
            attempt(method, data, raw_query)

        return fuzz

    for method, keys in (("GET", plausible(get_keys)), ("POST", plausible(post_keys))):
        for key in keys:  # every odd value in every parameter, the others as a person would fill them
            for odd in ODD:
                attempt(method, {**keys, key: odd})
        fuzz = given(data=form_data(keys), raw_query=RAW_QUERIES)(fuzzer(method))
        fuzz = hypothesis_settings(max_examples=EXAMPLES, deadline=None, database=None,
                                   suppress_health_check=list(HealthCheck))(fuzz)
        seed(20261205)(fuzz)()
    assert statuses, "nothing was sent"


def test_the_route_walk_covers_every_page():
    names = {name for _, name in PAGE_ROUTES}
    assert {"search", "case-contacts", "contact-new", "personal-details-edit", "audit-log", "audit-export",
            "team-caseload", "login"} <= names
    assert resolve(reverse("search")).url_name == "search"
