"""What a built world looks like: counts and distributions beside the shapes scale.md asks for."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict

from django.db.models import Count, Q
from django.utils import timezone

from casework.demo.logins import DEMO_LOGINS
from casework.record.choices import ContactKind, Gender, RiskLevel, SentenceStatus
from casework.record.models import (
    Assignment,
    Case,
    Contact,
    LicenceCondition,
    Registration,
    Requirement,
    RiskAssessment,
    Sentence,
)
from casework.workforce.models import Grade, Staff


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def summary_lines(today: dt.date) -> list[str]:
    """Counts and distributions of the loaded world, beside the shapes scale.md asks for."""
    cases = Case.objects.all()
    total = cases.count()
    lines = ["Summary (target shapes from docs/scale.md in brackets)"]
    counts = [("people", total), ("staff", Staff.objects.count()), ("sentences", Sentence.objects.count()),
              ("requirements", Requirement.objects.count()), ("licence conditions", LicenceCondition.objects.count()),
              ("registrations", Registration.objects.count()), ("risk assessments", RiskAssessment.objects.count()),
              ("assignments", Assignment.objects.count()), ("contacts", Contact.objects.count())]
    lines.append("  Records: " + ", ".join(f"{n:,} {label}" for label, n in counts))
    now = timezone.now()
    future = Contact.objects.filter(starts_at__gt=now).count()
    outstanding = Contact.objects.filter(
        starts_at__lt=now, outcome="",
        kind__in=[k for k in ContactKind if ContactKind(k).is_appointment]).count()
    current = cases.filter(status=Case.Status.CURRENT).count()
    lines.append(f"  Contacts: {Contact.objects.count() / max(current, 1):.0f} per current case; {future:,} booked "
                 f"ahead; {outstanding:,} past appointments awaiting an outcome")

    def distribution(label: str, values: Counter, order, targets=None) -> str:
        parts = []
        for key in order:
            target = f" ({targets[key]})" if targets and key in targets else ""
            parts.append(f"{key} {_share(values.get(key, 0), total)}{target}")
        return f"  {label}: " + ", ".join(parts)

    rosh = Counter(dict(cases.values_list("rosh").annotate(n=Count("pk"))))
    lines.append(distribution("RoSH", Counter({RiskLevel(k).label.lower() if k else "not assessed": v
                                               for k, v in rosh.items()}),
                              ["low", "medium", "high", "very high", "not assessed"],
                              {"low": "~30%", "medium": "~50%", "high": "~18%", "very high": "~2%"}))
    tiers = Counter()
    for tier, n in cases.values_list("tier").annotate(n=Count("pk")):
        tiers[tier[:1] or "none"] += n
    lines.append(distribution("Protect level", tiers, ["A", "B", "C", "D", "none"], {"B": "B and C most",
                                                                                    "C": "B and C most"}))
    single = Counter(dict(cases.values_list("tier_single").annotate(n=Count("pk"))))
    lines.append(distribution("Single-scale tier", single, [*"ABCDEFG", "MISSING", "NOT_SUPERVISED"]))
    genders = Counter(dict(cases.values_list("gender").annotate(n=Count("pk"))))
    lines.append(distribution("Gender", Counter({Gender(k).label.lower(): v for k, v in genders.items()}),
                              ["male", "female", "other", "not known"], {"female": "~10%"}))
    ages = Counter()
    for dob in cases.values_list("date_of_birth", flat=True):
        age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        ages["18–24" if age < 25 else "25–34" if age < 35 else "35–49" if age < 50 else "50+"] += 1
    lines.append(distribution("Age", ages, ["18–24", "25–34", "35–49", "50+"], {"18–24": "~15%"}))
    statuses = Counter(dict(Sentence.objects.exclude(status=SentenceStatus.ENDED).values_list("status")
                            .annotate(n=Count("pk"))))
    community = statuses.get(SentenceStatus.COMMUNITY, 0)
    lines.append(f"  Sentences: court orders {_share(community, sum(statuses.values()))}, pre/post-release "
                 f"{_share(sum(statuses.values()) - community, sum(statuses.values()))} (about half each); "
                 + ", ".join(f"{SentenceStatus(k).label.lower()} {v:,}" for k, v in sorted(statuses.items())))
    active = Registration.objects.filter(end_date=None, historic=False)
    mappa_23 = active.filter(type__code="MAPP", level__gte=2).values("case").distinct().count()
    domestic = active.filter(type__code__in=["ADVP", "REG30"]).values("case").distinct().count()
    child = active.filter(type__code__in=["RCPR", "RCCO"]).values("case").distinct().count()
    lines.append(f"  Registrations: MAPPA level 2/3 {_share(mappa_23, total)} (~2%), domestic abuse "
                 f"{_share(domestic, total)} (~30%), child concerns/protection {_share(child, total)} (~20%)")
    allocated = cases.exclude(manager=None).count()
    in_team = cases.filter(manager=None).exclude(team=None).count()
    in_pdu = cases.filter(team=None).count()
    lines.append(f"  Allocation: {_share(allocated, total)} allocated; waiting in a team {in_team}, "
                 f"in a PDU queue {in_pdu}")
    loads = defaultdict(list)
    for grade, trained, n in (Staff.objects.filter(ended=None, grade__in=Grade.practitioner_grades())
                              .annotate(n=Count("caseload")).values_list("grade", "core_training_completed", "n")):
        loads["PSO (no core training)" if grade == Grade.PSO and not trained else Grade(grade).short].append(n)
    parts = []
    for label in ("PO", "PQiP", "PSO", "PSO (no core training)"):
        values = loads.get(label)
        if values:
            over = sum(v > 50 for v in values)
            parts.append(f"{label} {min(values)}–{max(values)} (median {statistics.median(values):g}"
                         + (f", {over} over 50" if over and label == "PO" else "") + ")")
    lines.append("  Caseloads: " + "; ".join(parts))
    lines.append(f"  Limited access: {cases.filter(restricted=True).count()} restricted, "
                 f"{cases.filter(has_exclusions=True).count()} with exclusions")
    by_login = {s.user.username: s for s in Staff.objects.filter(
        user__username__in=[d.username for d in DEMO_LOGINS]).select_related("user").annotate(
        n=Count("caseload", filter=Q(caseload__status=Case.Status.CURRENT)))}
    held = [f"{name} {by_login[name].n}" for name in ("po", "pso", "pso.new", "pqip") if name in by_login]
    lines.append("  Demo caseloads: " + ", ".join(held))
    return lines
