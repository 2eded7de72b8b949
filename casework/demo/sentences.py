"""Sentences and what they require: the current sentence and earlier ones, offences, requirements, licence conditions.

A community sentence has requirements; a licence or post-sentence supervision has conditions; a
person still in custody has neither yet. ``Supervision`` carries the current sentence's shape
(when supervision started, release, unpaid work and programme sessions) to the contact schedule.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from casework.demo import catalogue
from casework.demo.draw import Part, Setting, days
from casework.demo.instances import instance
from casework.demo.scale import HIGH, LOW, VERY_HIGH
from casework.record.choices import (
    CustodialType,
    LicenceConditionKind,
    ProgressStatus,
    RequirementKind,
    RequirementUnit,
    SentenceKind,
    SentenceStatus,
)
from casework.record.models import LicenceCondition, Offence, Requirement, Sentence
from casework.rules.calendar import add_months, working_day_on_or_after, years_before

if TYPE_CHECKING:
    from casework.demo.generator import Chunk
    from casework.demo.people import Profile

COMMUNITY_MONTHS = ((6, 8), (12, 35), (18, 25), (24, 25), (36, 7))
SHORT_CUSTODY_MONTHS = ((3, 10), (4, 10), (6, 15), (8, 10), (10, 10), (12, 15), (16, 10), (18, 10), (20, 10))
CUSTODY_MONTHS = ((24, 18), (30, 14), (36, 18), (48, 16), (60, 12), (72, 8), (96, 7), (120, 4), (144, 3))
# Automatic release point as a share of the sentence, by custodial type.
RELEASE_POINT = {CustodialType.DETERMINATE: 0.5, CustodialType.YOUTH_DETERMINATE: 0.5,
                 CustodialType.EXTENDED: 0.4, CustodialType.SOPC: 0.6}


@dataclass
class Supervision:
    """The current sentence's shape, as the contact schedule needs it."""

    sentence: Sentence
    start: dt.date
    release: dt.date | None = None  # leaves custody on (None: not in custody, or no date yet)
    in_custody_now: bool = False
    unpaid_work: list[dt.date] = field(default_factory=list)
    programme: list[dt.date] = field(default_factory=list)
    programme_name: str = ""


class Sentences(Part):
    """Draws the sentences, offences, requirements and licence conditions of one person."""

    def __init__(self, setting: Setting):
        super().__init__(setting)
        self.offence_types = setting.offence_types

    def sentences(self, person: Profile, *, new: bool, pdu_place):
        """The current sentence and any ended earlier ones (oldest first), numbered as events."""
        rng, today = self.rng, self.today
        court_name = pdu_place.towns[0].name
        crown = pdu_place.crown_court or f"{court_name} Crown Court"
        magistrates = f"{court_name} Magistrates' Court"
        status = person.status
        if status == SentenceStatus.COMMUNITY:
            kind = SentenceKind.SUSPENDED_SENTENCE_ORDER if rng.random() < 0.35 else SentenceKind.COMMUNITY_ORDER
            length = self.pick(COMMUNITY_MONTHS)
            sentenced = today - days(rng.uniform(1, 21) if new else rng.uniform(2, length * 30.4 - 7))
            court = crown if person.rosh in (HIGH, VERY_HIGH) else magistrates
            current = instance(Sentence, kind=kind, status=status, court=court,
                               length_months=length, sentence_date=sentenced, start_date=sentenced,
                               expected_end_date=add_months(sentenced, length))
            supervision = Supervision(sentence=current, start=sentenced)
        elif person.lifer:
            current, supervision = self._indeterminate(person, crown, new)
        else:
            current, supervision = self._determinate(person, crown, magistrates, new)

        previous = []
        if not person.lifer:
            count = self.pick(((0, 50), (1, 30), (2, 14), (3, 6)))
            cursor = current.sentence_date
            for _ in range(count):
                ended = cursor - days(rng.uniform(30, 700))
                length = self.pick(COMMUNITY_MONTHS)
                started = add_months(ended, -length)
                if years_before(today, person.age - 18) > started:
                    break  # no earlier adult sentence for someone this young
                kind = self.pick(((SentenceKind.COMMUNITY_ORDER, 50), (SentenceKind.SUSPENDED_SENTENCE_ORDER, 25),
                                  (SentenceKind.CUSTODY, 25)))
                sentence = instance(Sentence, kind=kind, status=SentenceStatus.ENDED, court=magistrates,
                                    length_months=length, sentence_date=started, start_date=started,
                                    expected_end_date=ended, termination_date=ended,
                                    termination_reason=rng.choice(catalogue.PREVIOUS_TERMINATIONS))
                if kind == SentenceKind.CUSTODY:
                    sentence.custodial_type = CustodialType.DETERMINATE
                    sentence.release_date = started + days(length * 15.2)
                    sentence.licence_expiry_date = ended
                    sentence.termination_reason = "Licence expired"
                previous.append(sentence)
                cursor = started
            previous.reverse()
        for number, sentence in enumerate([*previous, current], start=1):
            sentence.number = number
        return current, previous, supervision

    def _determinate(self, person: Profile, crown: str, magistrates: str, new: bool):
        rng, today = self.rng, self.today
        status = person.status
        ctype = person.custodial_type
        if status == SentenceStatus.POST_SENTENCE_SUPERVISION or (ctype == CustodialType.DETERMINATE
                                                                  and rng.random() < 0.35):
            length = self.pick(SHORT_CUSTODY_MONTHS)
        else:
            length = self.pick(CUSTODY_MONTHS)
        if ctype in (CustodialType.EXTENDED, CustodialType.SOPC):
            length = max(length, 96)
        if ctype == CustodialType.YOUTH_DETERMINATE:
            length = min(length, 24)
        to_release = days(length * 30.4 * RELEASE_POINT[ctype])
        if status == SentenceStatus.POST_SENTENCE_SUPERVISION:
            licence_end = today - days(rng.uniform(1, 340))
            sentenced = add_months(licence_end, -length)
        elif status == SentenceStatus.PRE_RELEASE:
            ahead = rng.uniform(7, min(to_release.days - 1, 730)) if not new else to_release.days - rng.uniform(1, 21)
            sentenced = today + days(ahead) - to_release
        else:
            on_licence = days(length * 30.4) - to_release
            since = rng.uniform(1, min(to_release.days, on_licence.days, 730) - 1)
            sentenced = today - days(since) - to_release
        release = sentenced + to_release
        licence_end = add_months(sentenced, length)
        sentence = instance(Sentence, kind=SentenceKind.CUSTODY, custodial_type=ctype, status=status,
                            court=crown if length > 6 else magistrates, length_months=length,
                            sentence_date=sentenced, start_date=sentenced, release_date=release,
                            licence_expiry_date=licence_end, expected_end_date=licence_end)
        if status == SentenceStatus.POST_SENTENCE_SUPERVISION:
            # Post-sentence supervision runs 12 months from the end of the sentence.
            sentence.expected_end_date = add_months(licence_end, 12)
        return sentence, Supervision(sentence=sentence, start=sentenced, release=release,
                                     in_custody_now=status == SentenceStatus.PRE_RELEASE)

    def _indeterminate(self, person: Profile, crown: str, new: bool):
        rng, today = self.rng, self.today
        tariff_years = rng.uniform(12, 25) if person.custodial_type == CustodialType.LIFE else rng.uniform(3, 12)
        if person.status == SentenceStatus.PRE_RELEASE:
            sentenced = today - days(rng.uniform(1, 21) if new else tariff_years * 365.25 * rng.uniform(0.7, 1.1))
            # Only a Parole Board direction gives a lifer a release date.
            release = today + days(rng.uniform(14, 180)) if not new and rng.random() < 0.4 else None
        else:
            release = today - days(rng.uniform(30, (15 if person.custodial_type == CustodialType.LIFE else 10) * 365))
            sentenced = release - days(tariff_years * 365.25)
        sentence = instance(Sentence, kind=SentenceKind.CUSTODY, custodial_type=person.custodial_type,
                            status=person.status, court=crown, sentence_date=sentenced, start_date=sentenced,
                            release_date=release)
        return sentence, Supervision(sentence=sentence, start=sentenced, release=release,
                                     in_custody_now=person.status == SentenceStatus.PRE_RELEASE)

    def offences(self, out: Chunk, person: Profile, previous: list[Sentence], current: Sentence) -> None:
        rng = self.rng
        types = self.offence_types
        for sentence in [*previous, current]:
            main = person.main_offence if sentence is current else self.pick(catalogue.OFFENCES_BY_ROSH[LOW])
            when = sentence.sentence_date - days(rng.uniform(14, 300))
            count = rng.choice((1, 1, 1, 2, 3)) if main in catalogue.ACQUISITIVE_OFFENCES else 1
            out.offences.append(instance(Offence, sentence=sentence, offence_type=types[main], main=True,
                                         offence_date=when, count=count))
            if rng.random() < 0.35:
                for code in rng.sample(("11100", "08100", "09202", "80700", "00832", "05800"), rng.randint(1, 2)):
                    if code != main:
                        out.offences.append(instance(Offence, sentence=sentence, offence_type=types[code],
                                                offence_date=when))

    def requirements_and_conditions(self, out: Chunk, person: Profile, sentence: Sentence,
                                     supervision: Supervision, pdu_place) -> None:
        if person.status == SentenceStatus.COMMUNITY:
            self._requirements(out, person, sentence, supervision, pdu_place)
        elif person.status in (SentenceStatus.LICENCE, SentenceStatus.POST_SENTENCE_SUPERVISION):
            self._licence_conditions(out, person, sentence)

    def _requirements(self, out: Chunk, person: Profile, sentence: Sentence, supervision: Supervision,
                      pdu_place) -> None:
        rng, today = self.rng, self.today
        start, end = sentence.start_date, sentence.expected_end_date
        made: list[Requirement] = []

        def add(kind, length, unit, detail="", months=None, status=None):
            finish = add_months(start, months) if months else end
            if status is None:
                status = ProgressStatus.COMPLETED if finish <= today else ProgressStatus.ACTIVE
            made.append(instance(Requirement, sentence=sentence, kind=kind, detail=detail, length=length, unit=unit,
                                    start_date=start, end_date=finish, status=status))

        acquisitive = person.main_offence in catalogue.ACQUISITIVE_OFFENCES
        drugs = person.main_offence.startswith("092") or person.iiom
        if rng.random() < 0.70:
            rar_days = rng.choice((5, 10, 15, 20, 20, 25, 30, 40))
            add(RequirementKind.REHABILITATION_ACTIVITY, rar_days, RequirementUnit.DAYS, f"Up to {rar_days} days")
        if rng.random() < (0.55 if acquisitive else 0.40):
            hours = rng.choice((40, 60, 80, 80, 100, 120, 120, 150, 200, 250, 300))
            first = working_day_on_or_after(start + days(rng.uniform(7, 28)))
            sessions = [first + dt.timedelta(weeks=n) for n in range(math.ceil(hours / 7))]
            supervision.unpaid_work = sessions
            add(RequirementKind.UNPAID_WORK, hours, RequirementUnit.HOURS, f"{hours} hours",
                status=ProgressStatus.COMPLETED if sessions[-1] < today else ProgressStatus.ACTIVE)
        programme = None
        if person.domestic and rng.random() < 0.4:
            programme = catalogue.PROGRAMMES["domestic"]
        elif person.sexual and rng.random() < 0.6:
            programme = catalogue.PROGRAMMES["sexual"]
        elif person.rosh in (HIGH, VERY_HIGH) and rng.random() < 0.15:
            programme = catalogue.PROGRAMMES["violent"]
        elif rng.random() < 0.08:
            programme = catalogue.PROGRAMMES["general"]
        if programme:
            name, count = programme
            first = working_day_on_or_after(start + days(rng.uniform(30, 90)))
            sessions = [first + dt.timedelta(weeks=n) for n in range(count)]
            supervision.programme, supervision.programme_name = sessions, name
            add(RequirementKind.ACCREDITED_PROGRAMME, count, RequirementUnit.SESSIONS, name,
                status=ProgressStatus.COMPLETED if sessions[-1] < today else ProgressStatus.ACTIVE)
        if rng.random() < 0.20:
            months = rng.randint(1, 6)
            add(RequirementKind.CURFEW, months, RequirementUnit.MONTHS,
                "19:00 to 07:00 at home address, electronically monitored", months=months)
        if (drugs and rng.random() < 0.4) or rng.random() < 0.03:
            add(RequirementKind.DRUG_TREATMENT, 6, RequirementUnit.MONTHS, "Monthly drug testing and court reviews",
                months=6)
        if rng.random() < (0.25 if person.main_offence == "80300" or person.domestic else 0.04):
            add(RequirementKind.ALCOHOL_TREATMENT, 6, RequirementUnit.MONTHS,
                "Alcohol treatment with the local service", months=6)
        if rng.random() < (0.3 if "RMDO" in person.complexity else 0.01):
            add(RequirementKind.MENTAL_HEALTH_TREATMENT, 12, RequirementUnit.MONTHS,
                "Primary care mental health treatment", months=12)
        if rng.random() < 0.05:
            months = rng.randint(3, 12)
            add(RequirementKind.EXCLUSION, months, RequirementUnit.MONTHS,
                f"Not to enter {pdu_place.towns[0].name} city centre (area marked on the map)", months=months)
        if rng.random() < 0.05:
            add(RequirementKind.RESIDENCE, 6, RequirementUnit.MONTHS,
                "Reside at an address approved by the responsible officer", months=6)
        if not made:
            add(RequirementKind.REHABILITATION_ACTIVITY, 15, RequirementUnit.DAYS, "Up to 15 days")
        if rng.random() < 0.01:
            made[-1].status = ProgressStatus.TERMINATED
        out.requirements.extend(made)

    def _licence_conditions(self, out: Chunk, person: Profile, sentence: Sentence) -> None:
        rng = self.rng
        start, end = sentence.release_date, sentence.licence_expiry_date

        def add(kind, text):
            out.conditions.append(instance(LicenceCondition, sentence=sentence, kind=kind, description=text,
                                                   start_date=start, end_date=end))

        if person.status == SentenceStatus.POST_SENTENCE_SUPERVISION:
            start, end = sentence.licence_expiry_date, sentence.expected_end_date
            for text in catalogue.PSS_REQUIREMENTS:
                add(LicenceConditionKind.POST_SENTENCE_SUPERVISION, text)
            if person.iiom or person.main_offence.startswith("092"):
                add(LicenceConditionKind.POST_SENTENCE_SUPERVISION, catalogue.ADDITIONAL_CONDITIONS["drug_testing"])
            return
        for text in catalogue.STANDARD_LICENCE_CONDITIONS:
            add(LicenceConditionKind.STANDARD, text)
        high = person.rosh in (HIGH, VERY_HIGH)
        violent_or_sexual = self.offence_types[person.main_offence].violent or person.sexual
        chances = {
            "approved_premises": 0.5 if high else 0.03,
            "no_contact": 0.6 if person.domestic or violent_or_sexual else 0.05,
            "exclusion": 0.25 if high or person.domestic else 0.05,
            "curfew": 0.15,
            "relationships": 0.7 if person.domestic or person.sexual else 0.0,
            "children": 0.8 if person.sexual or "RCPR" in person.child or "RCHD" in person.child else 0.0,
            "polygraph": 0.5 if person.sexual else 0.0,
            "internet": 0.9 if person.main_offence in catalogue.CHILD_VICTIM_OFFENCES else 0.0,
            "drug_testing": 0.4 if person.iiom or person.main_offence.startswith("092") else 0.03,
            "mental_health": 0.4 if "RMDO" in person.complexity else 0.0,
            "alcohol_tag": 0.05,
            "work_programme": 0.2,
        }
        for key, chance in chances.items():
            if rng.random() < chance:
                add(LicenceConditionKind.ADDITIONAL, catalogue.ADDITIONAL_CONDITIONS[key])
        if rng.random() < 0.03:
            add(LicenceConditionKind.BESPOKE, "Not to enter licensed premises in the town centre")
