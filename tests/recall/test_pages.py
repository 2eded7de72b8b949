"""The recall pages: start, the recall page's forms step by step, refusals on the page, the PDF download
(audited for a restricted case), the list of recalls waiting for the viewer, and query budgets."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.recall import services
from casework.recall.models import Recall
from casework.rules.recall_workflow import Actor, State
from tests import factories
from tests.recall.support import make_world, written_recall

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world(custodial_type="EXTENDED", first_name="Dale", last_name="Hartley")


def as_(client, staff):
    client.force_login(staff.user)
    return client


def recall_url(recall):
    return reverse("recall", args=[recall.case.crn, recall.pk])


PREFIX = {"check": "recommend", "spo_countersign": "countersign", "aco_countersign": "countersign"}


def post_step(client, recall, action, **fields):
    recall.refresh_from_db()
    prefix = PREFIX.get(action, action)
    data = {"action": action, f"{prefix}-version": recall.version}
    data.update({f"{prefix}-{k}": v for k, v in fields.items()})
    return client.post(recall_url(recall), data)


def test_the_whole_flow_through_the_pages_with_a_fixed_term_recall_refused(client, w):
    start = reverse("recall-new", args=[w.case.crn])
    page = as_(client, w.po).get(start)
    assert b"Record and ask for SPO oversight" in page.content
    errors = client.post(start, {"sentence": w.sentence.pk, "reason": ""})
    assert errors.status_code == 200 and services.REASON_REQUIRED in errors.content.decode()
    response = client.post(start, {"sentence": w.sentence.pk, "reason": "Arrested for assault"})
    recall = Recall.objects.get(case=w.case)
    assert response.status_code == 302 and response["Location"] == recall_url(recall)
    # The practitioner has no step now: the page says who is next.
    page = client.get(recall_url(recall)).content.decode()
    assert "Waiting for the senior probation officer of the case&#x27;s team" in page
    assert "Arrested for assault" in page and w.po.name in page

    as_(client, w.spo)
    assert "Record your oversight" in client.get(recall_url(recall)).content.decode()
    assert post_step(client, recall, "oversight", rationale="").status_code == 200
    assert post_step(client, recall, "oversight", rationale="Recommend recall").status_code == 302

    as_(client, w.po)
    page = client.get(recall_url(recall)).content.decode()
    assert "Standard recall is mandatory." in page and "Extended sentence: standard recall is mandatory" in page
    details = {"conditions": [w.conditions[1].pk], "alternatives_tried": "Two warnings",
               "custody_status": "IN_POLICE_CUSTODY", "emergency": "NO", "rationale": "Risk to the victim"}
    refused = post_step(client, recall, "recommend", recall_type="FIXED_TERM", **details).content.decode()
    assert "govuk-error-summary" in refused
    assert "Standard recall is mandatory for this case: a fixed-term recall cannot be recorded" in refused
    assert post_step(client, recall, "recommend", recall_type="STANDARD", **details).status_code == 302

    # The practitioner trying to countersign: refused on the page, in words.
    refused = post_step(client, recall, "spo_countersign", comment="Me").content.decode()
    assert "Only the senior probation officer of the case&#x27;s team can countersign as SPO" in refused
    assert post_step(as_(client, w.spo), recall, "spo_countersign", comment="Agreed").status_code == 302
    # Twice.
    twice = post_step(client, recall, "spo_countersign", comment="Again").content.decode()
    assert "Countersigned by the SPO has already been recorded by" in twice
    page = as_(client, w.head).get(recall_url(recall)).content.decode()
    assert "Countersign as head of PDU" in page
    assert post_step(client, recall, "aco_countersign", comment="Authorised").status_code == 302
    assert post_step(client, recall, "issue").status_code == 302
    recall.refresh_from_db()
    assert recall.state == State.ISSUED
    download = client.get(reverse("recall-document", args=[w.case.crn, recall.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="recall-{w.case.crn}-{recall.pk}.pdf"'
    assert download.content.startswith(b"%PDF-") and w.case.crn.encode() in download.content


def test_the_check_button_shows_the_recall_type_for_the_answers_given(client):
    w = make_world()  # adult determinate
    recall = written_recall(w.case, w.sentence, State.SPO_OVERSIGHT, people={Actor.PRACTITIONER: w.po,
                                                                            Actor.SPO: w.spo})
    as_(client, w.po)
    page = client.get(recall_url(recall)).content.decode()
    assert "Standard recall is mandatory." in page  # nothing answered yet: counts against fixed term
    answers = {f"exclusion_{n}": "NO" for n in ("parole_board_s244zb", "repatriated_for_murder", "sopc", "dcr",
                                               "terrorist_or_national_security", "foreign_power_threat",
                                               "mappa_category_4", "mappa_level_2_or_3")}
    page = post_step(client, recall, "check", new_offence="NO", **answers).content.decode()
    assert "Fixed-term recall is mandatory." in page
    assert Recall.objects.get(pk=recall.pk).state == State.SPO_OVERSIGHT


def test_start_for_a_case_not_on_licence_says_so(client, w):
    community = factories.AllocatedCaseFactory(manager=w.po)
    factories.CommunityOrderFactory(case=community)
    page = as_(client, w.po).get(reverse("recall-new", args=[community.crn])).content.decode()
    assert "A recall can only be considered for a case on licence" in page
    assert "<form" not in page.split("<main")[1]
    response = client.post(reverse("recall-new", args=[community.crn]), {"sentence": "1", "reason": "x"})
    assert response.status_code == 200 and not Recall.objects.exists()
    page = as_(client, w.spo).get(reverse("recall-new", args=[w.case.crn])).content.decode()
    assert "Only the case manager can record that recall is being considered" in page


def test_a_restricted_case_download_is_audited(client, w):
    recall = written_recall(w.case, w.sentence, State.NOT_RECALLED, people={Actor.PRACTITIONER: w.po,
                                                                           Actor.SPO: w.spo})
    factories.restrict(w.case, permitted=[w.po])
    as_(client, w.po)
    before = AuditEvent.objects.filter(action="case.view_restricted", crn=w.case.crn).count()
    response = client.get(reverse("recall-document", args=[w.case.crn, recall.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith('attachment; filename="decision-not-to-recall-')
    events = AuditEvent.objects.filter(action="case.view_restricted", crn=w.case.crn)
    assert events.count() == before + 1 and events.order_by("pk").last().detail == "recall document download"
    # The SPO is not permitted on the restricted case: it does not exist for them.
    assert as_(client, w.spo).get(reverse("recall-document", args=[w.case.crn, recall.pk])).status_code == 404


def test_no_document_before_the_recall_is_issued_or_decided(client, w):
    recall = written_recall(w.case, w.sentence, State.ACO_COUNTERSIGNED,
                            people={Actor.PRACTITIONER: w.po, Actor.SPO: w.spo, Actor.ACO: w.head})
    assert as_(client, w.po).get(reverse("recall-document", args=[w.case.crn, recall.pk])).status_code == 404
    other = make_world()
    # A recall of another case under this case's CRN: not found.
    theirs = written_recall(other.case, other.sentence, State.ISSUED, people=dict.fromkeys(Actor, other.po))
    assert client.get(reverse("recall", args=[w.case.crn, theirs.pk])).status_code == 404


def test_recalls_waiting_for_the_spo_and_the_head_of_pdu(client, w):
    people = {Actor.PRACTITIONER: w.po, Actor.SPO: w.spo, Actor.ACO: w.head}
    considered = written_recall(w.case, w.sentence, State.CONSIDERED, people=people)
    second = factories.LicenceFactory(case=w.case)
    countersigned = written_recall(w.case, second, State.SPO_COUNTERSIGNED, people=people)
    far = make_world()
    written_recall(far.case, far.sentence, State.CONSIDERED, people=dict.fromkeys(Actor, far.po))
    page = as_(client, w.spo).get(reverse("recalls")).content.decode()
    assert recall_url(considered) in page and recall_url(countersigned) not in page
    assert far.case.crn not in page
    page = as_(client, w.head).get(reverse("recalls")).content.decode()
    assert recall_url(countersigned) in page and recall_url(considered) not in page
    assert as_(client, w.po).get(reverse("recalls")).status_code == 403


# Exact query budgets: a change shows here first. The recall page and the list do not grow with the
# number of steps, conditions or recalls.
EXPECTED = {"new": 5, "recall-spo": 5, "recall-po-recommend": 7, "recalls-spo": 3, "recalls-head": 3}


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def test_recall_pages_do_not_grow(client, w):
    people = {Actor.PRACTITIONER: w.po, Actor.SPO: w.spo, Actor.ACO: w.head}

    def measure():
        considered = Recall.objects.filter(state=State.CONSIDERED).first()
        oversight = Recall.objects.filter(state=State.SPO_OVERSIGHT).first()
        return {
            "new": queries_for(as_(client, w.po), reverse("recall-new", args=[w.case.crn])),
            "recall-spo": queries_for(as_(client, w.spo), recall_url(considered)),
            "recall-po-recommend": queries_for(as_(client, w.po), recall_url(oversight)),
            "recalls-spo": queries_for(as_(client, w.spo), reverse("recalls")),
            "recalls-head": queries_for(as_(client, w.head), reverse("recalls")),
        }

    written_recall(w.case, w.sentence, State.CONSIDERED, people=people)
    written_recall(w.case, factories.LicenceFactory(case=w.case), State.SPO_OVERSIGHT, people=people)
    small = measure()
    for _ in range(5):
        case_world = factories.AllocatedCaseFactory(manager=w.po)
        sentence = factories.LicenceFactory(case=case_world)
        written_recall(case_world, sentence, State.CONSIDERED, people=people)
        written_recall(case_world, factories.LicenceFactory(case=case_world), State.SPO_COUNTERSIGNED, people=people)
        written_recall(w.case, factories.LicenceFactory(case=w.case), State.ISSUED, people=people)
    from casework.record.models import LicenceCondition
    for sentence in w.case.sentences.all():
        LicenceCondition.objects.create(sentence=sentence, kind="ADDITIONAL", description="Curfew 7pm to 7am")
    large = measure()
    assert small == large
    assert large == EXPECTED


def test_a_step_that_is_not_the_viewers_is_refused_on_the_page_in_words(client):
    w = make_world()
    recall = written_recall(w.case, w.sentence, State.SPO_OVERSIGHT, people={Actor.PRACTITIONER: w.po,
                                                                            Actor.SPO: w.spo})
    as_(client, w.spo)
    for action in ("check", "recommend"):
        page = post_step(client, recall, action, recall_type="FIXED_TERM").content.decode()
        assert "govuk-error-summary" in page and "Only the case manager can make the recommendation" in page
    page = post_step(client, recall, "issue").content.decode()
    assert "Recall document issued cannot be recorded now" in page
    page = client.post(recall_url(recall), {"action": "nonsense"}).content.decode()
    assert "Choose a step to record" in page
    assert Recall.objects.get(pk=recall.pk).version == recall.version
    # An inspector reads the recall and is offered no step.
    inspector = factories.inspector_on(factories.running_exercise(pdu=w.team.pdu))
    page = as_(client, inspector).get(recall_url(recall)).content.decode()
    assert "Waiting for the case manager" in page and "<form" not in page.split('id="recall-timeline"')[1]
