"""The unsubscribe link of every mail.

GET shows what the link would stop and a button; only a POST acts, so a link scanner that opens every
link in a mail unsubscribes nobody. The POST needs no CSRF token: the signed link is the proof, and it is
what a mail program's own button sends (RFC 8058: ``List-Unsubscribe=One-Click``).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from .models import Reason, Unsubscribe
from .unsubscribe import address_unsubscribe, read_unsubscribe_token


@csrf_exempt
@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    proven = read_unsubscribe_token(token)
    if proven is None:
        return render(request, "outbox/unsubscribe.html", {"invalid": True}, status=410)
    email, reason = proven
    label = Reason(reason).label if reason in Reason.values else reason
    context = {"email": email, "reason": label}
    if request.method != "POST":
        return render(request, "outbox/unsubscribe.html", context)
    everything = request.POST.get("what") == "all"
    address_unsubscribe(email=email, reason=Unsubscribe.ALL if everything else reason)
    return render(request, "outbox/unsubscribe.html", {**context, "done": True, "everything": everything})
