from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from pnyx.origin import is_same_origin

from .commenter import forget


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
