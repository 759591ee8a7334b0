find_package(CURL REQUIRED)
target_sources(blackout_probes PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cert_date.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_probe.cpp)
target_link_libraries(blackout_probes PUBLIC CURL::libcurl)
