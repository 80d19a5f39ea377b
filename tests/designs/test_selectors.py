import pytest
from django.urls import reverse

from designs.selectors import VERSION_FILE_FIELDS, version_file_url
from tests.factories import ReadyVersionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", sorted(VERSION_FILE_FIELDS))
def test_file_urls_are_the_routes_reverse_gives(kind):
    version = ReadyVersionFactory(number=12, **{VERSION_FILE_FIELDS[kind]: "designs/x/file.bin"})
    expected = reverse(f"design-version-{kind}", kwargs={"pk": version.design_id, "number": 12})
    assert version_file_url(version, kind) == expected


def test_no_url_for_a_file_that_does_not_exist_yet():
    version = ReadyVersionFactory(preview="")
    assert version_file_url(version, "preview") is None
