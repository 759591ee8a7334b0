// Rendering a report: text for terminals, Markdown for tickets and wikis, one
// self-contained HTML file (inline CSS and SVG charts, nothing fetched from elsewhere, fit
// to be mailed), JSON for programs and CSV with one row per event for spreadsheets. The
// renderers only format: every fact comes from the Report value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "report/report.hpp"

namespace blackout::report {

enum class Format : std::uint8_t { text, markdown, html, json, csv };
std::optional<Format> format_from_string(std::string_view name);

std::string render(const Report& report, Format format);

std::string render_text(const Report& report);
std::string render_markdown(const Report& report);
std::string render_html(const Report& report);
std::string render_json(const Report& report);
std::string render_csv(const Report& report);

// "2026-11-27 02:26:26 to 02:29:01 UTC", the interval a report covers, for its title.
std::string interval_text(const Report& report);

}  // namespace blackout::report
