import pytest

from accounts.addresses import Address, AddressError, normalise_postcode, postcode_required, validate_address


def address(**changes) -> dict:
    data = {
        "name": "Jürgen Müller",
        "line1": "Hauptstraße 1",
        "line2": "",
        "postcode": "10115",
        "city": "Berlin",
        "country": "DE",
        "phone": "",
    }
    return {**data, **changes}


def error_of(**changes) -> AddressError:
    with pytest.raises(AddressError) as caught:
        validate_address(address(**changes))
    return caught.value


@pytest.mark.parametrize(
    ("country", "postcode", "city", "written"),
    [
        ("DE", "10115", "Berlin", "10115"),
        ("DE", "D-80331", "München", "80331"),  # the old plate prefix
        ("FR", "75 001", "Paris", "75001"),
        ("FR", "F-75001", "Paris", "75001"),
        ("NL", "3511ab", "Utrecht", "3511 AB"),
        ("NL", "NL-3511 AB", "Utrecht", "3511 AB"),
        ("PL", "00950", "Warszawa", "00-950"),
        ("PL", "80-831", "Gdańsk", "80-831"),
        ("IE", "d02 x285", "Dublin", "D02 X285"),
        ("IE", "", "Cork", ""),  # an Eircode is optional
        ("GB", "sw1a1aa", "London", "SW1A 1AA"),
        ("GB", "M1 1AE", "Manchester", "M1 1AE"),
        ("US", "94105", "San Francisco", "94105"),
        ("US", "94105 1234", "San Francisco", "94105-1234"),
        ("AT", "A-1010", "Wien", "1010"),
        ("ES", "28013", "Madrid", "28013"),
        ("SE", "11418", "Stockholm", "114 18"),
        ("CZ", "11000", "Praha", "110 00"),
        ("PT", "1000001", "Lisboa", "1000-001"),
        ("LV", "1050", "Rīga", "LV-1050"),
        ("LU", "L-1234", "Luxembourg", "1234"),
        ("MT", "vlt1117", "Valletta", "VLT 1117"),
        ("CH", "8001", "Zürich", "8001"),
        ("NO", "0150", "Oslo", "0150"),
        ("HK", "", "Hong Kong", ""),  # no postcodes there
    ],
)
def test_valid_addresses_are_normalised(country, postcode, city, written):
    result = validate_address(address(country=country, postcode=postcode, city=city))

    assert result == Address(
        name="Jürgen Müller",
        line1="Hauptstraße 1",
        line2="",
        postcode=written,
        city=city,
        country=country,
        phone="",
    )


def test_the_country_is_upper_cased_and_text_is_trimmed():
    result = validate_address(address(country=" de ", name="  Jürgen   Müller ", line2="  Hinterhaus  "))

    assert result.country == "DE"
    assert result.name == "Jürgen Müller"
    assert result.line2 == "Hinterhaus"


def test_control_and_bidi_characters_are_stripped():
    result = validate_address(
        address(name="Ann\x00a\u202e Smith", line1="Main St 1\r\nBack door\t2", city="Ber\u200flin")
    )

    assert result.name == "Anna Smith"
    assert result.line1 == "Main St 1 Back door 2"
    assert result.city == "Berlin"


def test_missing_keys_count_as_empty_and_unknown_keys_are_ignored():
    result = validate_address(
        {"name": "A", "line1": "B", "postcode": "10115", "city": "Berlin", "country": "DE", "x": 1}
    )

    assert (result.line2, result.phone) == ("", "")


@pytest.mark.parametrize(
    ("country", "postcode", "message"),
    [
        ("DE", "1234", "Postcode '1234' is not a valid postcode in Germany."),
        ("DE", "123456", "Postcode '123456' is not a valid postcode in Germany."),
        ("NL", "12345", "Postcode '12345' is not a valid postcode in The Netherlands."),
        ("NL", "1234 SS", "Postcode '1234 SS' is not a valid postcode in The Netherlands."),  # python-stdnum's rule
        ("ES", "99999", "Postcode '99999' is not a valid postcode in Spain."),  # no province 99
        ("PL", "0095", "Postcode '0095' is not a valid postcode in Poland."),
        ("GB", "12345", "Postcode '12345' is not a valid postcode in United Kingdom."),
        ("IE", "12345", "Postcode '12345' is not a valid postcode in Ireland."),
        ("US", "9410", "Postcode '9410' is not a valid postcode in United States."),
    ],
)
def test_bad_postcodes_name_the_field_and_the_country(country, postcode, message):
    error = error_of(country=country, postcode=postcode)

    assert error.field == "postcode"
    assert error.message == message
    assert str(error) == message


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("name", "Name is required."),
        ("line1", "Address line 1 is required."),
        ("city", "City is required."),
        ("country", "Country is required."),
        ("postcode", "Postcode is required for an address in Germany."),
    ],
)
def test_a_missing_required_field_is_named(field, message):
    error = error_of(**{field: "   "})

    assert (error.field, error.message) == (field, message)


def test_line2_and_phone_are_optional():
    result = validate_address(address(line2=None, phone=None))

    assert (result.line2, result.phone) == ("", "")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("XX", "Country 'XX' is not a known ISO 3166-1 country code (two letters, e.g. DE)."),
        ("DEU", "Country 'DEU' is not a known ISO 3166-1 country code (two letters, e.g. DE)."),
        ("Germany", "Country 'Germany' is not a known ISO 3166-1 country code (two letters, e.g. DE)."),
        ("UK", "Country 'UK' is not an ISO country code: United Kingdom is GB."),
        ("EL", "Country 'EL' is not an ISO country code: Greece is GR."),
    ],
)
def test_an_unknown_country_is_named(code, message):
    error = error_of(country=code)

    assert (error.field, error.message) == ("country", message)


@pytest.mark.parametrize(("field", "limit"), [("name", 120), ("line1", 120), ("line2", 120), ("city", 80)])
def test_length_limits(field, limit):
    assert getattr(validate_address(address(**{field: "x" * limit})), field) == "x" * limit
    error = error_of(**{field: "x" * (limit + 1)})

    assert error.field == field
    assert f"at most {limit} characters ({limit + 1} given)" in error.message


def test_phone_numbers():
    assert validate_address(address(phone="+49 (30) 1234-5678")).phone == "+49 (30) 1234-5678"
    assert validate_address(address(phone="030 123456")).phone == "030 123456"
    assert error_of(phone="+49 30 CALL ME").message.startswith("Phone may contain only digits")
    assert error_of(phone="49+30").field == "phone"
    assert error_of(phone="12345").message == "Phone must have 6 to 20 digits (5 given)."
    assert error_of(phone="1" * 21).message == "Phone must have 6 to 20 digits (21 given)."
    assert "at most 32 characters" in error_of(phone="1 " * 17).message


def test_non_text_values_are_refused_by_field():
    error = error_of(postcode=10115)

    assert (error.field, error.message) == ("postcode", "Postcode must be text.")


def test_postcode_helpers():
    assert postcode_required("DE")
    assert not postcode_required("IE")
    assert not postcode_required("AG")  # no postcodes in Antigua and Barbuda
    assert normalise_postcode("", "DE") == ""
    assert normalise_postcode(" st. john's ", "AG") == "ST. JOHN'S"
