"""Every template, anywhere in its parameter space, gives a mesh a printer can take as it is."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designs.parametric import TEMPLATES, generate
from tests.designs.parametric.helpers import assert_printable_mesh, valid_parameters

SHELLS = {"box-with-lid": 2}
EXAMPLES_PER_TEMPLATE = 60


@pytest.mark.parametrize("slug", list(TEMPLATES))
def test_default_parameters_give_a_printable_mesh(slug):
    # Given a template's defaults
    # When it is generated
    mesh = generate(slug, {})
    # Then the mesh is closed, outward, on the plate and centred
    assert_printable_mesh(mesh, shells=SHELLS.get(slug, 1))


@pytest.mark.parametrize("slug", list(TEMPLATES))
def test_any_valid_parameters_give_a_printable_mesh(slug):
    template = TEMPLATES[slug]

    @settings(
        max_examples=EXAMPLES_PER_TEMPLATE,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(values=valid_parameters(template))
    def check(values):
        # Given any parameters the template accepts
        # When it is generated
        mesh = generate(slug, values)
        # Then the mesh is printable as it is
        assert_printable_mesh(mesh, shells=SHELLS.get(slug, 1))

    check()


@pytest.mark.parametrize("slug", list(TEMPLATES))
def test_same_parameters_give_byte_identical_meshes(slug):
    template = TEMPLATES[slug]

    @settings(max_examples=5, deadline=None, database=None)
    @given(values=valid_parameters(template), data=st.data())
    def check(values, data):
        # Given valid parameters, once canonical and once as the text a web form might send
        as_text = {name: str(value) if isinstance(value, float) else value for name, value in values.items()}
        # When both are generated
        first, second = generate(slug, values), generate(slug, as_text)
        # Then the meshes are the same bytes
        assert first.vertices.tobytes() == second.vertices.tobytes()
        assert first.faces.tobytes() == second.faces.tobytes()

    check()
