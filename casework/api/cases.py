"""``GET /api/cases/`` and ``GET /api/cases/{crn}``: the cases the caller may see, and nothing else.

Both go through the record selectors, which start from ``visible_cases``: an invisible case is the
same 404 as a missing one, and never appears in a list, a count or a page. Another system (an API
client) never receives a limited-access case.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.access.policy import Perm
from casework.access.services import restricted_case_viewed, restricted_cases_listed
from casework.access.viewer import request_viewer
from casework.api.views import HasCaseworkPerm
from casework.record import identifiers
from casework.record.choices import RiskLevel
from casework.record.models import Case
from casework.record.selectors import (
    CaseListFilters,
    case_detail,
    case_get_for_user,
    case_list_for_user,
    cases_by_crn_for_user,
)

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50


class ErrorDetailSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The request field at fault, or empty for the request as a whole")
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class CaseListQuerySerializer(serializers.Serializer):
    crn = serializers.CharField(required=False, max_length=7, help_text="Only this case, e.g. X123456")
    team = serializers.CharField(required=False, max_length=12, help_text="Team code")
    pdu = serializers.CharField(required=False, max_length=10, help_text="PDU code")
    tier = serializers.ChoiceField(required=False, choices=["A", "B", "C", "D"], help_text="Protect level")
    rosh = serializers.ChoiceField(required=False, choices=RiskLevel.choices)
    status = serializers.ChoiceField(required=False, choices=Case.Status.choices)
    page = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE,
                                         default=DEFAULT_PAGE_SIZE)


class StaffRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CaseSummarySerializer(serializers.Serializer):
    crn = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    status = serializers.ChoiceField(choices=Case.Status.choices)
    tier = serializers.CharField(allow_blank=True, help_text="Two-axis tier, e.g. B2; empty if not tiered")
    rosh = serializers.ChoiceField(choices=RiskLevel.choices, allow_blank=True,
                                   help_text="Overall risk of serious harm; empty if not assessed")
    restricted = serializers.BooleanField(help_text="Only named staff may see this case")
    pdu = serializers.CharField(source="pdu.code", help_text="PDU code")
    team = serializers.CharField(source="team.code", allow_null=True, help_text="Team code; null in the PDU's queue")
    manager = StaffRefSerializer(allow_null=True, help_text="Case manager; null if unallocated")


class SentenceSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    sentence_date = serializers.DateField()
    expected_end_date = serializers.DateField(allow_null=True)


class RegistrationSerializer(serializers.Serializer):
    code = serializers.CharField(source="type.code")
    name = serializers.CharField(source="type.name")
    start_date = serializers.DateField()


class CaseDetailSerializer(CaseSummarySerializer):
    middle_names = serializers.CharField(allow_blank=True)
    preferred_name = serializers.CharField(allow_blank=True)
    gender = serializers.CharField()
    pnc = serializers.CharField(allow_blank=True)
    tier_single = serializers.CharField(allow_blank=True, help_text="Single-scale tier A–G")
    sentences = SentenceSerializer(many=True)
    registrations = RegistrationSerializer(many=True)


class CaseLookupRequestSerializer(serializers.Serializer):
    crns = serializers.ListField(
        child=serializers.RegexField(r"^[A-Za-z][0-9]{6}$", max_length=7,
                                     error_messages={"invalid": identifiers.CRN_ERROR}),
        min_length=1, max_length=MAX_PAGE_SIZE, help_text="Up to 100 CRNs",
    )


class CaseLookupSerializer(serializers.Serializer):
    results = CaseSummarySerializer(many=True, help_text="The cases found that the caller may see")
    not_found = serializers.ListField(child=serializers.CharField(),
                                      help_text="CRNs with no case the caller may see (missing or not visible alike)")


class CasePageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Cases matching, across all pages")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = CaseSummarySerializer(many=True)


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A query parameter is not valid"),
    401: OpenApiResponse(ErrorSerializer, description="No valid token or session"),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed to read cases"),
}


def _summary(case: Case) -> dict:
    return {
        "crn": case.crn, "first_name": case.first_name, "last_name": case.last_name,
        "date_of_birth": case.date_of_birth, "status": case.status, "tier": case.tier, "rosh": case.rosh,
        "restricted": case.restricted, "pdu": case.pdu, "team": case.team,
        "manager": {"code": case.manager.code, "name": case.manager.name} if case.manager else None,
    }


class CaseListView(APIView):
    permission_classes = [HasCaseworkPerm]
    casework_permission = Perm.CASE_VIEW

    @extend_schema(
        operation_id="cases_list",
        summary="Cases the caller may see",
        description="Paginated, in name order. Filters narrow the caller's own cases; they never widen them.",
        parameters=[CaseListQuerySerializer],
        responses={200: CasePageSerializer, **ERRORS},
        tags=["cases"],
    )
    def get(self, request):
        query = CaseListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = CaseListFilters(crn=data.get("crn", ""), team=data.get("team", ""), pdu=data.get("pdu", ""),
                                  tier=data.get("tier", ""), rosh=data.get("rosh", ""),
                                  status=data.get("status", ""))
        paginator = Paginator(case_list_for_user(viewer=request_viewer(request), filters=filters),
                              data["page_size"])
        number = data["page"]
        cases = list(paginator.page(number).object_list) if number <= paginator.num_pages else []
        restricted_cases_listed(cases=cases, by=request.user, page="api case list")
        body = {"count": paginator.count, "page": number, "pages": paginator.num_pages,
                "page_size": data["page_size"], "results": [_summary(c) for c in cases]}
        return Response(CasePageSerializer(body).data)


class CaseDetailView(APIView):
    permission_classes = [HasCaseworkPerm]
    casework_permission = Perm.CASE_VIEW

    @extend_schema(
        operation_id="cases_retrieve",
        summary="One case",
        description="404 alike for a case that does not exist and one the caller may not see.",
        responses={200: CaseDetailSerializer, 404: OpenApiResponse(ErrorSerializer, description="No such case"),
                   401: ERRORS[401], 403: ERRORS[403]},
        tags=["cases"],
    )
    def get(self, request, crn: str):
        visible = case_get_for_user(viewer=request_viewer(request), crn=crn)
        case = visible.case
        if case.restricted or case.has_exclusions:
            restricted_case_viewed(case=case, by=request.user, page="api")
        sentences, registrations = case_detail(case=visible)
        body = {**_summary(case), "middle_names": case.middle_names, "preferred_name": case.preferred_name,
                "gender": case.gender, "pnc": case.pnc, "tier_single": case.tier_single,
                "sentences": sentences, "registrations": registrations}
        return Response(CaseDetailSerializer(body).data)


class CaseLookupView(APIView):
    permission_classes = [HasCaseworkPerm]
    casework_permission = Perm.CASE_VIEW

    @extend_schema(
        operation_id="cases_lookup",
        summary="Several cases by CRN",
        description="The cases among the CRNs given that the caller may see; the rest are listed as not found.",
        request=CaseLookupRequestSerializer,
        responses={200: CaseLookupSerializer, **ERRORS,
                   400: OpenApiResponse(ErrorSerializer, description="The body is not valid; `field` says where, "
                                        "e.g. `crns[0]`"),
                   413: OpenApiResponse(ErrorSerializer, description="The body is too large")},
        tags=["cases"],
    )
    def post(self, request):
        body = CaseLookupRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wanted = list(dict.fromkeys(identifiers.normalise_crn(c) for c in body.validated_data["crns"]))
        found = cases_by_crn_for_user(viewer=request_viewer(request), crns=wanted)
        restricted_cases_listed(cases=found, by=request.user, page="api case lookup")
        seen = {case.crn for case in found}
        return Response(CaseLookupSerializer({"results": [_summary(c) for c in found],
                                              "not_found": [c for c in wanted if c not in seen]}).data)


# DRF answers unauthenticated requests itself (401 JSON), so the page middleware must not redirect them.
case_list = login_not_required(CaseListView.as_view())
case_detail_view = login_not_required(CaseDetailView.as_view())
case_lookup = login_not_required(CaseLookupView.as_view())
