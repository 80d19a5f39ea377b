"""XML inside uploads (3MF) is read with entities and DTDs switched off.

3MF never needs a document type declaration. Any ``<!DOCTYPE`` or ``<!ENTITY`` is refused before a parser
sees the bytes: that alone stops entity expansion ("billion laughs") and external entities
(``file:///etc/passwd``, network URLs). The lxml parser used for the small XML parts is hardened as well
(no entity resolution, no network, no DTD loading, no huge trees) as a second line of defence.
"""

import re

from ..errors import MeshError

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def reject_declarations(data: bytes, *, label: str) -> None:
    if _DECLARATION.search(data):
        raise MeshError(
            "unsafe_xml",
            f"The {label} contains an XML document type or entity declaration, which 3D model files never "
            "need and which can be used to read server files or exhaust memory; the file was refused.",
        )


def hardened_parser():
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_small_xml(data: bytes, *, label: str):
    """Parse a small XML part (relationships, content types) safely; returns the root element."""
    from lxml import etree

    reject_declarations(data, label=label)
    try:
        return etree.fromstring(data, parser=hardened_parser())
    except etree.XMLSyntaxError as error:
        raise MeshError("unreadable", f"The {label} is not well-formed XML ({error}).")
