"""The writer's image library at ``/write/images/``: upload an image (``pnyx.media``'s checks, as in the
admin) and copy the Markdown that shows it in a post. Authors and editors upload; contributors, as on
WordPress, only see what is there (``roles.IMAGES``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pnyx.media.forms import ImageForm
from pnyx.media.models import Image

from .. import roles
from .views import for_writers

IMAGES_PER_PAGE = 30


@for_writers
def image_library(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("media.view_image"):
        raise PermissionDenied
    may_upload = roles.may_upload(request.user)
    form = ImageForm(request.POST or None, request.FILES or None) if may_upload else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            form.instance.uploaded_by = request.user
            image = form.save()
            messages.success(request, _("Uploaded. Paste its Markdown into a post: %(md)s") % {"md": image.markdown})
            return redirect("writing:images")
    page = Paginator(Image.objects.all(), IMAGES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "blog/writing/images.html", {"form": form, "page": page}, status=400 if form and form.errors else 200
    )
