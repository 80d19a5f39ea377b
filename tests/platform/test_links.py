"""URL patterns resolved once give the same paths as reverse() for every id."""

import pytest
from django.urls import reverse

from core.links import url_pattern


@pytest.mark.parametrize("pk", [1, 7, 918273645000, 2**40])
def test_a_pattern_gives_what_reverse_gives(pk):
    assert url_pattern("job-photo", "pk").format(pk=pk) == reverse("job-photo", kwargs={"pk": pk})
    for kind in ("file", "repaired", "preview", "thumbnail"):
        expected = reverse(f"design-version-{kind}", kwargs={"pk": pk, "number": 3})
        assert url_pattern(f"design-version-{kind}", "pk", "number").format(pk=pk, number=3) == expected
