"""People on probation: who each person is (the profile every record is drawn from), their case and addresses.

The profile's shapes are working assumptions (scale.md says which are published); they are
conditional on RoSH so the overall shares come out as the ``Scale`` asks: court orders about half,
MAPPA level 2/3 about 2%, sexual offending about 6%.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from casework.demo import catalogue
from casework.demo.draw import Part, Setting, Weighted, ascii_slug, days
from casework.demo.instances import instance
from casework.demo.scale import HIGH, LOW, MEDIUM, VERY_HIGH
from casework.organisation.models import Pdu, Region
from casework.record.choices import CustodialType, Gender, SentenceStatus, YesNoUnknown
from casework.record.identifiers import first_name_key, pnc_check_letter
from casework.record.models import Address, Case
from casework.record.services import name_key
from casework.rules.calendar import years_before

if TYPE_CHECKING:
    from casework.demo.generator import Chunk
    from casework.demo.sentences import Supervision

CUSTODY_BY_ROSH = {LOW: 0.38, MEDIUM: 0.53, HIGH: 0.68, VERY_HIGH: 0.85}
CUSTODY_STATUS = ((SentenceStatus.PRE_RELEASE, 35), (SentenceStatus.LICENCE, 57),
                  (SentenceStatus.POST_SENTENCE_SUPERVISION, 8))
SEXUAL_BY_ROSH = {LOW: 0.01, MEDIUM: 0.04, HIGH: 0.15, VERY_HIGH: 0.30}
LIFER_BY_ROSH = {LOW: 0.0, MEDIUM: 0.01, HIGH: 0.10, VERY_HIGH: 0.40}
MAPPA_23_BY_ROSH = {LOW: 0.0, MEDIUM: 0.002, HIGH: 0.05, VERY_HIGH: 0.60}
# (low, high, mode) of a triangular draw; RSR 3+ and 7+ lift the protect level (rules.md §1.1).
RSR_BY_ROSH = {LOW: (0.2, 5.0, 1.8), MEDIUM: (0.8, 8.5, 3.0), HIGH: (2.5, 11.0, 5.5), VERY_HIGH: (5.0, 12.0, 8.0)}
ARP_BY_ROSH = {LOW: (3, 45, 15), MEDIUM: (10, 70, 35), HIGH: (35, 92, 60), VERY_HIGH: (65, 98, 85)}
COMPLEXITY_SHARES = (("RMDO", 0.15), ("ALSH", 0.10), ("RVLN", 0.06), ("RVAD", 0.02), ("STRG", 0.03),
                     ("RPIR", 0.005), ("RTAO", 0.002))
NICKNAMES = {"Christopher": "Chris", "Anthony": "Tony", "Daniel": "Dan", "Michael": "Mike", "Matthew": "Matt",
             "Jessica": "Jess", "Samantha": "Sam", "Rebecca": "Becky", "Nicola": "Nikki", "Stephen": "Steve",
             "Robert": "Rob", "Joshua": "Josh", "Alexander": "Alex", "Victoria": "Vicky"}


@dataclass
class Profile:
    """Who the person is and what risks they present; the records are generated from this."""

    gender: str
    age: int
    rosh: str
    sexual: bool
    domestic: str  # "", "ADVP" or "REG30"
    status: str  # the current sentence's SentenceStatus
    custodial_type: str
    main_offence: str
    ogrs: int
    rsr: float
    arp: float
    csrp: float
    mappa: tuple[int, int] | None
    child: tuple[str, ...]
    stalking: bool
    complexity: tuple[str, ...]
    iiom: bool
    no_fixed_abode: bool
    chaotic: bool

    @property
    def mappa_23(self) -> bool:
        return bool(self.mappa and self.mappa[0] >= 2)

    @property
    def lifer(self) -> bool:
        return self.custodial_type in (CustodialType.LIFE, CustodialType.IPP)

    @property
    def custody(self) -> bool:
        return self.status != SentenceStatus.COMMUNITY

    @property
    def safe_for_new_pso(self) -> bool:
        """Within what a PSO without core training may hold: low RoSH, protect level C or D, no DA/child."""
        # Conservative without computing the tier: RSR under 3 and at most two complexity flags keep
        # the protect points under 20 (level C or D) even with every women-only factor.
        return (self.rosh == LOW and self.rsr < 3 and self.mappa is None and not self.domestic
                and not self.child and not self.stalking and not self.sexual and len(self.complexity) <= 2)


class People(Part):
    """Draws each person's profile, date of birth, case (names, identifiers, contact details) and addresses."""

    def __init__(self, setting: Setting):
        super().__init__(setting)
        self.rosh = Weighted(self.scale.rosh_shares)
        self.crn_counters: Counter[str] = Counter()

    def profile(self, *, new: bool) -> Profile:
        rng, scale = self.rng, self.scale
        roll = rng.random()
        if roll < scale.women_share:
            gender = Gender.FEMALE
        elif roll < scale.women_share + 0.003:
            gender = Gender.OTHER
        elif roll < scale.women_share + 0.005:
            gender = Gender.NOT_KNOWN
        else:
            gender = Gender.MALE
        female = gender == Gender.FEMALE
        # 18–24s are their own band (scale.md); older ages skew towards the late twenties and thirties.
        # A few more are drawn young because _date_of_birth ages up anyone sentenced before 18.
        young = rng.random() < scale.young_share * 1.05
        age = rng.randint(18, 24) if young else 25 + int(rng.betavariate(2.0, 4.0) * 46)
        rosh = self.rosh.pick(rng)
        sexual = rng.random() < SEXUAL_BY_ROSH[rosh] * (0.1 if female else 1.0)
        # Women are less often domestic abuse perpetrators; the factors keep the overall share.
        domestic = ""
        if rng.random() < scale.domestic_abuse_share * (0.55 if female else 1.05):
            domestic = "ADVP" if rng.random() < 0.7 else "REG30"

        custody = rng.random() < CUSTODY_BY_ROSH[rosh] * (0.75 if female else 1.0)
        custodial_type = ""
        if new:
            status = SentenceStatus.PRE_RELEASE if custody and rng.random() < 0.6 else SentenceStatus.COMMUNITY
        else:
            status = self.pick(CUSTODY_STATUS) if custody else SentenceStatus.COMMUNITY
        if status != SentenceStatus.COMMUNITY:
            if status != SentenceStatus.POST_SENTENCE_SUPERVISION and rng.random() < LIFER_BY_ROSH[rosh]:
                custodial_type = CustodialType.LIFE if rng.random() < 0.6 else CustodialType.IPP
            elif status != SentenceStatus.POST_SENTENCE_SUPERVISION and (rosh in (HIGH, VERY_HIGH) or sexual) \
                    and rng.random() < 0.08:
                custodial_type = CustodialType.EXTENDED if rng.random() < 0.85 else CustodialType.SOPC
            elif age <= 21 and rng.random() < 0.2:
                custodial_type = CustodialType.YOUTH_DETERMINATE
            else:
                custodial_type = CustodialType.DETERMINATE

        if custodial_type == CustodialType.LIFE and rng.random() < 0.7:
            main = "00101"
        elif sexual:
            main = self.pick(catalogue.SEXUAL_OFFENCES_BY_ROSH[rosh])
        elif domestic and rng.random() < 0.6:
            main = self.pick(catalogue.DOMESTIC_OFFENCES)
        else:
            main = self.pick(catalogue.OFFENCES_BY_ROSH[rosh])
        acquisitive = main in catalogue.ACQUISITIVE_OFFENCES

        ogrs = rng.betavariate(2.2, 3.0) * 100 + (15 if age < 25 else -15 if age > 50 else 0)
        ogrs = int(min(max(ogrs + (15 if acquisitive else 0), 1), 98))
        low, high, mode = RSR_BY_ROSH[rosh]
        rsr = round(rng.triangular(low, high, mode), 2)
        low, high, mode = ARP_BY_ROSH[rosh]
        arp = round(min(rng.triangular(low, high, mode) + (5 if domestic else 0), 99), 2)
        csrp = round(min(max(rsr * rng.uniform(0.8, 1.2), 0.05), 20), 2)

        mappa = None
        if rng.random() < MAPPA_23_BY_ROSH[rosh]:
            level = 3 if rng.random() < 0.15 else 2
            mappa = (level, 1 if sexual else 2 if status != SentenceStatus.COMMUNITY else 3)
        elif sexual:
            mappa = (1, 1)  # registered sexual offenders are MAPPA category 1
        elif rosh == HIGH and custodial_type and rng.random() < 0.3:
            mappa = (1, 2)

        child: tuple[str, ...] = ()
        if sexual and main in catalogue.CHILD_VICTIM_OFFENCES:
            child = ("RCHD", "RCPR") if rng.random() < 0.3 else ("RCHD",)
        elif rng.random() < scale.child_registration_share * (1.75 if domestic else 0.68):
            child = ("RCPR",) if rng.random() < 0.4 else ("RCCO",)
        stalking = main == "00809" or (bool(domestic) and rng.random() < 0.03)

        complexity = []
        for code, share in COMPLEXITY_SHARES:
            share *= 3 if code == "STRG" and age < 25 and not female else 1
            share *= 3 if code == "RVLN" and female else 1
            if rng.random() < share:
                complexity.append(code)
        if mappa and mappa[1] == 4:
            complexity.append("RTAO")
        iiom = (acquisitive and ogrs >= 55 and rng.random() < 0.45) or rng.random() < 0.01
        return Profile(
            gender=gender, age=age, rosh=rosh, sexual=sexual, domestic=domestic, status=status,
            custodial_type=custodial_type, main_offence=main, ogrs=ogrs, rsr=rsr, arp=arp, csrp=csrp,
            mappa=mappa, child=child, stalking=stalking, complexity=tuple(complexity), iiom=iiom,
            no_fixed_abode=rng.random() < 0.03, chaotic=rng.random() < 0.2,
        )

    def date_of_birth(self, person: Profile, first_sentence: dt.date) -> dt.date:
        """A birthday giving ``person.age`` today, moved earlier if they would have been under 18 when sentenced."""
        rng = self.rng
        dob = years_before(self.today, person.age) - days(rng.uniform(0, 364))
        adult_from = 15 if person.custodial_type == CustodialType.YOUTH_DETERMINATE else 18
        if years_before(first_sentence, adult_from) < dob:
            # Just old enough, so the young stay young and the age shape holds.
            dob = years_before(first_sentence, adult_from + rng.randint(0, 2)) - days(rng.uniform(0, 364))
            person.age = (self.today - dob).days // 365
        return dob

    def case(self, person: Profile, region: Region, pdu: Pdu, team, manager, dob: dt.date) -> Case:
        rng = self.rng
        place = self.org.region_places[region.code]
        self.crn_counters[region.code] += 1
        # A stride coprime with 10^6 walks every six-digit number once: unique, not sequential-looking.
        serial = (104_729 + self.crn_counters[region.code] * 386_117) % 1_000_000
        crn = f"{place.crn_letter}{serial:06d}"
        female = person.gender == Gender.FEMALE or (person.gender != Gender.MALE and rng.random() < 0.5)
        first = rng.choice(catalogue.FEMALE_FIRST_NAMES if female else catalogue.MALE_FIRST_NAMES)
        last = rng.choice(catalogue.SURNAMES + catalogue.WOMENS_SURNAMES if female else catalogue.SURNAMES)
        middle = rng.choice(catalogue.FEMALE_FIRST_NAMES if female else catalogue.MALE_FIRST_NAMES) \
            if rng.random() < 0.4 else ""
        preferred = NICKNAMES.get(first, "") if rng.random() < 0.4 else ""
        pnc = ""
        if rng.random() < 0.8:
            year = rng.randint(max(dob.year + 12, 1990), max(self.today.year - 1, dob.year + 12))
            serial_pnc = rng.randint(1_000, 999_999)
            pnc = f"{year:04d}/{serial_pnc:07d}{pnc_check_letter(year, serial_pnc)}"
        if person.child:
            children = YesNoUnknown.YES
        else:
            children = self.pick(((YesNoUnknown.YES, 55 if female else 35), (YesNoUnknown.NO, 30 if female else 45),
                                  (YesNoUnknown.UNKNOWN, 15 if female else 20)))
        mobile = f"{catalogue.MOBILE_PREFIX}{rng.randint(0, 999):03d}" if rng.random() < 0.85 else ""
        phone = f"{place.phone_prefix}{rng.randint(0, 999):03d}" if rng.random() < 0.25 else ""
        email = f"{ascii_slug(first)}.{ascii_slug(last)}{rng.randint(1, 99)}@example.com" if rng.random() < 0.35 else ""
        return instance(Case, crn=crn, pnc=pnc, first_name=first, middle_names=middle, last_name=last,
                        preferred_name=preferred, name_key=name_key(first, last),
                        first_name_key=first_name_key(first, last), date_of_birth=dob,
                        gender=person.gender, phone=phone, mobile=mobile, email=email, children_contact=children,
                        pdu=pdu, team=team, manager=manager.staff if manager else None)

    def addresses(self, out: Chunk, case: Case, person: Profile, supervision: Supervision, pdu_place) -> None:
        rng, today = self.rng, self.today
        town = rng.choice(pdu_place.towns)
        released = supervision.release and supervision.release <= today
        if person.no_fixed_abode:
            current_from = today - days(rng.uniform(7, 200))
            out.addresses.append(instance(Address, case=case, no_fixed_abode=True, kind="No fixed abode",
                                         start_date=current_from))
        elif released and (today - supervision.release).days < 84 and person.rosh in (HIGH, VERY_HIGH):
            current_from = supervision.release
            street = rng.choice(catalogue.STREET_NAMES)
            out.addresses.append(instance(Address,
                case=case, line_1=f"{street} House", line_2=f"{rng.randint(1, 80)} {street} Road", town=town.name,
                postcode=self._postcode(town), kind="Approved premises", start_date=current_from))
        else:
            moved_after_release = released and rng.random() < 0.6
            current_from = supervision.release if moved_after_release else today - days(rng.uniform(60, 3650))
            out.addresses.append(self._address(case, town, current_from, None))
        moved_in = current_from
        for _ in range(self.pick(((0, 60), (1, 25), (2, 10), (3, 5)))):
            moved_out = moved_in - days(1)
            moved_in = moved_out - days(rng.uniform(120, 1500))
            out.addresses.append(self._address(case, rng.choice(pdu_place.towns), moved_in, moved_out))

    def _address(self, case: Case, town, start: dt.date, end: dt.date | None) -> Address:
        rng = self.rng
        street = f"{rng.choice(catalogue.STREET_NAMES)} {rng.choice(catalogue.STREET_KINDS)}"
        kind = self.pick(catalogue.ADDRESS_KINDS)
        line_1 = f"{rng.randint(1, 180)} {street}"
        line_2 = ""
        if kind in ("Social housing", "Private rented", "Supported housing") and rng.random() < 0.4:
            line_1, line_2 = rng.choice(catalogue.FLAT_PREFIXES), line_1
        return instance(Address, case=case, line_1=line_1, line_2=line_2, town=town.name, postcode=self._postcode(town),
                       kind=kind, start_date=start, end_date=end)

    def _postcode(self, town) -> str:
        rng = self.rng
        low, high = town.districts
        letters = catalogue.INWARD_LETTERS
        inward = f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        return f"{town.postcode_area}{rng.randint(low, high)} {inward}"
