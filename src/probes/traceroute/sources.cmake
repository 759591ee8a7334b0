target_sources(blackout_probes PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/trace_state.cpp
  ${CMAKE_CURRENT_LIST_DIR}/traceroute_probe.cpp)
