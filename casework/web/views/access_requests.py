"""Requests for access to cases, for the people who approve them (heads of PDU, national roles).

An administrator asks for a grant in the admin; it opens nothing until a second person with authority
over its scope approves it here. The list and the decision page show only grants that this person
may decide on; any other grant is "Page not found", the same as one that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from casework.access.policy import Perm, requires
from casework.access.selectors import grant_awaiting_decision, grants_awaiting_decision
from casework.access.services import scope_grant_decide
from casework.core.errors import DomainValidationError, NotPermittedError
from casework.web.page_forms import GrantDecisionForm


@requires(Perm.GRANT_APPROVE)
def access_requests(request):
    grants = list(grants_awaiting_decision(viewer=request.viewer, today=timezone.localdate()))
    return render(request, "web/access/requests.html", {"grants": grants})


@requires(Perm.GRANT_APPROVE)
def access_request_decide(request, grant_id: int):
    grant = grant_awaiting_decision(viewer=request.viewer, grant_id=grant_id, today=timezone.localdate())
    if grant is None:
        raise Http404("No such request")
    form = GrantDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            scope_grant_decide(grant=grant, approve=approve, by=request.user, reason=form.cleaned_data["reason"])
        except DomainValidationError as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        except NotPermittedError as exc:
            form.add_error(None, str(exc))
        else:
            verb = "approved" if approve else "rejected"
            messages.success(request, f"Access for {grant.staff.name} {verb}")
            return redirect("access-requests")
    return render(request, "web/access/decide.html", {"grant": grant, "form": form})
