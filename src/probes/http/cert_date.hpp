// The expiry date of a certificate as libcurl's CERTINFO spells it ("Jan  1 00:00:00 2027
// GMT"), parsed as untrusted text.
#pragma once

#include <optional>
#include <string_view>

#include "model/time.hpp"

namespace blackout {
std::optional<Timestamp> parse_cert_date(std::string_view text);
}
