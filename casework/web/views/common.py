"""Helpers shared by page views."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from casework.access.services import restricted_case_viewed
from casework.access.visibility import VisibleCase
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.record.selectors import case_get_for_user


def get_case(request, crn: str, *, page: str) -> VisibleCase:
    """The case the URL names, if the viewer may see it (else 404); views of limited-access cases are audited."""
    visible = case_get_for_user(viewer=request.viewer, crn=crn)
    if visible.case.restricted or visible.case.has_exclusions:
        restricted_case_viewed(case=visible.case, by=request.user, page=page)
    return visible


def page_number(request) -> int:
    try:
        return max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return 1


def save_form(form, write, *, refusal_on_form: bool = False, also: tuple[type[Exception], ...] = ()) -> bool:
    """Run ``write`` (a service call); what it refuses becomes an error on ``form`` and False is returned.

    A rule broken goes on its field (or the whole form), a stale version and any exception in ``also``
    (each with a ``message`` for people) on the whole form. Not permitted is a 403, or with
    ``refusal_on_form`` (the page already showed the record to this viewer) an error on the form.
    """
    try:
        write()
    except DomainValidationError as exc:
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
    except ConcurrentEditError as exc:
        form.add_error(None, exc.message)
    except also as exc:
        form.add_error(None, getattr(exc, "message", str(exc)))
    except NotPermittedError as exc:
        if not refusal_on_form:
            raise PermissionDenied() from None
        form.add_error(None, str(exc) or "You may not do this")
    else:
        return True
    return False

