"""Search by name, CRN or PNC number: only ever what the viewer may see."""

from __future__ import annotations

from django.shortcuts import render

from casework.access.policy import Perm, requires
from casework.access.services import restricted_cases_listed
from casework.record.selectors import SearchError, case_search
from casework.web.page_forms import SearchForm
from casework.web.rows import case_rows


@requires(Perm.CASE_SEARCH)
def search(request):
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        try:
            results = case_search(viewer=request.viewer, query=form.cleaned_data["q"])
            restricted_cases_listed(cases=results, by=request.user, page="search results")
        except SearchError as exc:
            form.add_error("q", str(exc))
    return render(request, "web/search.html", {"form": form, "results": results,
                                               "rows": case_rows(results, show_manager=True) if results else []})
