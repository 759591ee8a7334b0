find_package(OpenSSL REQUIRED)
target_sources(blackout_probes PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/reply.cpp
  ${CMAKE_CURRENT_LIST_DIR}/smtp_probe.cpp)
target_link_libraries(blackout_probes PUBLIC OpenSSL::SSL)
