"""The recall services: the whole flow, the recall type the law requires for every sentence group, refusals
(wrong role, twice, out of order, the same person), stale versions, the audit and the record kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.recall import services
from casework.recall.facts import NO, UNKNOWN, YES, Answers
from casework.recall.models import Recall, RecallStep
from casework.recall.selectors import recalled_case_ids_since
from casework.rules.recall_workflow import Actor, Refusal, State, Step
from tests import factories
from tests.recall.support import ALL_NO, make_world, mappa, written_recall

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def start(w, case=None, sentence=None):
    return services.recall_start(case=case or w.case, by=w.po.user, sentence_id=(sentence or w.sentence).pk,
                                 reason="Missed three appointments and was arrested for assault")


def to_oversight(w, **kw):
    recall = start(w, **kw)
    return services.record_oversight(recall=recall, by=w.spo.user, expected_version=recall.version,
                                     rationale="Risk to the victim is rising: recommend recall")


def recommend(w, recall, *, recall_type="STANDARD", answers=ALL_NO, emergency=False, conditions=None, by=None):
    return services.recommend(recall=recall, by=(by or w.po).user, expected_version=recall.version, answers=answers,
                              recall_type=recall_type, emergency=emergency, custody_status="IN_POLICE_CUSTODY",
                              condition_ids=[c.pk for c in (conditions or w.conditions)],
                              alternatives_tried="Two warnings and weekly reporting", rationale="Risk not manageable")


def test_the_whole_flow_to_the_recall_document(w):
    recall = to_oversight(w)
    mappa(w.case, level=2)
    recall = recommend(w, recall, answers=Answers(new_offence="NO"))
    assert (recall.state, recall.recall_type, recall.emergency) == (State.RECOMMENDED, "STANDARD", False)
    assert recall.engine["mandatory"] == "STANDARD"
    assert [c["description"] for c in recall.conditions_breached] == [c.description for c in w.conditions]
    recall = services.countersign(recall=recall, by=w.spo.user, expected_version=recall.version, comment="Agreed",
                                  as_role=Actor.SPO)
    recall = services.countersign(recall=recall, by=w.head.user, expected_version=recall.version,
                                  comment="Authorised", as_role=Actor.ACO)
    recall = services.issue(recall=recall, by=w.head.user, expected_version=recall.version)
    assert recall.state == State.ISSUED and recall.decided_on == timezone.localdate() and recall.version == 6
    steps = list(RecallStep.objects.filter(recall=recall).values_list("step", "by", "role"))
    assert steps == [("CONSIDER", w.po.pk, "PRACTITIONER"), ("OVERSIGHT", w.spo.pk, "SPO"),
                     ("RECOMMEND", w.po.pk, "PRACTITIONER"), ("SPO_COUNTERSIGN", w.spo.pk, "SPO"),
                     ("ACO_COUNTERSIGN", w.head.pk, "ACO"), ("ISSUE", w.head.pk, "ACO")]
    doc = recall.document
    assert (doc["crn"], doc["pnc"], doc["recall_type"]) == (w.case.crn, "2019/0123456A", "standard")
    assert [s["name"] for s in doc["steps"]] == [w.po.name, w.spo.name, w.po.name, w.spo.name, w.head.name]
    actions = list(AuditEvent.objects.filter(object_type="recall.recall", object_id=str(recall.pk))
                   .order_by("pk").values_list("action", "crn"))
    assert actions == [(a, w.case.crn) for a in ("recall.consider", "recall.oversight", "recall.recommend",
                                                 "recall.spo_countersign", "recall.aco_countersign", "recall.issue")]
    assert recalled_case_ids_since([w.case.pk], timezone.localdate()) == {w.case.pk}
    assert recalled_case_ids_since([w.case.pk], timezone.localdate() + dt.timedelta(days=1)) == set()


def test_a_decision_not_to_recall_at_oversight_and_at_recommendation_keeps_the_letter(w):
    recall = start(w)
    recall = services.decide_not_to_recall(recall=recall, by=w.spo.user, expected_version=recall.version,
                                           reasons="He has since complied and moved away from the victim")
    assert recall.state == State.NOT_RECALLED
    assert recall.document["reasons"] == "He has since complied and moved away from the victim"
    assert RecallStep.objects.filter(recall=recall, step=Step.NOT_RECALL_AT_OVERSIGHT, by=w.spo).exists()
    other = to_oversight(w)
    other = services.decide_not_to_recall(recall=other, by=w.po.user, expected_version=other.version,
                                          reasons="Alternatives are working")
    assert other.state == State.NOT_RECALLED
    assert RecallStep.objects.filter(recall=other, step=Step.NOT_RECALL_AT_RECOMMENDATION, by=w.po).exists()
    # Not recalled is not a recall for the women's tier factor.
    assert recalled_case_ids_since([w.case.pk], dt.date(2000, 1, 1)) == set()


def refused(call) -> services.StepRefused:
    with pytest.raises(services.StepRefused) as caught:
        call()
    return caught.value


def test_countersigning_by_the_wrong_role_twice_or_out_of_order_is_refused_and_writes_nothing(w):
    recall = to_oversight(w)
    # Out of order: countersigning before there is a recommendation.
    error = refused(lambda: services.countersign(recall=recall, by=w.spo.user, expected_version=recall.version,
                                                 comment="x", as_role=Actor.SPO))
    assert error.refusal is Refusal.OUT_OF_ORDER
    assert error.message == ("Countersigned by the SPO cannot be recorded now: the recall is at "
                             "“SPO oversight recorded: waiting for the recommendation”")
    recall = recommend(w, recall, answers=Answers(), recall_type="STANDARD")
    # The head of PDU before the SPO: out of order.
    error = refused(lambda: services.countersign(recall=recall, by=w.head.user, expected_version=recall.version,
                                                 comment="x", as_role=Actor.ACO))
    assert error.refusal is Refusal.OUT_OF_ORDER
    # The practitioner countersigning as SPO: the wrong role.
    error = refused(lambda: services.countersign(recall=recall, by=w.po.user, expected_version=recall.version,
                                                 comment="x", as_role=Actor.SPO))
    assert error.refusal is Refusal.WRONG_ROLE
    assert error.message == "Only the senior probation officer of the case's team can countersign as SPO"
    # Another team's SPO cannot even see the case.
    other_spo = factories.SpoFactory(team=factories.TeamFactory(pdu=w.team.pdu))
    with pytest.raises(NotPermittedError):
        services.countersign(recall=recall, by=other_spo.user, expected_version=recall.version, comment="x",
                             as_role=Actor.SPO)
    recall = services.countersign(recall=recall, by=w.spo.user, expected_version=recall.version, comment="Agreed",
                                  as_role=Actor.SPO)
    # Twice: the SPO countersigning again.
    error = refused(lambda: services.countersign(recall=recall, by=w.spo.user, expected_version=recall.version,
                                                 comment="again", as_role=Actor.SPO))
    assert error.refusal is Refusal.ALREADY_DONE
    assert error.message.startswith(f"Countersigned by the SPO has already been recorded by {w.spo.name} on ")
    # The SPO as head of PDU; the head of another PDU.
    assert refused(lambda: services.countersign(recall=recall, by=w.spo.user, expected_version=recall.version,
                                                comment="x", as_role=Actor.ACO)).refusal is Refusal.WRONG_ROLE
    far_head = factories.HeadOfPduFactory()
    factories.grant(far_head, "HEAD_OF_PDU", pdu=factories.PduFactory())
    with pytest.raises(NotPermittedError):
        services.countersign(recall=recall, by=far_head.user, expected_version=recall.version, comment="x",
                             as_role=Actor.ACO)
    recall = services.countersign(recall=recall, by=w.head.user, expected_version=recall.version,
                                  comment="Authorised", as_role=Actor.ACO)
    assert refused(lambda: services.countersign(recall=recall, by=w.head.user, expected_version=recall.version,
                                                comment="x", as_role=Actor.ACO)).refusal is Refusal.ALREADY_DONE
    assert list(RecallStep.objects.filter(recall=recall).values_list("step", flat=True)) == [
        "CONSIDER", "OVERSIGHT", "RECOMMEND", "SPO_COUNTERSIGN", "ACO_COUNTERSIGN"]
    assert AuditEvent.objects.filter(object_type="recall.recall", object_id=str(recall.pk)).count() == 5


def test_an_inspector_and_a_head_of_pdu_cannot_take_the_practitioners_steps(w):
    recall = start(w)
    inspector = factories.inspector_on(factories.running_exercise(pdu=w.team.pdu))
    for person in (inspector, w.head, w.po):
        assert refused(lambda p=person: services.record_oversight(
            recall=recall, by=p.user, expected_version=recall.version, rationale="x")).refusal is Refusal.WRONG_ROLE
    assert refused(lambda: services.recall_start(case=w.case, by=w.spo.user, sentence_id=w.sentence.pk,
                                                 reason="x")).refusal is Refusal.WRONG_ROLE


def test_the_same_person_cannot_recommend_and_countersign():
    w = make_world()
    # A probation officer who manages the team (an SPO by membership) and holds the case.
    from casework.workforce.models import TeamMembership
    TeamMembership.objects.filter(staff=w.po).update(role=TeamMembership.Role.MANAGER)
    recall = start(w)
    recall = services.record_oversight(recall=recall, by=w.spo.user, expected_version=recall.version, rationale="x")
    recall = recommend(w, recall, answers=Answers(), recall_type="STANDARD")
    error = refused(lambda: services.countersign(recall=recall, by=w.po.user, expected_version=recall.version,
                                                 comment="x", as_role=Actor.SPO))
    assert error.refusal is Refusal.SAME_PERSON and error.message == services.SAME_PERSON


def test_a_stale_version_is_refused_so_of_two_people_exactly_one_succeeds(w):
    recall = start(w)
    second_spo = factories.SpoFactory(team=w.team)
    read = recall.version
    services.record_oversight(recall=recall, by=w.spo.user, expected_version=read, rationale="First")
    # The other SPO read the same version: the step is already taken, so they are told who took it.
    error = refused(lambda: services.record_oversight(recall=recall, by=second_spo.user, expected_version=read,
                                                      rationale="Second"))
    assert error.refusal is Refusal.ALREADY_DONE and w.spo.name in error.message
    # A stale version on a step still open (the recall changed meanwhile) is a concurrent edit.
    recall.refresh_from_db()
    with pytest.raises(ConcurrentEditError):
        services.decide_not_to_recall(recall=recall, by=w.po.user, expected_version=read, reasons="x")
    assert RecallStep.objects.filter(recall=recall, step=Step.OVERSIGHT).count() == 1
    assert Recall.objects.get(pk=recall.pk).state == State.SPO_OVERSIGHT


def test_start_needs_a_licence_case_a_reason_and_one_open_recall_per_sentence(w):
    community = factories.AllocatedCaseFactory(manager=w.po)
    order = factories.CommunityOrderFactory(case=community)
    error = refused(lambda: services.recall_start(case=community, by=w.po.user, sentence_id=order.pk, reason="x"))
    assert error.message == services.NOT_A_LICENCE_CASE
    assert refused(lambda: services.recall_start(case=w.case, by=w.po.user, sentence_id=w.sentence.pk,
                                                 reason="  ")).errors == {"reason": services.REASON_REQUIRED}
    start(w)
    assert refused(lambda: start(w)).errors == {"sentence": services.OPEN_RECALL_EXISTS}
    assert Recall.objects.filter(case=w.case).count() == 1


def test_the_recommendation_needs_every_detail(w):
    recall = to_oversight(w)
    with pytest.raises(DomainValidationError) as caught:
        services.recommend(recall=recall, by=w.po.user, expected_version=recall.version, answers=ALL_NO,
                           recall_type="", emergency=None, custody_status="", condition_ids=[],
                           alternatives_tried="", rationale="")
    assert caught.value.errors == {
        "conditions": services.CONDITIONS_REQUIRED, "alternatives_tried": services.ALTERNATIVES_REQUIRED,
        "custody_status": services.CUSTODY_REQUIRED, "emergency": services.EMERGENCY_REQUIRED,
        "recall_type": services.TYPE_REQUIRED, "rationale": services.RECOMMENDATION_REQUIRED}
    other_case = make_world()
    error = refused(lambda: recommend(w, recall, recall_type="FIXED_TERM", conditions=other_case.conditions))
    assert error.errors == {"conditions": services.CONDITION_UNKNOWN}
    assert Recall.objects.get(pk=recall.pk).state == State.SPO_OVERSIGHT


FIXED = "FIXED_TERM"
STD = "STANDARD"
ADULT_EXCLUDED = [(name, YES if name == excluded else NO) for excluded in ("dcr",) for name in
                  ("parole_board_s244zb", "repatriated_for_murder", "sopc", "dcr", "terrorist_or_national_security",
                   "foreign_power_threat", "mappa_category_4", "mappa_level_2_or_3")]
YOUTH_NONE = Answers(youth=(("sentence_12_months_or_over", NO), ("charged_with_serious_offence", NO),
                            ("mappa_level_2_or_3", NO)))
YOUTH_SERIOUS = Answers(youth=(("sentence_12_months_or_over", NO), ("charged_with_serious_offence", YES),
                               ("mappa_level_2_or_3", NO)))


# (custodial type, answers, the mandatory type, the type refused, emergency offered)
GROUPS = [
    pytest.param("LIFE", Answers(), STD, FIXED, True, id="indeterminate-life-standard"),
    pytest.param("IPP", Answers(), STD, FIXED, True, id="indeterminate-ipp-standard"),
    pytest.param("EXTENDED", Answers(), STD, FIXED, False, id="extended-standard"),
    pytest.param("DETERMINATE", ALL_NO, FIXED, STD, False, id="adult-no-further-offence-fixed-term"),
    pytest.param("DETERMINATE", Answers(new_offence="CHARGED_AND_CONVICTED", exclusions=ALL_NO.exclusions),
                 FIXED, STD, False, id="adult-convicted-fixed-term"),
    pytest.param("DETERMINATE", Answers(new_offence="ONLY_CHARGED", exclusions=ALL_NO.exclusions), STD, FIXED, False,
                 id="adult-only-charged-standard"),
    pytest.param("DETERMINATE", Answers(new_offence="NO", exclusions=tuple(ADULT_EXCLUDED)), STD, FIXED, False,
                 id="adult-excluded-standard"),
    pytest.param("DETERMINATE", Answers(new_offence="NO", exclusions=tuple(
        (n, UNKNOWN if n == "foreign_power_threat" else a) for n, a in ALL_NO.exclusions)), STD, FIXED, False,
                 id="adult-unanswered-exclusion-standard"),
    pytest.param("DETERMINATE", Answers(exclusions=ALL_NO.exclusions), STD, FIXED, False,
                 id="adult-new-offence-unanswered-standard"),
    # The record says SOPC, so "no" to that exclusion does not stand: standard recall is mandatory.
    pytest.param("SOPC", ALL_NO, STD, FIXED, False, id="sopc-on-record-standard"),
    pytest.param("YOUTH_DETERMINATE", YOUTH_NONE, FIXED, STD, False, id="youth-fixed-term"),
]


@pytest.mark.parametrize("custodial_type, answers, mandatory, refused_type, emergency_offered", GROUPS)
def test_every_sentence_group_gets_its_mandatory_type_and_the_other_is_refused(custodial_type, answers, mandatory,
                                                                               refused_type, emergency_offered):
    w = make_world(custodial_type=custodial_type, length_months=8 if custodial_type == "YOUTH_DETERMINATE" else 24)
    recall = to_oversight(w)
    error = refused(lambda: recommend(w, recall, recall_type=refused_type, answers=answers))
    words = {FIXED: "fixed-term", STD: "standard"}
    assert error.errors == {"recall_type": f"{words[mandatory].capitalize()} recall is mandatory for this case: a "
                                           f"{words[refused_type]} recall cannot be recorded"}
    assert Recall.objects.get(pk=recall.pk).state == State.SPO_OVERSIGHT
    assert not RecallStep.objects.filter(recall=recall, step=Step.RECOMMEND).exists()
    if not emergency_offered:
        assert refused(lambda: recommend(w, recall, recall_type=mandatory, answers=answers, emergency=True)).errors == {
            "emergency": services.TYPE_MESSAGES[services.TypeRefusal.EMERGENCY_NOT_OFFERED]}
    recall = recommend(w, recall, recall_type=mandatory, answers=answers, emergency=emergency_offered)
    assert (recall.state, recall.recall_type, recall.engine["mandatory"]) == (State.RECOMMENDED, mandatory, mandatory)
    assert recall.emergency is emergency_offered


def test_an_exclusion_the_record_shows_cannot_be_answered_away():
    w = make_world()
    mappa(w.case, level=3)
    recall = to_oversight(w)
    error = refused(lambda: recommend(w, recall, recall_type=FIXED, answers=ALL_NO))
    assert error.errors == {"recall_type": "Standard recall is mandatory for this case: a fixed-term recall cannot "
                                           "be recorded"}
    recall = recommend(w, recall, recall_type=STD, answers=ALL_NO)
    assert recall.engine["answers"]["exclusions"]["mappa_level_2_or_3"] == YES


@pytest.mark.parametrize("chosen", [FIXED, STD])
def test_a_youth_sentence_with_an_exclusion_is_a_matter_of_judgement(chosen):
    w = make_world(custodial_type="YOUTH_DETERMINATE")
    recall = recommend(w, to_oversight(w), recall_type=chosen, answers=YOUTH_SERIOUS)
    assert recall.recall_type == chosen and recall.engine["mandatory"] is None
    error = refused(lambda: services.recommend(
        recall=to_oversight(w, sentence=factories.LicenceFactory(case=w.case, custodial_type="YOUTH_DETERMINATE")),
        by=w.po.user, expected_version=2, answers=YOUTH_SERIOUS, recall_type="NO_RECALL", emergency=False,
        custody_status="IN_COMMUNITY", condition_ids=[w.conditions[0].pk], alternatives_tried="x", rationale="x"))
    assert error.errors == {"recall_type": services.TYPE_MESSAGES[services.TypeRefusal.NO_RECALL_IS_NOT_A_RECALL]}


def test_recalled_case_ids_since_reads_issued_recalls_only(w):
    people = dict.fromkeys(Actor, w.po)
    other = make_world()
    written_recall(w.case, w.sentence, State.ISSUED, people=people)
    written_recall(other.case, other.sentence, State.ACO_COUNTERSIGNED, people=people)
    old = written_recall(other.case, other.sentence, State.ISSUED, people=people)
    Recall.objects.filter(pk=old.pk).update(decided_on=timezone.localdate() - dt.timedelta(days=400))
    since = timezone.localdate() - dt.timedelta(days=365)
    assert recalled_case_ids_since([w.case.pk, other.case.pk], since) == {w.case.pk}
    assert recalled_case_ids_since([other.case.pk], since - dt.timedelta(days=60)) == {other.case.pk}
    assert recalled_case_ids_since([], since) == set()
    assert recalled_case_ids_since([w.case.pk], since, until=timezone.localdate() - dt.timedelta(days=1)) == set()
    assert recalled_case_ids_since([w.case.pk], since, until=timezone.localdate()) == {w.case.pk}
