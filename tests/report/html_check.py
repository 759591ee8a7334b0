#!/usr/bin/env python3
"""Checks that a report's HTML is one well-formed, self-contained file.

Usage: html_check.py FILE EXPECTED_CHARTS

Well formed: every element opened is closed, in order (void elements excepted). Self
contained: no <script>, <link>, <img>, <iframe> or <object>; no src or href attribute; no
url(...) in CSS. Charts: EXPECTED_CHARTS <svg> elements, each with numeric width and height
and a viewBox.
"""
import re
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
FORBIDDEN = {"script", "link", "img", "iframe", "object", "embed", "base"}


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.errors = []
        self.svgs = []
        self.in_style = False
        self.style = ""

    def where(self):
        line, column = self.getpos()
        return f"line {line}, column {column}"

    def handle_starttag(self, tag, attrs):
        self.check(tag, attrs)
        if tag not in VOID:
            self.stack.append((tag, self.where()))
        self.in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):
        self.check(tag, attrs)

    def check(self, tag, attrs):
        if tag in FORBIDDEN:
            self.errors.append(f"<{tag}> at {self.where()}: a report must fetch nothing")
        for name, value in attrs:
            if name in ("src", "href", "xlink:href") or (value and re.search(r"url\s*\(", value)):
                self.errors.append(f"<{tag} {name}={value!r}> at {self.where()}: an external reference")
            if name.startswith("on"):
                self.errors.append(f"<{tag} {name}> at {self.where()}: an event handler")
        if tag == "svg":
            self.svgs.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack:
            self.errors.append(f"</{tag}> at {self.where()} closes nothing")
            return
        open_tag, opened = self.stack.pop()
        if open_tag != tag:
            self.errors.append(f"</{tag}> at {self.where()} closes <{open_tag}> opened at {opened}")
        self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.style += data


def main():
    path, expected = sys.argv[1], int(sys.argv[2])
    text = open(path, encoding="utf-8").read()
    checker = Checker()
    checker.feed(text)
    checker.close()
    errors = checker.errors
    if not text.startswith("<!DOCTYPE html>"):
        errors.append("no <!DOCTYPE html>")
    for tag, opened in checker.stack:
        errors.append(f"<{tag}> opened at {opened} is never closed")
    if re.search(r"url\s*\(|@import", checker.style):
        errors.append("the CSS fetches something")
    if len(checker.svgs) != expected:
        errors.append(f"{len(checker.svgs)} <svg> charts, expected {expected}")
    for svg in checker.svgs:
        for name in ("width", "height"):
            if not re.fullmatch(r"\d+", svg.get(name) or ""):
                errors.append(f"<svg id={svg.get('id')}> has no numeric {name}")
        if not re.fullmatch(r"0 0 \d+ \d+", svg.get("viewbox") or ""):
            errors.append(f"<svg id={svg.get('id')}> has no viewBox")
    for error in errors:
        print(f"{path}: {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
