"""The lower bound for each page: the same data fetched with one hand-written SQL statement.

No access checks, no session, no template: just the rows the page shows, in one round trip. Where a
page shows several kinds of record (the case overview), they come back together through UNION ALL
with every value cast to text. Portable between SQLite and PostgreSQL except where marked.
"""

from __future__ import annotations

from casework.rules.contacts import APPOINTMENT_KINDS

KINDS = ", ".join(f"'{kind}'" for kind in sorted(APPOINTMENT_KINDS))

LIST_COLUMNS = f"""
  c.id, c.crn, c.first_name, c.last_name, c.tier, c.rosh, c.restricted, s.first_name, s.last_name, t.name,
  (SELECT x.kind FROM record_sentence x WHERE x.case_id = c.id AND x.status <> 'ENDED'
    ORDER BY x.sentence_date DESC, x.number DESC LIMIT 1),
  (SELECT x.status FROM record_sentence x WHERE x.case_id = c.id AND x.status <> 'ENDED'
    ORDER BY x.sentence_date DESC, x.number DESC LIMIT 1),
  (SELECT MIN(k.starts_at) FROM record_contact k WHERE k.case_id = c.id AND k.kind IN ({KINDS})
    AND k.starts_at >= %(now)s),
  (SELECT COUNT(*) FROM record_contact k WHERE k.case_id = c.id AND k.kind IN ({KINDS})
    AND k.starts_at < %(now)s AND k.outcome = '')
"""
LIST_FROM = """
FROM record_case c LEFT JOIN workforce_staff s ON s.id = c.manager_id LEFT JOIN organisation_team t ON t.id = c.team_id
"""

T = "CAST({} AS TEXT)"


def _part(label: str, table: str, columns: list[str], where: str, order: str = "", limit: int | None = None) -> str:
    values = ", ".join(T.format(c) for c in columns[:6])
    padding = ", ".join("NULL" for _ in range(6 - len(columns[:6])))
    select = f"SELECT '{label}' AS part, {values}{', ' + padding if padding else ''} FROM {table} WHERE {where}"
    if order:
        select += f" ORDER BY {order}"
    if limit:
        select += f" LIMIT {limit}"
    return f"SELECT * FROM ({select}) AS {label}_part"


CASE_OVERVIEW = " UNION ALL ".join([
    _part("person", "record_case c", ["c.crn", "c.first_name", "c.last_name", "c.tier", "c.rosh", "c.date_of_birth"],
          "c.id = %(case)s"),
    _part("address", "record_address a", ["a.line_1", "a.town", "a.postcode", "a.kind", "a.start_date", "a.end_date"],
          "a.case_id = %(case)s", "a.start_date DESC"),
    _part("sentence", "record_sentence s", ["s.kind", "s.status", "s.court", "s.sentence_date", "s.release_date",
                                            "s.expected_end_date"], "s.case_id = %(case)s",
          "s.sentence_date DESC, s.number DESC"),
    _part("offence", "record_offence o JOIN record_sentence s ON s.id = o.sentence_id JOIN record_offencetype ot "
          "ON ot.id = o.offence_type_id", ["o.sentence_id", "ot.code", "ot.description", "o.main", "o.offence_date",
                                          "o.count"], "s.case_id = %(case)s"),
    _part("requirement", "record_requirement r JOIN record_sentence s ON s.id = r.sentence_id",
          ["r.sentence_id", "r.kind", "r.detail", "r.start_date", "r.end_date", "r.status"], "s.case_id = %(case)s"),
    _part("condition", "record_licencecondition l JOIN record_sentence s ON s.id = l.sentence_id",
          ["l.sentence_id", "l.kind", "l.description", "l.start_date", "l.end_date"], "s.case_id = %(case)s"),
    _part("registration", "record_registration g JOIN record_registrationtype rt ON rt.id = g.type_id",
          ["rt.name", "rt.\"group\"", "g.level", "g.category", "g.start_date", "g.next_review_date"],
          "g.case_id = %(case)s AND g.end_date IS NULL"),
    _part("risk", "record_riskassessment k", ["k.assessed_on", "k.rosh_overall", "k.ogrs", "k.rsr", "k.needs",
                                              "k.source"], "k.case_id = %(case)s", "k.assessed_on DESC, k.id DESC", 1),
    _part("contact", "record_contact k LEFT JOIN workforce_staff st ON st.id = k.staff_id",
          ["k.kind", "k.starts_at", "k.outcome", "k.notes", "st.first_name", "st.last_name"],
          "k.case_id = %(case)s", "k.starts_at DESC, k.id DESC", 5),
    _part("tier", "record_tiercalculation tc", ["tc.tier", "tc.tier_single", "tc.calculated_at", "tc.inputs",
                                                "tc.result"], "tc.case_id = %(case)s",
          "tc.calculated_at DESC, tc.id DESC", 1),
])

CASE_HISTORY = " UNION ALL ".join([
    _part("person", "record_case c", ["c.crn", "c.first_name", "c.last_name", "c.tier"], "c.id = %(case)s"),
    _part("change", "audit_auditevent e LEFT JOIN account_user u ON u.id = e.actor_id LEFT JOIN workforce_staff s "
          "ON s.user_id = u.id", ["e.at", "e.action", "e.actor_label", "e.detail", "e.before", "e.after",
                                  "s.first_name", "s.last_name"],
          "e.crn = %(crn)s AND e.action NOT IN ('case.view_restricted', 'case.export')", "e.at DESC, e.id DESC", 25),
])

QUERIES = {
    "caseload": f"SELECT {LIST_COLUMNS} {LIST_FROM} WHERE c.manager_id = %(po)s AND c.status = 'CURRENT' "
                "ORDER BY c.last_name, c.first_name, c.crn",
    "case_overview": CASE_OVERVIEW,
    "case_history": CASE_HISTORY,
    "case_contacts": "SELECT k.*, s.first_name, s.last_name, COUNT(*) OVER () FROM record_contact k "
                     "LEFT JOIN workforce_staff s ON s.id = k.staff_id WHERE k.case_id = %(case)s "
                     "ORDER BY k.starts_at DESC, k.id DESC LIMIT 50",
    "case_row": "SELECT * FROM record_case WHERE crn = %(crn)s",
    "contact_row": "SELECT c.*, k.* FROM record_case c JOIN record_contact k ON k.case_id = c.id "
                   "WHERE c.crn = %(crn)s AND k.id = %(contact)s",
    "team_list": "SELECT t.code, t.name, p.name FROM organisation_team t JOIN organisation_pdu p ON p.id = t.pdu_id "
                 "JOIN workforce_teammembership m ON m.team_id = t.id JOIN workforce_staff s ON s.id = m.staff_id "
                 "JOIN account_user u ON u.id = s.user_id WHERE u.username = 'spo' ORDER BY p.name, t.name",
    "team_caseload": f"SELECT {LIST_COLUMNS}, COUNT(*) OVER () {LIST_FROM} WHERE c.team_id = %(team)s "
                     "AND c.status = 'CURRENT' ORDER BY c.last_name, c.first_name, c.crn LIMIT 50",
    "team_caseload_all": f"SELECT {LIST_COLUMNS} {LIST_FROM} WHERE c.team_id = %(team)s AND c.status = 'CURRENT' "
                         "ORDER BY c.last_name, c.first_name, c.crn",
    "search_surname_team": f"SELECT {LIST_COLUMNS} {LIST_FROM} WHERE c.team_id = %(team)s "
                           "AND c.name_key LIKE %(surname_prefix)s ORDER BY c.last_name, c.first_name, c.crn LIMIT 50",
    "search_surname_region": f"SELECT {LIST_COLUMNS} {LIST_FROM} JOIN organisation_pdu p ON p.id = c.pdu_id "
                             "WHERE p.region_id = %(region)s AND c.name_key LIKE %(surname_prefix)s "
                             "ORDER BY c.last_name, c.first_name, c.crn LIMIT 50",
    "search_crn": f"SELECT {LIST_COLUMNS} {LIST_FROM} WHERE c.crn = %(crn)s",
    "audit_log": "SELECT * FROM audit_auditevent ORDER BY at DESC, id DESC LIMIT 50",
}


def query(name: str, vendor: str, params: dict) -> tuple[str, dict]:
    """The SQL and its parameters for one page's lower bound on this database."""
    params = dict(params, surname_prefix=f"{params['surname']} %")
    sql = QUERIES[name]
    if vendor == "sqlite":
        # Django's SQLite cursor takes the same %(name)s placeholders; datetimes are stored as UTC text.
        params["now"] = params["now"].replace(tzinfo=None).isoformat(" ")
    return sql, params
