"""The post form of the writer's desk: what a writer may set, checked by the same rules as the admin."""

from django import forms
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from pnyx.media.models import Image

from .. import roles
from ..models import Post, Term

STATUS_LABELS = {
    Post.Status.DRAFT: _("Draft"),
    Post.Status.PENDING: _("Pending review"),
    Post.Status.PUBLISHED: _("Publish now"),
    Post.Status.SCHEDULED: _("Schedule at a time"),
    Post.Status.PRIVATE: _("Private (staff only)"),
}

MAX_TAGS = 50


class PostForm(forms.ModelForm):
    slug = forms.SlugField(
        required=False, allow_unicode=True, max_length=200, help_text=_("Left empty, made from the title.")
    )
    categories = forms.ModelMultipleChoiceField(
        queryset=Term.objects.filter(taxonomy=Term.Taxonomy.CATEGORY),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(required=False, max_length=2000, help_text=_("Names separated by commas."))
    featured_image = forms.ModelChoiceField(
        queryset=Image.objects.all(),
        required=False,
        label=_("Featured image"),
        help_text=_("Shown above the post, in the lists of posts and in link previews. Upload it under Images."),
    )
    status = forms.ChoiceField()
    publish_at = forms.DateTimeField(
        required=False,
        label=_("Publish at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("For a scheduled post: when it goes out."),
    )

    class Meta:
        model = Post
        fields = ["title", "slug", "standfirst", "body", "featured_image", "password"]
        widgets = {
            "standfirst": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 24}),
            "password": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_perm("media.view_image"):
            del self.fields["featured_image"]  # a role that sees no image cannot choose one
        allowed = roles.allowed_statuses(user)
        self.fields["status"].choices = [(s, label) for s, label in STATUS_LABELS.items() if s in allowed]
        post = self.instance
        if post.pk:
            terms = list(post.terms.all())
            self.initial.setdefault("categories", [t.pk for t in terms if t.taxonomy == Term.Taxonomy.CATEGORY])
            self.initial.setdefault("tags", ", ".join(t.name for t in terms if t.taxonomy == Term.Taxonomy.TAG))
            self.initial.setdefault("status", post.status if post.status in allowed else Post.Status.PENDING)
            self.initial.setdefault("publish_at", timezone.localtime(post.published_at))

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"] or slugify(self.cleaned_data.get("title", ""), allow_unicode=True)[:190]
        if not slug:
            raise forms.ValidationError(_("Give the post a slug: its title has no letters to make one from."))
        if self.data.get("slug"):
            return slug  # chosen by the writer: the model's uniqueness check says if it is taken
        others = Post.objects.exclude(pk=self.instance.pk)
        unique, n = slug, 2
        while others.filter(slug=unique).exists():
            unique, n = f"{slug}-{n}", n + 1
        return unique

    def clean_tags(self) -> list[Term]:
        names = list(dict.fromkeys(n.strip() for n in self.cleaned_data["tags"].split(",") if n.strip()))
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(_("At most %(n)d tags.") % {"n": MAX_TAGS})
        tags, unknown = [], []
        for name in names:
            slug = slugify(name, allow_unicode=True)[:200]
            if not slug or len(name) > 200:
                raise forms.ValidationError(_("“%(name)s” cannot be a tag.") % {"name": name})
            term = Term.objects.filter(taxonomy=Term.Taxonomy.TAG, slug=slug).first()
            if term is None:
                unknown.append(name)
                term = Term(taxonomy=Term.Taxonomy.TAG, name=name, slug=slug)
            tags.append(term)
        if unknown and not self.user.has_perm("blog.add_term"):
            raise forms.ValidationError(
                _("You may only use existing tags; new: %(names)s.") % {"names": ", ".join(unknown)}
            )
        return tags

    def clean(self):
        data = super().clean()
        status, when = data.get("status"), data.get("publish_at")
        if status == Post.Status.SCHEDULED:
            if when is None:
                self.add_error("publish_at", _("Say when the post goes out."))
            elif when <= timezone.now():
                self.add_error("publish_at", _("A scheduled time must be in the future; or publish now."))
        return data

    def save(self, commit: bool = True) -> Post:
        post = super().save(commit=False)
        post.status = status = self.cleaned_data["status"]
        if post.status not in roles.allowed_statuses(self.user):  # the choices already refuse it
            post.status = Post.Status.PENDING
        was_out = self.instance.pk and Post.objects.filter(pk=post.pk).published().exists()
        if status == Post.Status.SCHEDULED:
            post.published_at = self.cleaned_data["publish_at"]
        elif status == Post.Status.PUBLISHED and not was_out:
            post.published_at = timezone.now()
        elif status in (Post.Status.DRAFT, Post.Status.PENDING) and self.cleaned_data.get("publish_at"):
            post.published_at = self.cleaned_data["publish_at"]  # the date it is meant to carry
        if commit:
            self.save_with_terms(post)
        return post

    def save_with_terms(self, post: Post) -> None:
        if post.author_id is None:
            post.author = self.user
        post.save()
        tags = self.cleaned_data["tags"]
        for tag in tags:
            if tag.pk is None:
                tag.save()
        post.terms.set([*self.cleaned_data["categories"], *tags])
