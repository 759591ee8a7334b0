# Writes OUTPUT: a C++ file holding web/dashboard.html (INPUT) as one string, so that the
# binary serves the page without files beside it.
file(READ ${INPUT} text)
file(WRITE ${OUTPUT} "// Generated from web/dashboard.html by src/serve/embed_web.cmake. Do not edit.\n#include \"serve/dashboard.hpp\"\nnamespace blackout {\nnamespace {\nconstexpr std::string_view page = R\"blackout_html(${text})blackout_html\";\n}\nstd::string_view dashboard_html() { return page; }\n}  // namespace blackout\n")
