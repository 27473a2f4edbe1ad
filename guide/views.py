"""The guide's pages. Nothing is stored: the answers so far ride in the query string of GET
forms and redirects, and the last page links to the search they make."""

from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from .forms import NOT_SAFE, STEPS, STEPS_BY_SLUG, answers_read

# Parameters the guide carries for itself and never passes on to the search.
GUIDE_ONLY_PARAMETERS = {"safe"}
# The answers (is the person safe, what for) are in the page: no shared or disk cache keeps it.
private = cache_control(private=True, no_store=True)


def answers_query(answers, *, without=(), search=False):
    """The answers as a QueryDict, in the order of the steps; `search=True` keeps only what the
    search understands."""
    query = QueryDict(mutable=True)
    for slug, form in answers.items():
        if slug in without:
            continue
        for name, value in form.parameters():
            if not (search and name in GUIDE_ONLY_PARAMETERS):
                query.appendlist(name, value)
    return query


def _url(path, query):
    return f"{path}?{query.urlencode()}" if query else path


def step_url(step, query):
    """The page of a step with the answers in `query`."""
    if step is STEPS[0]:
        return _url(reverse("guide:start"), query)
    return _url(reverse("guide:step", args=[step.slug]), query)


def _after(step, query):
    index = STEPS.index(step)
    if index + 1 < len(STEPS):
        return step_url(STEPS[index + 1], query)
    return _url(reverse("guide:done"), query)


def _not_safe(answers):
    safety = answers.get("safety")
    return safety is not None and safety.cleaned_data["safe"] in NOT_SAFE


@private
@require_safe
def question(request, slug):
    """One question: Next checks the answer and goes on, Skip goes on without it."""
    step = STEPS_BY_SLUG.get(slug)
    if step is None:
        raise Http404("The guide has no such question.")
    answers, bad = answers_read(request.GET)
    action = request.GET.get("go")
    if action == "skip":
        return redirect(_after(step, answers_query(answers, without={step.slug})))
    # Bound when answering, and when coming back to an answer (shown ticked, or with its error).
    answered = action == "next" or step.slug in answers or step.slug in bad
    form = step(request.GET) if answered else step()
    if action == "next" and form.is_valid():
        answers[step.slug] = form
        return redirect(_after(step, answers_query(answers)))
    field_name = next(iter(form.fields))
    carried = answers_query(answers, without={step.slug})
    suggestions = [
        (label, step_url(step, _with(carried, field_name, label, go="next")))
        for label in getattr(form, "suggestions", ())
    ]
    index = STEPS.index(step)
    return render(
        request,
        "guide/question.html",
        {
            "step": step,
            "form": form,
            "field": form[field_name],
            "number": index + 1,
            "total": len(STEPS),
            "carried": [(name, value) for name, values in carried.lists() for value in values],
            "back_url": step_url(STEPS[index - 1], answers_query(answers)) if index else None,
            "not_safe": _not_safe(answers),
            "left_out": [STEPS_BY_SLUG[slug].question for slug in bad if slug != step.slug],
            "suggestions": suggestions,
        },
    )


def _with(query, name, value, **extra):
    query = query.copy()
    query[name] = value
    for key, item in extra.items():
        query[key] = item
    return query


@private
@require_safe
def done(request):
    """The end: what an IOP is, the answers (each can be changed) and the search they make."""
    answers, bad = answers_read(request.GET)
    everything = answers_query(answers)
    summary = [
        (step, answers[step.slug].summary(), step_url(step, everything))
        for step in STEPS
        if step.slug in answers and step.slug != "safety"
    ]
    return render(
        request,
        "guide/done.html",
        {
            "summary": summary,
            "results_url": _url(reverse("programs:list"), answers_query(answers, search=True)),
            "not_safe": _not_safe(answers),
            "left_out": [STEPS_BY_SLUG[slug].question for slug in bad],
            "back_url": step_url(STEPS[-1], everything),
        },
    )
