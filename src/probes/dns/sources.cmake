target_sources(blackout_probes PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/message.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dns_probe.cpp)
