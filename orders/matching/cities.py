"""A small offline table of cities with coordinates, so a delivery place can be a city name.

The table works without any network or geocoding service (the platform must run on closed networks).
Coordinates are the usual city-centre points in decimal degrees (WGS 84), precise to about 100 m, which is
far better than the distances they feed (maker matching works in tens of kilometres).
"""

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class City:
    name: str
    country: str  # ISO 3166-1 alpha-2
    lat: float
    lon: float
    aliases: tuple[str, ...] = ()


def _city(name: str, country: str, lat: float, lon: float, *aliases: str) -> City:
    return City(name=name, country=country, lat=lat, lon=lon, aliases=aliases)


CITIES: tuple[City, ...] = (
    # Germany
    _city("Berlin", "DE", 52.5200, 13.4050),
    _city("Hamburg", "DE", 53.5511, 9.9937),
    _city("Munich", "DE", 48.1351, 11.5820, "München", "Muenchen"),
    _city("Cologne", "DE", 50.9375, 6.9603, "Köln", "Koeln"),
    _city("Frankfurt", "DE", 50.1109, 8.6821, "Frankfurt am Main"),
    _city("Stuttgart", "DE", 48.7758, 9.1829),
    _city("Düsseldorf", "DE", 51.2277, 6.7735, "Duesseldorf"),
    _city("Leipzig", "DE", 51.3397, 12.3731),
    _city("Dresden", "DE", 51.0504, 13.7373),
    _city("Hanover", "DE", 52.3759, 9.7320, "Hannover"),
    _city("Nuremberg", "DE", 49.4521, 11.0767, "Nürnberg", "Nuernberg"),
    _city("Bremen", "DE", 53.0793, 8.8017),
    # Benelux
    _city("Amsterdam", "NL", 52.3676, 4.9041),
    _city("Rotterdam", "NL", 51.9244, 4.4777),
    _city("Utrecht", "NL", 52.0907, 5.1214),
    _city("The Hague", "NL", 52.0705, 4.3007, "Den Haag", "'s-Gravenhage"),
    _city("Eindhoven", "NL", 51.4416, 5.4697),
    _city("Brussels", "BE", 50.8503, 4.3517, "Bruxelles", "Brussel"),
    _city("Antwerp", "BE", 51.2194, 4.4025, "Antwerpen", "Anvers"),
    _city("Ghent", "BE", 51.0543, 3.7174, "Gent", "Gand"),
    _city("Luxembourg", "LU", 49.6116, 6.1319),
    # France
    _city("Paris", "FR", 48.8566, 2.3522),
    _city("Lyon", "FR", 45.7640, 4.8357),
    _city("Marseille", "FR", 43.2965, 5.3698, "Marseilles"),
    _city("Toulouse", "FR", 43.6047, 1.4442),
    _city("Lille", "FR", 50.6292, 3.0573),
    _city("Bordeaux", "FR", 44.8378, -0.5792),
    _city("Nantes", "FR", 47.2184, -1.5536),
    _city("Strasbourg", "FR", 48.5734, 7.7521),
    # British Isles
    _city("London", "GB", 51.5074, -0.1278),
    _city("Manchester", "GB", 53.4808, -2.2426),
    _city("Birmingham", "GB", 52.4862, -1.8904),
    _city("Glasgow", "GB", 55.8642, -4.2518),
    _city("Edinburgh", "GB", 55.9533, -3.1883),
    _city("Bristol", "GB", 51.4545, -2.5879),
    _city("Leeds", "GB", 53.8008, -1.5491),
    _city("Dublin", "IE", 53.3498, -6.2603, "Baile Átha Cliath"),
    _city("Cork", "IE", 51.8985, -8.4756),
    # Iberia
    _city("Madrid", "ES", 40.4168, -3.7038),
    _city("Barcelona", "ES", 41.3874, 2.1686),
    _city("Valencia", "ES", 39.4699, -0.3763, "València"),
    _city("Seville", "ES", 37.3891, -5.9845, "Sevilla"),
    _city("Bilbao", "ES", 43.2630, -2.9350, "Bilbo"),
    _city("Lisbon", "PT", 38.7223, -9.1393, "Lisboa"),
    _city("Porto", "PT", 41.1579, -8.6291, "Oporto"),
    # Italy
    _city("Rome", "IT", 41.9028, 12.4964, "Roma"),
    _city("Milan", "IT", 45.4642, 9.1900, "Milano"),
    _city("Turin", "IT", 45.0703, 7.6869, "Torino"),
    _city("Naples", "IT", 40.8518, 14.2681, "Napoli"),
    _city("Bologna", "IT", 44.4949, 11.3426),
    _city("Florence", "IT", 43.7696, 11.2558, "Firenze"),
    # Alpine and central Europe
    _city("Vienna", "AT", 48.2082, 16.3738, "Wien"),
    _city("Graz", "AT", 47.0707, 15.4395),
    _city("Zurich", "CH", 47.3769, 8.5417, "Zürich", "Zuerich"),
    _city("Geneva", "CH", 46.2044, 6.1432, "Genève", "Genf"),
    _city("Basel", "CH", 47.5596, 7.5886, "Bâle"),
    _city("Prague", "CZ", 50.0755, 14.4378, "Praha", "Prag"),
    _city("Brno", "CZ", 49.1951, 16.6068),
    _city("Bratislava", "SK", 48.1486, 17.1077),
    _city("Budapest", "HU", 47.4979, 19.0402),
    _city("Warsaw", "PL", 52.2297, 21.0122, "Warszawa", "Warschau"),
    _city("Krakow", "PL", 50.0647, 19.9450, "Kraków", "Cracow"),
    _city("Wroclaw", "PL", 51.1079, 17.0385, "Wrocław", "Breslau"),
    _city("Gdansk", "PL", 54.3520, 18.6466, "Gdańsk", "Danzig"),
    _city("Ljubljana", "SI", 46.0569, 14.5058),
    _city("Zagreb", "HR", 45.8150, 15.9819),
    # Nordic and Baltic
    _city("Copenhagen", "DK", 55.6761, 12.5683, "København", "Kobenhavn"),
    _city("Aarhus", "DK", 56.1629, 10.2039, "Århus"),
    _city("Stockholm", "SE", 59.3293, 18.0686),
    _city("Gothenburg", "SE", 57.7089, 11.9746, "Göteborg"),
    _city("Malmo", "SE", 55.6050, 13.0038, "Malmö"),
    _city("Oslo", "NO", 59.9139, 10.7522),
    _city("Bergen", "NO", 60.3913, 5.3221),
    _city("Helsinki", "FI", 60.1699, 24.9384, "Helsingfors"),
    _city("Tampere", "FI", 61.4978, 23.7610),
    _city("Reykjavik", "IS", 64.1466, -21.9426, "Reykjavík"),
    _city("Tallinn", "EE", 59.4370, 24.7536),
    _city("Riga", "LV", 56.9496, 24.1052, "Rīga"),
    _city("Vilnius", "LT", 54.6872, 25.2797),
    # South-east Europe
    _city("Athens", "GR", 37.9838, 23.7275, "Athina", "Athína"),
    _city("Bucharest", "RO", 44.4268, 26.1025, "București", "Bucuresti"),
    _city("Sofia", "BG", 42.6977, 23.3219),
    _city("Belgrade", "RS", 44.7866, 20.4489, "Beograd"),
    _city("Istanbul", "TR", 41.0082, 28.9784, "İstanbul"),
    # Americas
    _city("New York", "US", 40.7128, -74.0060, "New York City", "NYC"),
    _city("Chicago", "US", 41.8781, -87.6298),
    _city("Los Angeles", "US", 34.0522, -118.2437),
    _city("San Francisco", "US", 37.7749, -122.4194),
    _city("Honolulu", "US", 21.3069, -157.8583),
    _city("Toronto", "CA", 43.6532, -79.3832),
    _city("Mexico City", "MX", 19.4326, -99.1332, "Ciudad de México"),
    _city("São Paulo", "BR", -23.5505, -46.6333, "Sao Paulo"),
    _city("Buenos Aires", "AR", -34.6037, -58.3816),
    # Asia and Oceania
    _city("Tokyo", "JP", 35.6762, 139.6503),
    _city("Seoul", "KR", 37.5665, 126.9780),
    _city("Beijing", "CN", 39.9042, 116.4074),
    _city("Shanghai", "CN", 31.2304, 121.4737),
    _city("Shenzhen", "CN", 22.5431, 114.0579),
    _city("Singapore", "SG", 1.3521, 103.8198),
    _city("Mumbai", "IN", 19.0760, 72.8777, "Bombay"),
    _city("Bengaluru", "IN", 12.9716, 77.5946, "Bangalore"),
    _city("Dubai", "AE", 25.2048, 55.2708),
    _city("Sydney", "AU", -33.8688, 151.2093),
    _city("Melbourne", "AU", -37.8136, 144.9631),
    _city("Auckland", "NZ", -36.8485, 174.7633),
    _city("Suva", "FJ", -18.1416, 178.4419),
    # Africa
    _city("Cairo", "EG", 30.0444, 31.2357),
    _city("Lagos", "NG", 6.5244, 3.3792),
    _city("Nairobi", "KE", -1.2921, 36.8219),
    _city("Johannesburg", "ZA", -26.2041, 28.0473),
    _city("Cape Town", "ZA", -33.9249, 18.4241),
)


def normalise_place_name(name: str) -> str:
    """Fold case, accents and punctuation so that "MÜNCHEN", "münchen" and " Munchen " become one key.

    NFKD splits "ü" into "u" plus a combining mark, which is dropped; ``casefold`` also maps "ß" to "ss".
    Hyphens, dots and apostrophes become spaces and runs of spaces collapse, so "Frankfurt-am-Main" and
    "frankfurt am main" are one key.
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(character for character in decomposed if not unicodedata.combining(character))
    for separator in "-.'’,":
        letters = letters.replace(separator, " ")
    return " ".join(letters.split())


def _build_index(cities: tuple[City, ...]) -> dict[str, City]:
    index: dict[str, City] = {}
    for city in cities:
        for spelling in (city.name, *city.aliases):
            key = normalise_place_name(spelling)
            # The first city listed wins a shared spelling; the table has none today, keep it predictable.
            index.setdefault(key, city)
    return index


_CITY_BY_NAME = _build_index(CITIES)


def find_city(name: str) -> City | None:
    """The city whose English or local name matches ``name`` ignoring case and accents, or None."""
    if not name or not name.strip():
        return None
    return _CITY_BY_NAME.get(normalise_place_name(name))
