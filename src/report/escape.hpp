// Escaping for every output a report is written in. Target names, evidence and vantage
// names come from configs and stores that anyone may have written; nothing from them may
// open a tag, end a table cell or split a CSV row.
#pragma once

#include <string>
#include <string_view>

namespace blackout::report {

// For text and attribute values in HTML and SVG (both quote styles).
std::string xml_escape(std::string_view text);
// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
std::string csv_field(std::string_view text);
// For a Markdown table cell or list item: pipes, backslashes, markup characters and line
// breaks cannot change the structure around them.
std::string markdown_escape(std::string_view text);

}  // namespace blackout::report
