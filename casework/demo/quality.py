"""Quality assurance in the demo and generated worlds: one completed exercise and one in progress, made through
the real services (``casework.quality.services``), so ``/quality/`` shows real samples, answers and results on
first run.

The region's quality assurance lead ("qa") sets up and samples both; a second quality assurance officer
("assessor", added here with a grant over the same region) shares the assessing. Answers are drawn from a
random stream of their own: mostly following what the record proposes, and less often sufficient for PSOs and
for practitioners over 110% when sampled, the pattern the Inspectorate reports (so the breakdowns have
something to show; the figures are made up). About one case in eight is moderated by the other reader.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from casework.access.models import GrantStatus, Role, ScopeGrant
from casework.core.errors import DomainValidationError
from casework.demo.logins import DEMO_PASSWORD
from casework.organisation.models import Pdu
from casework.quality import services
from casework.quality.choices import Answer, AssessmentStatus, SampleRole, WorkloadBand
from casework.quality.evidence import case_proposals
from casework.quality.models import Assessment, Exercise, SampledCase
from casework.workforce.models import Grade, Staff

ASSESSOR_LOGIN = "assessor"
BASE = {"PO": 0.84, "PQIP": 0.77, "PSO": 0.62}
BAND = {WorkloadBand.UNDER_90: 0.04, WorkloadBand.FROM_90_TO_110: -0.02, WorkloadBand.OVER_110: -0.14}
EVIDENCE = (
    "Seen in the assessment and the contact log",
    "Plan agreed with the person; reasons recorded",
    "Not evident in the file",
    "Partly evident: reasons not recorded",
    "Good use of information from partner agencies",
    "Risk to known adults considered; children not considered",
)
ORGANISATIONAL = {
    "1.1": ("GOOD", "Leadership interviews and the PDU's improvement plan; staff survey 68% positive"),
    "1.2": ("REQUIRES_IMPROVEMENT", "Vacancy rate 18% of PO posts; 41% of staff over 110% workload"),
    "1.3": ("GOOD", "Commissioned services mapped to need; gaps in accommodation support"),
    "1.4": ("GOOD", "Premises adequate; policies current; management information used monthly"),
    "3.1": ("GOOD", "Court reports sampled separately: 44 of 52 sufficient"),
    "3.2": ("REQUIRES_IMPROVEMENT", "Victim contact offered in 31 of 45 eligible cases"),
}


def _lead_and_assessor(log: Callable[[str], None]) -> tuple[Staff, Staff] | None:
    lead = Staff.objects.filter(user__username="qa").select_related("user").first()
    if lead is None:
        grant = (ScopeGrant.objects.filter(role=Role.QUALITY_ASSURANCE, region__isnull=False,
                                           status=GrantStatus.APPROVED, staff__user__isnull=False)
                 .select_related("staff__user").order_by("pk").first())
        if grant is None:
            log("  Quality assurance   no quality assurance lead: no exercises")
            return None
        lead = grant.staff
    grant = ScopeGrant.objects.filter(staff=lead, role=Role.QUALITY_ASSURANCE, region__isnull=False).first()
    assessor = Staff.objects.filter(user__username=ASSESSOR_LOGIN).first()
    if assessor is None:
        # An account kept from an earlier build (the audit log still names it) is reused, as the organisation's are.
        user, _ = get_user_model().objects.update_or_create(
            username=ASSESSOR_LOGIN, defaults={"first_name": "Ayesha", "last_name": "Rahman", "is_active": True,
                                               "email": "ayesha.rahman@probation.example",
                                               "password": make_password(DEMO_PASSWORD)})
        assessor = Staff.objects.create(user=user, code=f"{grant.region.code}SQA001", first_name="Ayesha",
                                        last_name="Rahman", email=user.email, grade=Grade.QA,
                                        started_in_post=grant.starts_on, contracted_hours=37)
        ScopeGrant.objects.create(staff=assessor, role=Role.QUALITY_ASSURANCE, region=grant.region,
                                  starts_on=grant.starts_on, ends_on=grant.ends_on, status=GrantStatus.APPROVED,
                                  reason=f"Quality assurance officer, {grant.region.name}", created_by=lead.user,
                                  decided_by=lead.user)
    return lead, assessor


def _answer(rng: random.Random, sampled: SampledCase, key: tuple[str, str], proposed: str) -> str:
    if rng.random() < 0.03:
        return Answer.NOT_APPLICABLE
    p = BASE.get(sampled.grade, 0.78) + BAND.get(sampled.workload_band, 0)
    if proposed == Answer.NOT_SUFFICIENT:
        # A missed step the record shows is usually, not always, a question not met: the file may show why.
        return Answer.SUFFICIENT if rng.random() < p - 0.45 else Answer.NOT_SUFFICIENT
    if key[1] == "SAFETY" and sampled.rosh in ("HIGH", "VERY_HIGH"):
        p -= 0.06
    if proposed == Answer.SUFFICIENT:
        p += 0.08
    return Answer.SUFFICIENT if rng.random() < p else Answer.NOT_SUFFICIENT


def _assess(rng: random.Random, exercise: Exercise, sampled: SampledCase, *, submit: bool) -> Assessment:
    proposals = case_proposals(sampled.case, framework=exercise.framework, as_of=exercise.as_of,
                               standards=exercise.case_standards)
    answers = {}
    for key in services.expected_questions(exercise):
        proposal = proposals.get(key)
        proposed = proposal.answer.value if proposal and proposal.answer else ""
        answers[key] = services.Given(_answer(rng, sampled, key, proposed), rng.choice(EVIDENCE))
    if not submit:
        answers = dict(list(answers.items())[: len(answers) // 2])
    return services.assessment_save(sampled=sampled, by=sampled.assessor.user, answers=answers, submit=submit)


def _sample(exercise: Exercise, role: str = SampleRole.SAMPLE) -> list[SampledCase]:
    return list(SampledCase.objects.filter(exercise=exercise, role=role)
                .select_related("exercise", "case", "assessor__user").order_by("position"))


def build_exercises(*, today: dt.date, seed: int, log: Callable[[str], None] = lambda _: None) -> int:
    """The completed exercise and the one in progress; returns how many cases were assessed."""
    people = _lead_and_assessor(log)
    if people is None:
        return 0
    lead, assessor = people
    rng = random.Random(f"{seed}:quality")
    region_id = ScopeGrant.objects.filter(staff=lead, role=Role.QUALITY_ASSURANCE).values_list(
        "region_id", flat=True).first()
    pdus = list(Pdu.objects.filter(region_id=region_id).order_by("pk")[:2])
    if not pdus:
        return 0
    assessed = 0

    # Completed: last quarter's self-inspection of the first PDU.
    as_of = today - dt.timedelta(days=60)
    done = services.exercise_create(
        by=lead.user, name=f"{pdus[0].name} self-inspection, {as_of:%B %Y}", framework="PROBATION_2018",
        scope=services.Scope(pdu=pdus[0]), window_start=as_of - dt.timedelta(days=330),
        window_end=as_of - dt.timedelta(days=60), as_of=as_of, case_standards=["2.1", "2.2", "2.3", "2.4"],
        requested_size=40, seed=rng.randrange(2**40))
    try:
        services.sample_draw(exercise=done, by=lead.user)
    except DomainValidationError as exc:
        log(f"  Quality assurance   no exercise: {exc}")
        return 0
    services.assessors_share(exercise=done, assessors=[lead, assessor], by=lead.user)
    sample = _sample(done)
    for sampled in [s for s in sample if s.assessor is None]:  # nobody could take it (excluded from the case)
        like = next((r for r in _sample(done, SampleRole.RESERVE) if r.stratum == sampled.stratum), None)
        if like is not None:
            taken = services.sample_replace(sampled=sampled, reserve=like, by=lead.user,
                                            reason="Both readers are excluded from this case")
            if taken.assessor is None:
                services.assessor_set(sampled=taken, assessor=assessor, by=lead.user)
    sample = [s for s in _sample(done) if s.assessor is not None]
    reserves = _sample(done, SampleRole.RESERVE)
    if sample and reserves:
        like = next((r for r in reserves if r.stratum == sample[-1].stratum), None)
        if like is not None:
            taken = services.sample_replace(sampled=sample[-1], reserve=like, by=lead.user,
                                            reason="Transferred to another region before the sampling window closed")
            if taken.assessor is None:
                services.assessor_set(sampled=taken, assessor=sample[-1].assessor, by=lead.user)
            sample = _sample(done)
    for sampled in sample:
        _assess(rng, done, sampled, submit=True)
        assessed += 1
    for number, sampled in enumerate(sample):
        if number % 8:
            continue
        assessment = Assessment.objects.select_related("exercise", "sampled_case__case").get(sampled_case=sampled)
        moderator = assessor if assessment.assessor_id == lead.pk else lead
        rows = list(assessment.answers.all())
        changed = {}
        if rows and number % 16 == 0:
            row = rows[rng.randrange(len(rows))]
            other = Answer.NOT_SUFFICIENT if row.answer == Answer.SUFFICIENT else Answer.SUFFICIENT
            changed[(row.standard, row.key_question)] = services.Given(other, "Second reader: evidence judged "
                                                                              "differently; agreed with the assessor")
        services.assessment_moderate(assessment=assessment, by=moderator.user, answers=changed,
                                     note="Discussed with the assessor and agreed" if changed else "")
    for key, (rating, evidence) in ORGANISATIONAL.items():
        services.standard_rating_set(exercise=done, standard=key, rating=rating, evidence=evidence, by=lead.user)
    services.override_set(exercise=done, standard="1.2", rating="INADEQUATE", by=lead.user,
                          reason="Staffing shortfall has lasted over a year and affects every team")
    services.exercise_complete(exercise=done, by=lead.user)

    # In progress: this quarter's exercise of the second PDU (or the first again), half assessed.
    pdu = pdus[-1]
    running = services.exercise_create(
        by=lead.user, name=f"{pdu.name} self-inspection, {today:%B %Y}", framework="PROBATION_2018",
        scope=services.Scope(pdu=pdu), window_start=today - dt.timedelta(days=300),
        window_end=today - dt.timedelta(days=30), as_of=today, case_standards=["2.1", "2.2", "2.3", "2.4"],
        requested_size=30, seed=rng.randrange(2**40))
    try:
        services.sample_draw(exercise=running, by=lead.user)
    except DomainValidationError as exc:
        log(f"  Quality assurance   no exercise in progress: {exc}")
        return assessed
    services.assessors_share(exercise=running, assessors=[lead, assessor], by=lead.user)
    for number, sampled in enumerate(_sample(running)):
        if sampled.assessor is None or number % 3 == 2:
            continue  # some left for the assessors to do in the demo
        _assess(rng, running, sampled, submit=number % 3 == 0)
        assessed += number % 3 == 0
    drafts = Assessment.objects.filter(exercise=running, status=AssessmentStatus.DRAFT).count()
    log(f"  Quality assurance   a completed exercise ({len(sample)} cases) and one in progress "
        f"({drafts} drafts); logins qa and {ASSESSOR_LOGIN}")
    return assessed
