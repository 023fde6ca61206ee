import pytest

from pnyx.blog.models import Post
from pnyx.porting.detect import import_file
from tests.factories import PostFactory

from .conftest import wxr_comment, wxr_document, wxr_item

pytestmark = pytest.mark.django_db


def test_old_permalink_answers_301_to_the_pnyx_page(client, import_theme_unit_test):
    import_theme_unit_test()
    post = Post.objects.get(slug="page-with-comments")
    response = client.get("/about/page-with-comments/")
    assert response.status_code == 301 and response["Location"] == post.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_old_query_link_by_post_id_redirects_before_the_home_page(client, write_file):
    import_file(write_file(wxr_document(wxr_item(123, slug="tea"))))
    response = client.get("/?p=123")
    assert response.status_code == 301 and response["Location"] == "/posts/tea/"
    assert client.get("/2015/12/03/tea/")["Location"] == "/posts/tea/"
    assert client.get("/?p=999").status_code == 200  # an unknown id is just the home page


def test_unknown_paths_and_live_pages_are_left_alone(client):
    post = PostFactory(slug="live")
    assert client.get("/no/such/place/").status_code == 404
    assert client.get(post.get_absolute_url()).status_code == 200


def test_imported_comment_keeps_its_old_anchor_on_the_page(client, write_file):
    import_file(write_file(wxr_document(wxr_item(5, slug="anchored", comments=wxr_comment(4242)))))
    page = client.get("/posts/anchored/").content.decode()
    assert 'id="comment-4242"' in page
