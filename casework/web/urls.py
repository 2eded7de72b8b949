"""Page URLs."""

from django.urls import path

from casework.web.views import access_requests, audit, case, caseload, general, search, supervision, team, two_factor

urlpatterns = [
    path("", general.home, name="home"),
    path("sign-in/", general.SignInView.as_view(), name="login"),
    path("sign-in/security-code/", two_factor.two_factor, name="two-factor"),
    path("sign-out/", general.sign_out, name="logout"),
    path("account/authenticator/", two_factor.two_factor_setup, name="two-factor-setup"),
    path("accessibility/", general.accessibility, name="accessibility"),
    path("caseload/", caseload.caseload, name="caseload"),
    path("teams/", team.team_list, name="team-list"),
    path("teams/<str:code>/", team.team_caseload_page, name="team-caseload"),
    path("teams/<str:code>/caseload.csv", team.team_caseload_export, name="team-caseload-export"),
    path("search/", search.search, name="search"),
    path("cases/<str:crn>/", case.case_overview_page, name="case-overview"),
    path("cases/<str:crn>/contacts/", case.case_contacts_page, name="case-contacts"),
    path("cases/<str:crn>/contacts/new/", case.contact_new, name="contact-new"),
    path("cases/<str:crn>/contacts/<int:contact_id>/outcome/", case.contact_outcome, name="contact-outcome"),
    path("cases/<str:crn>/history/", case.case_history_page, name="case-history"),
    path("cases/<str:crn>/personal-details/", case.personal_details_edit, name="personal-details-edit"),
    path("cases/<str:crn>/events/new/", supervision.event_new, name="event-new"),
    path("cases/<str:crn>/appointments/new/", supervision.appointment_new, name="appointment-new"),
    path("cases/<str:crn>/appointments/<int:contact_id>/reschedule/", supervision.appointment_reschedule,
         name="appointment-reschedule"),
    path("cases/<str:crn>/registrations/new/", supervision.registration_new, name="registration-new"),
    path("cases/<str:crn>/registrations/<int:registration_id>/review/", supervision.registration_review,
         name="registration-review"),
    path("cases/<str:crn>/registrations/<int:registration_id>/end/", supervision.registration_deregister,
         name="registration-deregister"),
    path("cases/<str:crn>/risk-assessments/new/", supervision.risk_assessment_new, name="risk-assessment-new"),
    path("cases/<str:crn>/risk-management-plan/", supervision.risk_management_plan, name="risk-management-plan"),
    path("access-requests/", access_requests.access_requests, name="access-requests"),
    path("access-requests/<int:grant_id>/", access_requests.access_request_decide, name="access-request-decide"),
    path("audit/", audit.audit_log, name="audit-log"),
    path("audit/export.csv", audit.audit_export, name="audit-export"),
]
