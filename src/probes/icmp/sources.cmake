target_sources(blackout_probes PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/icmp_probe.cpp)
