import pytest

pytestmark = pytest.mark.django_db

HUGE = "9" * 30


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", f"/comments/{HUGE}/"),
        ("post", f"/comments/thread/{HUGE}/"),
        ("get", f"/you/confirm/{'x' * 3000}/"),
        ("get", "/posts/" + "x" * 5000 + "/"),
        ("get", "/posts/%00/"),
    ],
)
def test_out_of_range_or_absurd_addresses_are_not_found_not_server_errors(client, method, url):
    response = getattr(client, method)(url, HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code in (404, 410)


def test_absurd_page_numbers_fall_back_to_a_real_page(client):
    assert client.get(f"/?page={HUGE}").status_code == 200
    assert client.get("/comments/mine/?thread=abc").json() == {"identity": None, "pending": []}
