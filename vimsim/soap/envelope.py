"""The SOAP 1.1 envelope as vCenter writes it: responses, and faults (WIRE.md section 2)."""
from vimsim import frontend
from vimsim.model import faults
from vimsim.soap.codec import Encoder, escape
from vimsim.vim25.data import DataObject
from vimsim.vim25.types import REGISTRY

SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" '
        'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n<soapenv:Body>\n')
TAIL = "\n</soapenv:Body>\n</soapenv:Envelope>"


def response(method, minfo, value, version_ids, this_type=None, prop=None):
    return "".join(_response_text(method, minfo, value, version_ids, this_type, prop)) \
        .encode("utf-8")


def _response_text(method, minfo, value, version_ids, this_type=None, prop=None):
    out = [HEAD, '<%sResponse xmlns="urn:vim25">' % method]
    if value is not None or prop is not None:
        encoder = Encoder(version_ids)
        encoder.returnval(out, value, minfo.result if minfo else None, this_type, prop)
    out.append("</%sResponse>" % method)
    out.append(TAIL)
    return out


def response_steps(method, minfo, streamed, version_ids):
    """The response to a method whose answer is Streamed, built a slice at a time (see
    frontend.take): a long array (RetrieveProperties) with each item encoded as it comes;
    a page or an UpdateSet around its items encoded ahead; either joined into UTF-8 parts in
    steps (frontend.utf8_in_steps). Yields None between items and the body last; faults
    raised by the items propagate."""
    encoder = Encoder(version_ids)
    if streamed.finish is None:
        field = minfo.result

        def item_xml(item):
            out = []
            encoder.element(out, "returnval", item, field)
            return "".join(out)
        texts = [HEAD, '<%sResponse xmlns="urn:vim25">' % method]
        yield from frontend.take(streamed, item_xml, texts)
        texts.append("</%sResponse>%s" % (method, TAIL))
        yield (yield from frontend.utf8_in_steps(texts))
        return

    def item_fields(item):
        out = []
        encoder.fields(out, item, REGISTRY.data[item._typeName])
        return "".join(out)
    answer = yield from frontend.take(streamed, item_fields)
    yield (yield from frontend.utf8_in_steps(_response_text(method, minfo, answer, version_ids)))


def fault(fault, version_ids):
    """The Fault body for a vim25 fault: ServerFaultCode, faultstring, typed detail."""
    type_name = fault.type_name
    dtype = REGISTRY.data.get(type_name)
    if dtype is None:  # a fault type vimsim does not know: report it as what it derives from
        type_name, dtype = "RuntimeFault", REGISTRY.data["RuntimeFault"]
    out = [HEAD, "<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>",
           escape(fault.msg or ""), "</faultstring><detail>",
           '<%sFault xmlns="urn:vim25" xsi:type="%s">' % (type_name, type_name)]
    Encoder(version_ids).fields(out, DataObject(type_name, **fault.fields), dtype)
    out.append("</%sFault></detail></soapenv:Fault>" % type_name)
    out.append(TAIL)
    return "".join(out).encode("utf-8")


def client_fault(message, version_ids=None):
    """A fault for a request that is not a vim25 call at all (bad XML, wrong envelope)."""
    return fault(faults.InvalidRequest(message), version_ids or REGISTRY.newest)
