from functools import lru_cache

from django import forms
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from pnyx.markup import WEB_ADDRESS_MAX_LENGTH, web_address

from .conf import conf
from .models import Comment
from .posting import PARENT_GONE


def _max_length(name: str) -> int:
    """A field's length is the model's rule; the form only says so early, next to the field."""
    return Comment._meta.get_field(name).max_length


def clean_body(text: str) -> str:
    """The one rule for a comment's text as typed, for a new comment and for an edit alike."""
    body = text.strip()
    if not body:
        raise forms.ValidationError(_("Please type a comment."))
    if len(body) > conf.BODY_MAX_LENGTH:
        raise forms.ValidationError(
            _("Please keep your comment under %(max)s characters (it has %(n)s)."),
            params={"max": f"{conf.BODY_MAX_LENGTH:,}", "n": f"{len(body):,}"},
        )
    return body


class CommentForm(forms.Form):
    """The Leave a Reply form. Field names follow WordPress's, so browsers' autofill knows them."""

    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 45, "required": True}),
        error_messages={"required": _("Please type a comment.")},
    )
    author = forms.CharField(
        label=_("Name"),
        max_length=_max_length("author_name"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name", "size": 30}),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        max_length=_max_length("author_email"),
        help_text=_("(Address never made public)"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "size": 30}),
        error_messages={"invalid": _("Please enter a valid email address, like name@example.com.")},
    )
    url = forms.CharField(
        label=_("Website"),
        required=False,
        max_length=WEB_ADDRESS_MAX_LENGTH,
        widget=forms.URLInput(attrs={"autocomplete": "url", "size": 30}),
    )
    notify = forms.BooleanField(
        label=_("Notify me of follow-up comments by email"),
        required=False,
        help_text=_("(a guest's address must have been confirmed first)"),
    )
    follow = forms.BooleanField(label=_("Notify me of new comments on this post by email"), required=False)
    follow_blog = forms.BooleanField(label=_("Notify me of new posts by email"), required=False)
    comment_parent = forms.CharField(required=False, widget=forms.HiddenInput)
    # Set to "1" by the page's script: a reader with JavaScript sees a held comment in place.
    js = forms.CharField(required=False, widget=forms.HiddenInput)
    # The honeypot: hidden from people (and screen readers), filled in by form-spamming bots.
    fax_number = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.signed_in = signed_in
        if not signed_in:
            for name in ("author", "email"):
                self.fields[name].widget.attrs["required"] = True

    def clean_comment(self) -> str:
        return clean_body(self.cleaned_data["comment"])

    def clean_comment_parent(self) -> int | None:
        """The hidden reply target; a tampered value is reported above the form, not on an invisible field."""
        value = self.cleaned_data["comment_parent"].strip()
        if value in ("", "0"):
            return None
        if not value.isascii() or not value.isdigit() or int(value) >= 2**63:  # beyond any id: a tampered form
            self.add_error(None, PARENT_GONE)
            return None
        return int(value)

    def clean_author(self) -> str:
        name = self.cleaned_data["author"].strip()
        if not name and not self.signed_in:
            raise forms.ValidationError(_("Please enter your name."))
        return name

    def clean_url(self) -> str:
        """The one rule for websites (``markup.web_address``), with one message when it says no."""
        typed = self.cleaned_data["url"].strip()
        url = web_address(typed)
        if typed and not url:
            raise forms.ValidationError(_("Please enter a web address starting with http:// or https://."))
        return url

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if not email and not self.signed_in:
            raise forms.ValidationError(_("Please enter your email address; it is never published."))
        return email


@lru_cache(maxsize=64)
def blank_inputs(parent: int | None) -> dict[str, SafeString]:
    """The inputs of the form as a post page's GET shows it, empty (``parent``: the ``?replytocom`` it
    answers), rendered once per process: seven widget templates cost more than the rest of a short
    thread's page. They hold no text to translate and no per-visitor value."""
    form = CommentForm(auto_id="%s", initial={"comment_parent": parent})
    return {name: SafeString(str(form[name])) for name in form.fields}
