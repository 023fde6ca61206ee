import pytest

from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_pages_forbid_third_party_loads_framing_and_inline_script(client):
    response = client.get(PostFactory().get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
