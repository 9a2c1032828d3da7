"""The xsd primitive types of vim25, checked as a request's values arrive: what each type
accepts, in XML text (SOAP) or as a JSON value (VI/JSON), so that every value the model holds
is one the SOAP encoder can write, VI/JSON can carry and the state file can store.

Stricter than XML Schema in one way: doubles are finite (NaN and INF are lexically valid
xsd:double, but no JSON answer and no state file can hold them). A refusal is a BadValue
whose text is the first line of vCenter's InvalidRequest ("Cannot parse "x" as an int
value"); the codecs add where it was found.
"""
import math
import re
from datetime import timezone

from vimsim.vim25.data import parse_datetime

INT_RANGES = {"xsd:byte": (-2 ** 7, 2 ** 7 - 1), "xsd:short": (-2 ** 15, 2 ** 15 - 1),
              "xsd:int": (-2 ** 31, 2 ** 31 - 1), "xsd:long": (-2 ** 63, 2 ** 63 - 1)}
FLOAT_MAX = 3.4028234663852886e38  # the largest finite xsd:float
# An xsi:type may name the declared type or one derived from it (xsd:int is a long).
XSD_SUBTYPES = {"xsd:long": {"xsd:long", "xsd:int", "xsd:short", "xsd:byte"},
                "xsd:int": {"xsd:int", "xsd:short", "xsd:byte"},
                "xsd:short": {"xsd:short", "xsd:byte"}}
# What XML 1.0 cannot carry: C0 controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")
_DATETIME = re.compile(r"-?[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
                       r"(Z|[+-][0-9]{2}:[0-9]{2})?\Z")
_ARTICLE = {"xsd:int": "an int", "xsd:anyURI": "an anyURI"}
_JSON_KIND = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
              float: "number", type(None): "null"}


class BadValue(ValueError):
    pass


def type_label(xsd_type):
    """``xsd:int`` as vCenter's messages name it: ``int``."""
    return xsd_type[4:] if xsd_type.startswith("xsd:") else xsd_type


def quoted(text, limit=64):
    """A value as a message may show it: quoted, cut short, characters XML cannot carry
    written as U+XXXX (a message echoing them would be as unwritable as the value)."""
    if not isinstance(text, str):
        text = str(text)
    if len(text) > limit:
        text = text[:limit] + "..."
    return '"%s"' % xml_safe(text)


def xml_safe(text):
    """``text`` with every character XML 1.0 cannot carry written as U+XXXX."""
    if NOT_XML.search(text) is None:
        return text
    return NOT_XML.sub(lambda m: "U+%04X" % ord(m.group()), text)


def _cannot(value, xsd_type):
    return BadValue("Cannot parse %s as %s value" % (
        quoted(value), _ARTICLE.get(xsd_type, "a " + type_label(xsd_type))))


def check_string(text):
    """``text``, if XML 1.0 can carry every character of it."""
    bad = NOT_XML.search(text)
    if bad is not None:
        raise BadValue("Cannot parse a string holding U+%04X, a character XML 1.0 cannot "
                       "carry, as a string value" % ord(bad.group()))
    return text


def _integer(number, xsd_type, shown):
    low, high = INT_RANGES[xsd_type]
    if not low <= number <= high:
        raise _cannot(shown, xsd_type)
    return number


def _double(number, xsd_type, shown):
    try:
        finite = math.isfinite(number)
    except OverflowError:  # an int past what a double holds
        finite = False
    if not finite or (xsd_type == "xsd:float" and abs(number) > FLOAT_MAX):
        raise _cannot(shown, xsd_type)
    return number


def _datetime(text, xsd_type):
    if _DATETIME.match(text) is None:
        raise _cannot(text, xsd_type)
    try:
        value = parse_datetime(text)
        value.astimezone(timezone.utc)  # a time zone that takes it past year 1 or 9999
    except (ValueError, OverflowError):
        raise _cannot(text, xsd_type)
    return value


def from_text(text, xsd_type):
    """The value of an XML element's text declared as ``xsd_type`` (a SOAP request's)."""
    if xsd_type == "xsd:string" or xsd_type == "xsd:anyType":
        return text  # the XML parser let through only characters XML can carry
    text = text.strip()
    if xsd_type in INT_RANGES:
        if _INTEGER.match(text) is None:
            raise _cannot(text, xsd_type)
        return _integer(int(text), xsd_type, text)
    if xsd_type == "xsd:boolean":
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise _cannot(text, xsd_type)
    if xsd_type in ("xsd:double", "xsd:float"):
        if _DECIMAL.match(text) is None:
            raise _cannot(text, xsd_type)
        return _double(float(text), xsd_type, text)
    if xsd_type == "xsd:dateTime":
        return _datetime(text, xsd_type)
    return text  # anyURI, base64Binary: kept as the text they are


def from_json(value, xsd_type):
    """The value of a JSON value declared as ``xsd_type`` (a VI/JSON request's)."""
    cls = value.__class__
    if xsd_type in INT_RANGES:
        if cls is not int:
            raise _mismatch(value, xsd_type)
        return _integer(value, xsd_type, value)
    if xsd_type == "xsd:boolean":
        if cls is not bool:
            raise _mismatch(value, xsd_type)
        return value
    if xsd_type in ("xsd:double", "xsd:float"):
        if cls is not int and cls is not float:
            raise _mismatch(value, xsd_type)
        return _double(value, xsd_type, value)
    if cls is not str:
        raise _mismatch(value, xsd_type)
    check_string(value)
    if xsd_type == "xsd:dateTime":
        return _datetime(value, xsd_type)
    return value


def json_kind(value):
    """What a JSON value is, as messages name it: object, array, string, number, ..."""
    return _JSON_KIND.get(value.__class__, "value")


def _mismatch(value, xsd_type):
    return BadValue("Cannot parse a JSON %s as %s value" % (
        json_kind(value), _ARTICLE.get(xsd_type, "a " + type_label(xsd_type))))
