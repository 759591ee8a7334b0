// The lab's server configurations, as text: nginx per web site, nsd per name server with the
// kp.test zone, OpenSMTPD for the mail server, and BIRD for the transit, the border and the
// collector (eBGP with short timers, MRT dumps at the collector).
#pragma once

#include <filesystem>
#include <string>

namespace blackout::lab {

inline constexpr const char* lab_zone = "kp.test";

std::string nginx_config(const std::string& site, const std::string& address, const std::filesystem::path& dir);
std::string nsd_config(const std::string& address, const std::filesystem::path& dir);
std::string zone_file();
std::string smtpd_config(const std::string& address);
// role: transit, border or collector.
std::string bird_config(const std::string& role, const std::filesystem::path& state_dir);

}  // namespace blackout::lab
