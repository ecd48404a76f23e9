"""The office's people page: every champion and focal point of the active champions, whether they
can sign in yet, and their invitations (accounts/invitations.py). A champion with no account is
listed too, as "no email yet"."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import CharField, Count, F, IntegerField, Prefetch, Q, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import office_required
from accounts.invitations import invite
from accounts.models import SignInState, User
from champions.models import Champion, Hub, Organization

PEOPLE_PER_PAGE = 50
# The alumni the page lists (champions who handed over), the latest first.
ALUMNI_LISTED = 100


class PeopleFilterForm(forms.Form):
    """The page's filters; a value that is not one of the choices is ignored (and said so)."""

    q = forms.CharField(
        label=gettext_lazy("Name or email"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "type": "search"}),
    )
    state = forms.ChoiceField(
        label=gettext_lazy("Sign-in"),
        required=False,
        choices=[("", gettext_lazy("Any")), *SignInState.choices],
    )
    hub = forms.ModelChoiceField(
        Hub.objects.all(), label=gettext_lazy("Hub"), required=False, empty_label=gettext_lazy("Any hub")
    )
    organization = forms.ModelChoiceField(
        Organization.objects.all(),
        label=gettext_lazy("Organization"),
        required=False,
        empty_label=gettext_lazy("Any organization"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("state", "hub", "organization"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def filters(self):
        """The values that are valid (cleaned_data holds no other)."""
        self.is_valid()
        return self.cleaned_data

    def ignored(self):
        return [str(self.fields[name].label) for name in self.errors]


@dataclass
class Person:
    """A row of the page: a user who acts for champions, or a champion with no account."""

    name: str
    user: User | None = None
    champion: Champion | None = None

    @property
    def roles(self):
        if self.user is None:
            return [("champion", self.champion)]
        return self.user.champion_roles

    @property
    def organizations(self):
        return list(dict.fromkeys(champion.organization.short_name for _, champion in self.roles))

    @property
    def hubs(self):
        return list(dict.fromkeys(champion.hub.name for _, champion in self.roles if champion.hub))

    @property
    def state(self):
        return self.user.sign_in_state if self.user else SignInState.NO_EMAIL

    @property
    def state_label(self):
        return SignInState(self.state).label


def _champions(filters):
    champions = Champion.objects.active()
    if filters.get("hub"):
        champions = champions.filter(hub=filters["hub"])
    if filters.get("organization"):
        champions = champions.filter(organization=filters["organization"])
    return champions


def _matching(filters):
    """The people the filters other than the sign-in state select: users acting for the matching
    champions (with their sign-in state), and the matching champions with no account."""
    champions = _champions(filters)
    users = champions.acting_users().with_sign_in_state()
    no_account = champions.filter(user__isnull=True)
    if filters.get("q"):
        words = filters["q"]
        users = users.filter(Q(full_name__icontains=words) | Q(email__icontains=words))
        no_account = no_account.filter(full_name__icontains=words)
    return users, no_account


def _rows(filters):
    """The page's rows, in order: (sort name, user id or None, champion id or None), one query's
    worth of people acting for the matching champions and champions with no account."""
    users, no_account = _matching(filters)
    state = filters.get("state")
    if state == SignInState.NO_EMAIL:
        users = users.none()
    elif state:
        users = users.filter(sign_in_state=state)
        no_account = no_account.none()
    no_id = Value(None, output_field=IntegerField())
    # Why order_by() on each part: SQLite refuses an ORDER BY inside a UNION's parts (the models'
    # default orderings); the union is ordered as a whole.
    users = (
        users.order_by()
        .annotate(
            sort_name=Lower(Coalesce(NullIf("full_name", Value("")), "email", output_field=CharField())),
            user_pk=F("pk"),
            champion_pk=no_id,
        )
        .values_list("sort_name", "user_pk", "champion_pk")
    )
    no_account = (
        no_account.order_by()
        .annotate(sort_name=Lower("full_name"), user_pk=no_id, champion_pk=F("pk"))
        .values_list("sort_name", "user_pk", "champion_pk")
    )
    return users.union(no_account, all=True).order_by("sort_name", "user_pk", "champion_pk")


def _people(rows):
    """The page's rows as Person, in three queries whatever their number."""
    user_ids = [user_pk for _, user_pk, _ in rows if user_pk]
    champion_ids = [champion_pk for _, _, champion_pk in rows if champion_pk]
    users = (
        User.objects.filter(pk__in=user_ids)
        .with_sign_in_state()
        .select_related("champion__organization", "champion__hub")
        .prefetch_related(
            Prefetch(
                "served_champions",
                queryset=Champion.objects.active().select_related("organization", "hub"),
            )
        )
        .in_bulk()
    )
    champions = Champion.objects.select_related("organization", "hub").in_bulk(champion_ids)
    people = []
    for _sort_name, user_pk, champion_pk in rows:
        if user_pk:
            user = users[user_pk]
            people.append(Person(name=user.get_full_name(), user=user))
        else:
            champion = champions[champion_pk]
            people.append(Person(name=champion.full_name, champion=champion))
    return people


def _counts(filters):
    """How many people the other filters (hub, organization, name) select are in each state: the
    counts beside the page's state links, which keep those filters (two queries)."""
    users, no_account = _matching(filters)
    by_state = users.values("sign_in_state").annotate(count=Count("pk")).order_by()
    counts = dict.fromkeys(SignInState.values, 0)
    counts.update({row["sign_in_state"]: row["count"] for row in by_state})
    counts[SignInState.NO_EMAIL] = no_account.count()
    return counts


@office_required
def people(request):
    """Every champion and focal point, filtered and searched, with their sign-in state and the
    invitation buttons; in a fixed number of queries whatever their number."""
    form = PeopleFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(_rows(filters), PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    counts = _counts(filters)
    query = QueryDict(mutable=True)
    query.update({name: request.GET[name] for name in form.fields if request.GET.get(name)})
    # A state's link keeps the other filters chosen.
    others = query.copy()
    others.pop("state", None)
    others = others.urlencode() + "&" if others else ""
    context = {
        "form": form,
        "page": page,
        "people": _people(page.object_list),
        "counts": [
            (state, label, counts[state], f"?{others}state={state}") for state, label in SignInState.choices
        ],
        # What "invite everyone" does: everyone not invited yet, whatever the filters.
        "not_invited": _not_invited().count() if others else counts[SignInState.NOT_INVITED],
        "not_signed_in": sum(counts.values()) - counts[SignInState.SIGNED_IN],
        "query": query.urlencode(),
        "here": query.urlencode() + (f"&page={page.number}" if page.number > 1 else ""),
        "states": SignInState,
        "alumni": Champion.objects.alumni()
        .select_related("organization")
        .order_by("-left_on", "full_name")[:ALUMNI_LISTED],
    }
    return render(request, "dashboard/people.html", context)


def _not_invited():
    """Everyone acting for an active champion who has not been invited yet."""
    return (
        Champion.objects.active()
        .acting_users()
        .with_sign_in_state()
        .filter(sign_in_state=SignInState.NOT_INVITED)
    )


@office_required
@require_POST
def invite_everyone(request):
    """Invite everyone not invited yet (no password, never invited), in one action: what the office
    does after importing a network."""
    result = invite(_not_invited().values_list("pk", flat=True), request.user, again=False)
    if result.sent:
        messages.success(
            request,
            ngettext(
                "An invitation was emailed to %(count)s person: their link works for %(days)s days.",
                "Invitations were emailed to %(count)s people: their links work for %(days)s days.",
                len(result.sent),
            )
            % {"count": len(result.sent), "days": _days(result.sent[0])},
        )
    else:
        messages.info(request, _("Nobody is left to invite: everyone has been invited or can sign in."))
    return _back(request)


@office_required
@require_POST
def invite_person(request, pk):
    """Invite one person, or send their invitation again (the earlier link stops working): at most
    once a day."""
    acting = Champion.objects.active().acting_users()
    if not acting.filter(pk=pk).exists():
        raise Http404("Not a person of an active champion.")
    result = invite([pk], request.user)
    if result.sent:
        invitation = result.sent[0]
        messages.success(
            request,
            _("An invitation was emailed to %(name)s (%(email)s); its link works until %(expires)s.")
            % {
                "name": invitation.user.get_full_name(),
                "email": invitation.user.email,
                "expires": date_format(localtime(invitation.expires_at), "DATETIME_FORMAT"),
            }
            + (" " + _("Earlier links no longer work.") if invitation.user.invited_at else ""),
        )
    elif result.too_soon:
        person = result.too_soon[0]
        messages.warning(
            request,
            _(
                "%(name)s was invited less than a day ago: an invitation can be sent again from "
                "%(when)s. Until then, the link already sent works."
            )
            % {
                "name": person.get_full_name(),
                "when": date_format(localtime(result.resend_from(person)), "DATETIME_FORMAT"),
            },
        )
    elif result.not_needed:
        person = result.not_needed[0]
        if person.is_active:
            messages.info(request, _("%(name)s can sign in already.") % {"name": person.get_full_name()})
        else:
            messages.warning(
                request,
                _("%(name)s's account is deactivated: reactivate it in admin before inviting them.")
                % {"name": person.get_full_name()},
            )
    return _back(request)


def _days(invitation):
    return (invitation.expires_at - invitation.created_at).days


def _back(request):
    """The people page as it was (its filters and page), from the form's `here`."""
    query = QueryDict(request.POST.get("here", "")).urlencode()
    return redirect(reverse("dashboard_people") + (f"?{query}" if query else ""))
