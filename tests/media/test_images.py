"""An image's way into the library (``pnyx.media.images``): real pictures made by Pillow, read by content,
cleaned of what they say about the writer, resized; and every kind of bad file refused, storing nothing."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import Image as PILImage

from pnyx.media.images import image_create
from pnyx.media.models import Image
from tests.factories import library_image, picture_bytes, upload

pytestmark = pytest.mark.django_db

ORIENTATION, GPS_IFD, MAKE = 0x0112, 0x8825, 0x010F


def _stored(name: str) -> PILImage.Image:
    with default_storage.open(name) as f:
        picture = PILImage.open(BytesIO(f.read()))
        picture.load()
        return picture


def _phone_photo() -> bytes:
    """A photo as a phone saves it: turned on its side (orientation 6), with the camera and the place."""
    exif = PILImage.Exif()
    exif[ORIENTATION] = 6
    exif[MAKE] = "PocketCam"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 18.0)})
    return picture_bytes("JPEG", (2000, 1000), exif=exif.tobytes())


def _refusal(data: bytes, name: str = "photo.jpg") -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        image_create(upload=upload(data, name), alt="Something")
    assert not Image.objects.exists()
    return refused.value


def test_a_phone_photo_is_stored_upright_without_its_camera_or_place():
    image = image_create(upload=upload(_phone_photo(), "IMG_0001.JPG"), alt="The harbour at dawn")
    assert (image.width, image.height) == (1000, 2000)  # turned as its EXIF said
    stored = _stored(image.file.name)
    assert stored.format == "JPEG" and stored.size == (1000, 2000)
    assert not stored.getexif() and "exif" not in stored.info
    assert b"PocketCam" not in default_storage.open(image.file.name).read()
    assert image.file.name.startswith("images/") and image.file.name.endswith(".jpg")


def test_narrower_copies_are_made_for_srcset_and_never_wider_than_the_original():
    image = library_image(size=(1200, 800))
    assert [(w, h) for w, h, _name in image.variants] == [(480, 320), (960, 640)]
    for width, height, name in image.variants:
        assert _stored(name).size == (width, height)
    assert image.srcset.endswith(f"{image.url} 1200w") and "-480w.jpg 480w" in image.srcset
    small = library_image(size=(300, 200))
    assert small.variants == [] and small.srcset == f"{small.url} 300w"


@pytest.mark.parametrize(
    ("data", "name", "kind", "ext"),
    [
        (picture_bytes("PNG", (700, 500), mode="RGBA"), "drawing.jpg", "PNG", "png"),  # the name lies
        (picture_bytes("WEBP", (700, 500)), "photo", "WEBP", "webp"),
        (picture_bytes("JPEG", (700, 500), mode="CMYK"), "print.jpeg", "JPEG", "jpg"),
    ],
)
def test_images_are_read_by_their_content_not_their_name(data, name, kind, ext):
    image = image_create(upload=upload(data, name), alt="A drawing")
    assert image.file.name.endswith(f".{ext}") and _stored(image.file.name).format == kind
    assert [w for w, _h, _n in image.variants] == [480]


def test_a_transparent_palette_png_stays_transparent():
    drawing = PILImage.new("P", (600, 300), 0)
    drawing.putpalette([255, 255, 255, 200, 30, 30] + [0] * 762)
    drawing.paste(1, (100, 100, 500, 200))
    buffer = BytesIO()
    drawing.save(buffer, "PNG", transparency=0)
    image = image_create(upload=upload(buffer.getvalue(), "logo.png"), alt="A red bar")
    assert _stored(image.file.name).convert("RGBA").getpixel((10, 10))[3] == 0
    assert _stored(image.variants[0][2]).convert("RGBA").getpixel((10, 10))[3] == 0


def test_an_animated_gif_keeps_its_frames():
    frames = [PILImage.new("RGB", (120, 80), colour) for colour in ("red", "green", "blue")]
    buffer = BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    image = image_create(upload=upload(buffer.getvalue(), "spinner.gif"), alt="A spinner")
    assert _stored(image.file.name).n_frames == 3 and image.variants == []


def _files(folder: str = "images") -> set[str]:
    """Every file the library's storage holds below ``folder``, however deep."""
    if not default_storage.exists(folder):
        return set()
    folders, files = default_storage.listdir(folder)
    return {f"{folder}/{name}" for name in files}.union(*(_files(f"{folder}/{sub}") for sub in folders))


def test_a_broken_image_is_refused_and_nothing_is_stored():
    whole = picture_bytes("JPEG", (800, 600))
    files_before = _files()
    error = _refusal(whole[: len(whole) // 2])
    assert error.code == "broken" and "damaged or incomplete" in error.messages[0]
    assert _files() == files_before


def test_an_image_whose_row_cannot_be_written_leaves_no_file(monkeypatch):
    files_before = _files()

    def refuse(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Image, "save", refuse)
    with pytest.raises(RuntimeError):
        image_create(upload=upload(picture_bytes("JPEG", (2000, 1500)), "harbour.jpg"), alt="A harbour")
    assert _files() == files_before


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7 not a picture at all", b"", picture_bytes("BMP", (50, 50)), picture_bytes("TIFF", (50, 50))],
)
def test_a_file_that_is_not_a_web_image_is_refused(data):
    error = _refusal(data, "holiday.jpg")
    assert error.code == "not_image" and "JPEG, PNG, GIF or WebP" in error.messages[0]


def test_an_oversized_file_is_refused_before_it_is_opened(settings):
    settings.PNYX_MEDIA_MAX_BYTES = 20_000
    data = picture_bytes("PNG", (400, 400), fill="noise")
    assert len(data) > 20_000
    error = _refusal(data, "big.png")
    assert error.code == "too_large" and "19.5\xa0KB" in error.messages[0]


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded(settings):
    settings.PNYX_MEDIA_MAX_PIXELS = 40_000_000
    bomb = picture_bytes("PNG", (8000, 8000), mode="1", fill="plain")  # a few kilobytes, 64 million pixels
    assert len(bomb) < 100_000
    error = _refusal(bomb, "bomb.png")
    assert error.code == "too_many_pixels" and "8000 × 8000" in error.messages[0] and "40 million" in error.messages[0]


def test_alt_text_is_required():
    with pytest.raises(ValidationError) as refused:
        image_create(upload=upload(picture_bytes()), alt="   ")
    assert refused.value.code == "alt" and not Image.objects.exists()


def test_deleting_an_image_removes_its_files(django_capture_on_commit_callbacks):
    image = library_image()
    names = image.file_names()
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert not any(default_storage.exists(name) for name in names)
