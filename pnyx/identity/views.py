"""The identity app's pages: forgetting a guest, and signing in and out from the comment form.

The buttons that reach ``login`` and ``log_out`` sit on the cached post page, which carries no CSRF token:
the Origin check stands in for it (``pnyx.origin``), as for the comment form itself.
"""

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialApp
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from pnyx.origin import is_same_origin

from . import providers, signin
from .commenter import forget
from .models import Avatar


# The button sits on the cached post page, which carries no token: the Origin check stands in (origin.py).
@csrf_exempt
@require_POST
def forget_me(request: HttpRequest) -> HttpResponse:
    """This browser forgets the commenter's details and every proof it held."""
    if not is_same_origin(request):
        return HttpResponse(status=403)
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    forget(response)
    return response


def _draft_from(request: HttpRequest) -> signin.Draft | None:
    """The comment form as it was sent with a login button, if it came from a post page."""
    page = signin.local_path(request, request.POST.get("login_page", ""))
    action = signin.local_path(request, request.POST.get("login_action", ""))
    if not page or not action:
        return None
    return signin.Draft(
        page=page,
        action=action,
        text=request.POST.get("comment", "")[: signin.DRAFT_MAX_LENGTH],
        parent=request.POST.get("comment_parent", "").strip()[:20],
        js=bool(request.POST.get("js")),
    )


@csrf_exempt
@require_POST
def login(request: HttpRequest) -> HttpResponse:
    """A login button of the comment form: keep what was typed, then go to the provider.

    In a popup (``popup=1``) the page that opened it keeps the draft. Otherwise the whole form came
    here and the draft waits in the session for the way back (``back``). A reader already signed in is
    signed out first ("Change"), so that allauth's own switch of accounts cannot drop the draft.

    The provider is reached through a page, not a redirect: browsers hold a form's redirects to the
    page's ``form-action`` policy, which is this site alone.
    """
    if not is_same_origin(request):
        return HttpResponse(status=403)
    choice = request.POST.get("login", "")
    popup = request.POST.get("popup") == "1"
    draft = None if popup else _draft_from(request)
    if request.user.is_authenticated:
        get_account_adapter(request).logout(request)
    if draft is not None:
        signin.keep_draft(request, draft)
    back = reverse("identity:back") + ("?popup=1" if popup else "")
    if choice == providers.LOCAL:
        target = f"{reverse('account_login')}?{urlencode({'next': back})}"
        name = providers.name_of(choice, request)
    else:
        try:
            provider = get_social_adapter().get_provider(request, choice)
        except SocialApp.DoesNotExist:
            raise Http404 from None
        answer = provider.redirect(request, process="login", next_url=back)
        if answer.status_code != 302:
            return answer  # allauth's own error page
        target, name = answer["Location"], provider.name
    return render(request, "identity/connecting.html", {"target": target, "provider": name})


@never_cache
@require_GET
def back(request: HttpRequest) -> HttpResponse:
    """Where signing in ends. In the popup: a page that tells the post page and closes. Otherwise back to
    the comment: the post page, whose script restores the draft, or, without script, the draft itself."""
    if request.GET.get("popup") == "1":
        outcome = "signed-in" if request.user.is_authenticated else "failed"
        return render(request, "identity/popup_done.html", {"outcome": outcome})
    draft = signin.peek_draft(request)
    if draft is None:
        return redirect("/")
    if draft.js:
        return redirect(f"{draft.page}{draft.reply_query()}#respond")
    signin.take_draft(request, page=draft.page)
    response = render(request, "identity/draft.html", {"draft": draft})
    response["Cache-Control"] = "private, no-store"
    return response


@csrf_exempt
@require_POST
def log_out(request: HttpRequest) -> HttpResponse:
    """Log Out in the comment form: this site forgets the account in this browser (the provider is not
    told; the reader stays signed in there). The guest cookie is kept: it is this browser's, not the
    account's."""
    if not is_same_origin(request):
        return HttpResponse(status=403)
    get_account_adapter(request).logout(request)
    target = signin.local_path(request, request.POST.get("next", ""))
    if target:
        return redirect(target)
    return JsonResponse({"signed_in": False})


@require_GET
def avatar(request: HttpRequest, user_id: int) -> HttpResponse:
    """A reader's picture, as fetched once from their provider (``avatars``)."""
    picture = get_object_or_404(Avatar, user_id=user_id)
    response = HttpResponse(bytes(picture.image), content_type=picture.content_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
