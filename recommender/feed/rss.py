"""Merchant Center RSS 2.0 XML feeds (`g:` namespace), streamed through defusedxml's SAX parser.

defusedxml refuses a DTD, entity declarations and external references outright, so an entity
bomb ("billion laughs") or a file that points at local files is refused before anything expands.
SAX gives each item's line; depth, item count and text length are checked as the parser goes.
"""

from __future__ import annotations

import io
import xml.sax
from xml.sax.handler import ContentHandler, feature_namespaces
from xml.sax.xmlreader import Locator

import defusedxml.sax
from defusedxml import DefusedXmlException

from recommender.catalog.products import SAFETY_PROPERTIES
from recommender.feed.items import (
    MAX_ITEMS,
    MAX_LINE_CHARS,
    MAX_XML_DEPTH,
    FeedItem,
    FeedRead,
    formula_problem,
    gmc_item,
    where,
)

GOOGLE_NS = "http://base.google.com/ns/1.0"
# RSS's own elements that carry item fields; everything else comes from the g: namespace.
_RSS_FIELDS = {"title", "link", "description"}
_DETAIL_PARTS = {"section_name", "attribute_name", "attribute_value"}


class _Stop(Exception):
    """A limit was crossed; the message says which."""


class _FeedHandler(ContentHandler):
    """Collects each <item>'s direct child fields and its g:product_detail triples.

    Only direct children count: a nested <g:price> inside <g:shipping> is a shipping price,
    not the product's.
    """

    _locator: Locator | None  # set by ContentHandler itself, which typeshed does not declare

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[int, dict[str, str], list[dict[str, str]]]] = []
        self.depth = 0
        self._item: dict[str, str] | None = None
        self._item_depth = 0
        self._item_line = 0
        self._details: list[dict[str, str]] = []
        self._detail: dict[str, str] | None = None
        self._field: str | None = None
        self._field_depth = 0
        self._text: list[str] = []
        self._length = 0

    def line(self) -> int:
        return (self._locator.getLineNumber() or 0) if self._locator else 0

    def startElementNS(self, name, qname, attrs) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise _Stop(f"elements nested deeper than {MAX_XML_DEPTH} levels")
        uri, local = name
        if self.depth == 1 and (uri or local != "rss"):
            raise _Stop("not an RSS feed (the outer element is not <rss>)")
        if self._item is None:
            if local == "item" and not uri:
                if len(self.items) >= MAX_ITEMS:
                    raise _Stop(f"more than {MAX_ITEMS:,} items")
                self._item, self._item_depth, self._details = {}, self.depth, []
                self._item_line = self.line()
            return
        below_item = self.depth - self._item_depth
        if below_item == 1 and uri == GOOGLE_NS and local == "product_detail":
            self._detail = {}
        elif (below_item == 1 and (uri == GOOGLE_NS or (not uri and local in _RSS_FIELDS))) or (
            below_item == 2 and self._detail is not None and local in _DETAIL_PARTS
        ):
            self._start_field(local)

    def _start_field(self, local: str) -> None:
        self._field, self._field_depth, self._text, self._length = local, self.depth, [], 0

    def characters(self, content: str) -> None:
        if self._field is not None:
            self._length += len(content)
            if self._length > MAX_LINE_CHARS:
                raise _Stop(f"<{self._field}> holds more than {MAX_LINE_CHARS:,} characters")
            self._text.append(content)

    def endElementNS(self, name, qname) -> None:
        depth, self.depth = self.depth, self.depth - 1
        if self._item is None:
            return
        if self._field is not None and depth == self._field_depth:
            text = "".join(self._text).strip()
            if self._detail is not None:
                self._detail[self._field] = text
            else:
                self._item.setdefault(self._field, text)  # the first wins
            self._field = None
        elif self._detail is not None and depth == self._item_depth + 1:
            self._details.append(self._detail)
            self._detail = None
        elif depth == self._item_depth:
            self.items.append((self._item_line, self._item, self._details))
            self._item = None


def read_gmc_rss(raw: bytes, name: str) -> FeedRead:
    """The items of a Merchant Center RSS feed, read with entities and DTDs refused."""
    handler = _FeedHandler()
    parser = defusedxml.sax.make_parser()
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(handler)
    try:
        parser.parse(io.BytesIO(raw))  # parse, not feed: it hands the handler its line locator
    except DefusedXmlException as error:
        problem = f"refused: the XML declares a DTD or entities ({type(error).__name__})"
        return FeedRead("gmc-rss", (), (f"{where(name, handler.line())}: {problem}",))
    except _Stop as error:
        return FeedRead("gmc-rss", (), (f"{where(name, handler.line())}: {error}",))
    except xml.sax.SAXParseException as error:
        message = (
            f"{where(name, error.getLineNumber())}: not well-formed XML ({error.getMessage()})"
        )
        return FeedRead("gmc-rss", (), (message,))
    items = tuple(_item(line, fields, details) for line, fields, details in handler.items)
    if not items:
        return FeedRead("gmc-rss", (), (f"{name}: no <item> elements",))
    return FeedRead("gmc-rss", items, tuple(_formulas(handler.items, name)))


def _formulas(items: list[tuple[int, dict[str, str], list[dict[str, str]]]], name: str) -> list:
    """Every field (and product detail) of every item that a spreadsheet would run."""
    found = []
    for line, fields, details in items:
        cells = [(f"g:{k}" if k not in _RSS_FIELDS else k, v) for k, v in fields.items()]
        cells += [(f"g:product_detail/g:{k}", v) for d in details for k, v in d.items()]
        for field_name, value in cells:
            problem = formula_problem(value)
            if problem:
                found.append(f"{where(name, line, field_name)}: {problem}")
    return found


def _item(line: int, fields: dict[str, str], details: list[dict[str, str]]) -> FeedItem:
    safety = {}
    for detail in details:
        attribute = detail.get("attribute_name", "").strip().lower()
        if attribute in SAFETY_PROPERTIES:
            safety[attribute] = (detail.get("attribute_value", ""), "g:product_detail")
    return gmc_item(line, fields, safety)
