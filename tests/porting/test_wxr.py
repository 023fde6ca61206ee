from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from pnyx.blog.models import Post, Term
from pnyx.discussion.models import Comment
from pnyx.porting.detect import import_file
from tests.factories import UserFactory

from .conftest import wxr_comment, wxr_document, wxr_item

pytestmark = pytest.mark.django_db

# Counts of WordPress's theme unit test export, as the README beside the real exports lists them.
THEME_POSTS, THEME_PAGES, THEME_COMMENTS, THEME_REPLIES = 58, 21, 33, 10


def test_theme_unit_test_export_lands_whole(import_theme_unit_test):
    report = import_theme_unit_test()
    assert Post.objects.filter(kind=Post.Kind.POST).count() == THEME_POSTS
    assert Post.objects.filter(kind=Post.Kind.PAGE).count() == THEME_PAGES
    assert Comment.objects.count() == THEME_COMMENTS
    assert Comment.objects.filter(parent__isnull=False).count() == THEME_REPLIES
    assert report.created["posts"] == THEME_POSTS and report.created["pages"] == THEME_PAGES
    assert (
        report.skipped["attachments (fetched with --media; otherwise posts keep linking to them where they are)"] == 37
    )


def test_theme_unit_test_threads_keep_their_parents_depth_and_order(import_theme_unit_test):
    import_theme_unit_test()
    reply = Comment.objects.get(pk=1017)
    assert reply.parent_id == 168 and reply.depth == 1
    assert reply.path.startswith(reply.parent.path + "/")
    deepest = Comment.objects.order_by("-depth").first()
    chain = []
    node = deepest
    while node is not None:
        chain.append(node)
        node = node.parent
    assert deepest.depth == len(chain) - 1 >= 9
    page = Post.objects.get(slug="page-with-comments")
    assert page.kind == Post.Kind.PAGE and page.thread.is_open
    ordered = list(page.thread.comments.in_thread_order().values_list("pk", flat=True))
    assert ordered.index(168) < ordered.index(1017)


def test_theme_unit_test_statuses_kinds_and_counts(import_theme_unit_test):
    import_theme_unit_test()
    assert Comment.objects.filter(status=Comment.Status.PENDING).count() == 3
    assert Comment.objects.filter(kind=Comment.Kind.PINGBACK).count() == 2
    assert Comment.objects.filter(kind=Comment.Kind.TRACKBACK).count() == 2
    assert Post.objects.get(slug="scheduled").status == Post.Status.SCHEDULED
    assert Post.objects.filter(status=Post.Status.DRAFT).count() == 1
    page = Post.objects.get(slug="page-with-comments")
    assert page.thread.comment_count == page.thread.comments.public().count() == 3


def test_theme_unit_test_terms_keep_taxonomy_and_parents(import_theme_unit_test):
    import_theme_unit_test()
    child = Term.objects.get(taxonomy=Term.Taxonomy.CATEGORY, slug="child-2")
    assert child.parent.slug == "child-1" and child.parent.parent.slug == "parent"
    assert Term.objects.filter(taxonomy=Term.Taxonomy.TAG).exists()
    assert not Term.objects.filter(slug__startswith="all-pages").exists()  # nav_menu terms are skipped


def test_authors_become_inactive_users_who_cannot_sign_in(import_theme_unit_test):
    existing = UserFactory(username="themereviewteam", first_name="Kept")
    import_theme_unit_test()
    demos = get_user_model().objects.get(username="themedemos")
    assert not demos.is_active and not demos.has_usable_password()
    assert demos.first_name == "Theme Buster"
    existing.refresh_from_db()
    assert existing.first_name == "Kept" and existing.is_active
    assert Post.objects.filter(author=demos).exists()


def test_comment_by_a_registered_user_is_linked_to_that_author(import_theme_unit_test):
    import_theme_unit_test()
    assert Comment.objects.get(pk=903).user.username == "themedemos"
    # Registered, but under an email no exported author has: the name is kept, the link cannot be made.
    assert Comment.objects.get(pk=920).user is None
    assert Comment.objects.get(pk=1017).user is None


@pytest.mark.parametrize("name", ["valid-wxr-1.0.xml", "valid-wxr-1.1.xml", "wxr-comprehensive.xml"])
def test_every_wxr_version_imports(shared_data, name):
    report = import_file(shared_data / "wordpress-importer" / name)
    assert report.created["posts"] >= 1
    assert Comment.objects.count() == 1


def test_block_editor_delimiters_are_removed(shared_data):
    import_file(shared_data / "64-block-test-data.xml")
    assert Post.objects.exists()
    assert not Post.objects.filter(body__contains="<!-- wp:").exists()


def test_wordpress_com_export_with_undeclared_atom_prefix_imports(shared_data):
    import_file(shared_data / "wxr-other" / "nikola-wordpress_unicode_export.xml")
    assert Post.objects.filter(title__contains="Úñî©òðé").exists()


def test_modern_export_skips_global_styles_and_navigation(shared_data):
    report = import_file(shared_data / "wxr-other" / "jekyll-import-sitetitle.wordpress.2025-01-19.000.xml")
    reasons = " ".join(report.skipped)
    assert "wp_global_styles" in reasons and "wp_navigation" in reasons


def test_pelican_export_keeps_trashed_pingback_and_replies(shared_data):
    import_file(shared_data / "wxr-other" / "pelican-wordpressexport.xml")
    assert Comment.objects.count() == 4
    trashed = Comment.objects.get(status=Comment.Status.TRASH)
    assert trashed.kind == Comment.Kind.PINGBACK
    assert Comment.objects.get(pk=117).parent_id == 116
    # Comment 122 answers 121, which the export does not contain: it is kept, at the top level.
    assert Comment.objects.get(pk=122).parent is None


def test_classic_post_fields_dates_and_html_comment(write_file):
    content = (
        'First line\nsecond line\n\n[caption align="alignleft"]<img src="https://i.example/a.jpg" /> A cat[/caption]'
    )
    comment = wxr_comment(41, content='<p>I <em>like</em> <a href="https://x.example/">this</a></p>', user_id=7)
    title = "<![CDATA[Cats &amp; <em>dogs</em>]]>"
    path = write_file(wxr_document(wxr_item(12, title=title, content=content, comments=comment)))
    import_file(path)
    post = Post.objects.get()
    assert post.title == "Cats & dogs"
    assert post.body_format == Post.BodyFormat.HTML
    assert "<p>First line<br>\nsecond line</p>" in post.body_html
    assert "<figcaption>A cat</figcaption>" in post.body_html
    assert post.published_at == datetime(2015, 12, 3, 9, 0, tzinfo=UTC)
    assert post.import_ref == "wxr:https://old.example:post:12"
    comment = Comment.objects.get()
    assert comment.pk == 41 and comment.user.username == "ada"
    assert comment.body == "I *like* this (https://x.example/)"
    assert "<em>like</em>" in comment.body_html and 'href="https://x.example/"' in comment.body_html
    assert comment.ip == "192.0.2.41" and comment.author_url == "https://r41.example.org/"


def test_reply_listed_before_its_parent_is_threaded(write_file):
    comments = wxr_comment(52, parent=51, when="2015-12-05 10:00:00") + wxr_comment(51, when="2015-12-04 10:00:00")
    import_file(write_file(wxr_document(wxr_item(1, comments=comments))))
    reply = Comment.objects.get(pk=52)
    assert reply.parent_id == 51 and reply.depth == 1 and reply.path.startswith(reply.parent.path + "/")


def test_comment_whose_old_id_is_taken_gets_a_new_id_and_keeps_its_old_anchor(client, write_file):
    from tests.factories import CommentFactory

    taken = CommentFactory()
    report = import_file(write_file(wxr_document(wxr_item(1, slug="moved", comments=wxr_comment(taken.pk)))))
    imported = Comment.objects.get(import_ref__endswith=f":comment:{taken.pk}")
    assert imported.pk != taken.pk
    assert report.notes["comments whose old id is taken here (old #comment- links still work)"] == 1
    page = client.get("/posts/moved/").content.decode()
    anchor = page.index(f'<span id="comment-{taken.pk}"></span>')
    assert page.rindex(f'id="comment-{imported.pk}"', 0, anchor) > page.rindex("<li", 0, anchor)


def test_a_password_protected_post_stays_protected_by_its_password(write_file):
    extra = "<wp:post_password>secret</wp:post_password>"
    import_file(write_file(wxr_document(wxr_item(1, extra=extra))))
    post = Post.objects.get()
    assert (post.status, post.password) == (Post.Status.PUBLISHED, "secret")


def test_comment_posted_after_an_import_gets_a_fresh_id(write_file):
    """Ids taken from the source move PostgreSQL's sequence on; otherwise this insert would collide."""
    from tests.factories import CommentFactory

    import_file(write_file(wxr_document(wxr_item(1, comments=wxr_comment(1) + wxr_comment(2) + wxr_comment(900)))))
    fresh = CommentFactory(post=Post.objects.get())
    assert fresh.pk > 900


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)"])
def test_imported_websites_are_http_or_nothing_and_never_links(client, write_file, bad):
    comment = wxr_comment(5).replace("https://r5.example.org/", bad)
    import_file(write_file(wxr_document(wxr_item(1, slug="tea", comments=comment))))
    assert Comment.objects.get().author_url == ""
    page = client.get("/posts/tea/").content.decode()
    assert bad not in page and 'class="url"' not in page


def test_an_unpublished_imported_post_is_not_found_by_its_old_links(client, write_file):
    import_file(write_file(wxr_document(wxr_item(77, slug="secret-draft", status="draft"))))
    assert client.get("/?p=77").status_code == 200  # just the home page: the draft's slug is not given away
    assert "secret-draft" not in client.get("/?p=77").content.decode()
    assert client.get("/2015/12/03/secret-draft/").status_code == 404


def test_an_imported_post_keeps_its_guid_for_feeds(write_file):
    guid = '<guid isPermaLink="false">https://old.example/?p=12</guid>'
    import_file(write_file(wxr_document(wxr_item(12, extra=guid) + wxr_item(13))))
    kept, without = Post.objects.order_by("import_ref")
    assert kept.feed_id == "https://old.example/?p=12"
    assert without.guid == "" and without.feed_id.startswith("tag:")


def test_a_sticky_post_stays_sticky(write_file):
    import_file(write_file(wxr_document(wxr_item(12, extra="<wp:is_sticky>1</wp:is_sticky>") + wxr_item(13))))
    assert list(Post.objects.order_by("import_ref").values_list("is_sticky", flat=True)) == [True, False]
