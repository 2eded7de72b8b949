"""Risk: each person's risk assessments (RoSH, predictors, criminogenic needs) and registrations (flags).

The latest assessment carries the profile's RoSH; earlier ones were often a level lower. The RoSH
registrations follow the assessments (one per change of level, the latest open); the other flags
(MAPPA, domestic abuse, child concerns, complexity, IOM, lifer) follow the profile.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

from casework.demo import catalogue
from casework.demo.draw import Part, Setting, days, two_dp
from casework.demo.instances import instance
from casework.demo.scale import HIGH, LOW, MEDIUM, VERY_HIGH
from casework.record.choices import DcSrpBand, Gender, Need, NeedSeverity, RiskLevel, RiskSource, YesNoUnknown
from casework.record.models import Case, Registration, RiskAssessment

if TYPE_CHECKING:
    from casework.demo.allocation import Period
    from casework.demo.generator import Chunk
    from casework.demo.people import Profile
    from casework.demo.sentences import Supervision


class Risk(Part):
    """Draws the risk assessments and registrations of one person."""

    def __init__(self, setting: Setting):
        super().__init__(setting)
        self.registration_types = setting.registration_types

    def assessments(self, out: Chunk, case: Case, person: Profile, supervision: Supervision,
                     periods: list[Period]) -> list[RiskAssessment]:
        rng, today = self.rng, self.today
        start = supervision.start
        recent = (today - start).days < 60
        # New cases come with the pre-sentence report's assessment; a few older ones have none on file.
        count = 1 if recent else self.pick(((1, 55), (2, 36), (3, 8), (0, 1)))
        if count == 0:
            return []
        assessor = periods[-1].staff.staff if periods else None
        if recent:
            latest_day, source = start - days(rng.uniform(3, 20)), RiskSource.PRE_SENTENCE_REPORT
        else:
            earliest = max(start - days(20), today - days(330))
            latest_day = earliest + days(rng.uniform(0, max((today - days(7) - earliest).days, 1)))
            source = self.pick(((RiskSource.OASYS_LAYER_3, 75), (RiskSource.OASYS_LAYER_1, 17),
                                (RiskSource.ROSH_SCREENING, 5), (RiskSource.PRE_SENTENCE_REPORT, 3)))
        made = []
        day, rosh = latest_day, person.rosh
        for n in range(count):
            made.append(self._assessment(case, person, day, source if n == 0 else RiskSource.OASYS_LAYER_3,
                                         rosh, assessor, latest=n == 0))
            day -= days(rng.uniform(90, 400))
            if rng.random() < 0.25:
                # Earlier assessments were usually a level lower: risk rose, which is why it was reviewed.
                rank = RiskLevel.rank(rosh) + (-1 if rng.random() < 0.7 else 1)
                rosh = [LOW, MEDIUM, HIGH, VERY_HIGH][min(max(rank, 1), 4) - 1]
        made.reverse()
        out.assessments.extend(made)
        return made

    def _assessment(self, case, person: Profile, day: dt.date, source: str, rosh: str, assessor,
                    *, latest: bool) -> RiskAssessment:
        rng = self.rng
        jitter = 1.0 if latest else rng.uniform(0.8, 1.2)
        full = source in (RiskSource.OASYS_LAYER_3, RiskSource.OASYS_LAYER_1)
        # Screenings and reports usually carry the predictor scores too; without them the
        # single-scale tier is MISSING, which should be the exception.
        predictors = full or rng.random() < 0.8
        groups = {"public": rosh}
        for group in ("known_adult", "children", "staff", "prisoners"):
            groups[group] = [LOW, MEDIUM, HIGH, VERY_HIGH][max(RiskLevel.rank(rosh) - rng.randint(0, 2), 1) - 1]
        if person.domestic:
            groups["known_adult"] = rosh
        if person.child:
            groups["children"] = rosh
        if not person.custody:
            groups["prisoners"] = ""
        dc_band, dc_score = "", None
        if person.sexual:
            dc_band, low, high = {LOW: (DcSrpBand.LOW, 0.1, 1.1), MEDIUM: (DcSrpBand.MEDIUM, 1.12, 3.35),
                                  HIGH: (DcSrpBand.HIGH, 3.36, 6.9), VERY_HIGH: (DcSrpBand.VERY_HIGH, 6.9, 12.0)}[rosh]
            dc_score = two_dp(rng.uniform(low, high))
        needs = self._needs(person, source)
        parenting = impulsive = None
        if person.gender == Gender.FEMALE and full:
            # Women-only tier factors (rules.md §1.1), recorded in a full assessment.
            parenting = case.children_contact == YesNoUnknown.YES and rng.random() < 0.8
            impulsive = needs.get(Need.THINKING_AND_BEHAVIOUR) != NeedSeverity.NO_NEED and rng.random() < 0.6
        return instance(RiskAssessment,
            case=case, assessed_on=day, source=source, rosh_overall=rosh, rosh_public=groups["public"],
            rosh_known_adult=groups["known_adult"], rosh_children=groups["children"], rosh_staff=groups["staff"],
            rosh_prisoners=groups["prisoners"],
            ogrs=min(int(person.ogrs * jitter), 99) if predictors else None,
            rsr=two_dp(min(person.rsr * jitter, 99)) if predictors else None,
            arp=two_dp(min(person.arp * jitter, 99)) if predictors else None,
            arp_static=predictors and (source == RiskSource.OASYS_LAYER_1 or rng.random() < 0.12),
            csrp=two_dp(min(person.csrp * jitter, 99)) if predictors else None,
            csrp_static=predictors and (source == RiskSource.OASYS_LAYER_1 or rng.random() < 0.10),
            dc_srp_band=dc_band if predictors else "", dc_srp_score=dc_score if predictors else None,
            parenting_responsibilities=parenting, impulsivity_or_temper=impulsive, needs=needs, assessor=assessor,
        )

    def _needs(self, person: Profile, source: str) -> dict[str, str]:
        """Criminogenic needs: all ten in a full OASyS, six in a basic one, none in a screening."""
        if source not in (RiskSource.OASYS_LAYER_3, RiskSource.OASYS_LAYER_1):
            return {}
        rng = self.rng
        acquisitive = person.main_offence in catalogue.ACQUISITIVE_OFFENCES
        drugs = person.iiom or person.main_offence.startswith("092")
        chances = {  # (standard, severe)
            Need.ACCOMMODATION: (0.0, 1.0) if person.no_fixed_abode else (0.30, 0.10),
            Need.EDUCATION_TRAINING_EMPLOYMENT: (0.50, 0.15),
            Need.RELATIONSHIPS: (0.50, 0.35) if person.domestic else (0.35, 0.10),
            Need.LIFESTYLE_AND_ASSOCIATES: (0.50, 0.25) if acquisitive or person.age < 25 else (0.30, 0.08),
            Need.DRUG_MISUSE: (0.40, 0.45) if drugs else (0.20, 0.10),
            Need.ALCOHOL_MISUSE: (0.40, 0.25) if person.domestic or person.main_offence == "80300" else (0.20, 0.05),
            Need.THINKING_AND_BEHAVIOUR: (0.50, 0.30) if person.rosh in (HIGH, VERY_HIGH) else (0.55, 0.15),
            Need.ATTITUDES: (0.40, 0.10),
            Need.FINANCE: (0.40, 0.10),
            Need.EMOTIONAL_WELLBEING: (0.40, 0.50) if "RMDO" in person.complexity else (0.30, 0.10),
        }
        needs = {}
        keys = list(chances) if source == RiskSource.OASYS_LAYER_3 else list(chances)[:6]
        for need in keys:
            standard, severe = chances[need]
            roll = rng.random()
            needs[need.value] = (NeedSeverity.SEVERE if roll < severe else NeedSeverity.STANDARD
                                 if roll < severe + standard else NeedSeverity.NO_NEED).value
        return needs

    def registrations(self, out: Chunk, case: Case, person: Profile, supervision: Supervision,
                       assessments: list[RiskAssessment], manager) -> None:
        rng, today = self.rng, self.today
        by = manager.staff if manager else None
        types = self.registration_types
        start = supervision.start

        def register(code, begun, *, level=None, category=None, ended=None, historic=False):
            begun = min(begun, today)
            weeks = types[code].review_period_weeks
            review = None
            if weeks and ended is None:
                period = dt.timedelta(weeks=weeks)
                review = begun + period * max(math.ceil((today - begun) / period), 1)
                if rng.random() < 0.08 and review - period > begun:
                    review -= period  # a review that is overdue
            out.registrations.append(instance(Registration,
                case=case, type=types[code], level=level, category=category, start_date=begun,
                next_review_date=review, end_date=ended, historic=historic, registered_by=by,
                notes=catalogue.REGISTRATION_NOTES.get(code, ""),
            ))

        rosh_code = {LOW: "RLRH", MEDIUM: "RMRH", HIGH: "RHRH", VERY_HIGH: "RVHR"}
        # The RoSH registration follows the risk record: one per change of level, the latest open.
        runs: list[tuple[str, dt.date]] = []
        for assessment in assessments:
            if not runs or runs[-1][0] != assessment.rosh_overall:
                runs.append((assessment.rosh_overall, assessment.assessed_on))
        for n, (level, begun) in enumerate(runs):
            ended = runs[n + 1][1] if n + 1 < len(runs) else None
            register(rosh_code[level], begun, ended=ended)

        if person.mappa:
            level, category = person.mappa
            register("MAPP", (supervision.release or start) - days(rng.uniform(0, 60)), level=level, category=category)
        if person.domestic:
            register(person.domestic, start - days(rng.uniform(0, 1500)))
        elif rng.random() < 0.04:
            old = start - days(rng.uniform(1200, 3000))
            register("REG30", old, ended=old + days(rng.uniform(200, 700)), historic=True)
        if person.stalking:
            register("SPO", start - days(rng.uniform(0, 200)))
        for code in person.child:
            register(code, today - days(rng.uniform(30, 700)))
        for code in person.complexity:
            begun = start - days(rng.uniform(-60, 700))
            if code == "ALSH" and rng.random() < 0.3:
                register(code, begun, ended=min(begun + days(rng.uniform(60, 400)), today - days(1)))
            else:
                register(code, begun)
        if person.iiom:
            register("IIOM", start + days(rng.uniform(0, 60)))
        if person.lifer:
            register("INLL", start)
