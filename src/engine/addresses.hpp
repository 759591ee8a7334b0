// Where the checks of a target named only by host go. The engine asks; the resolver
// (resolve/) answers from what it last learnt, so the scheduler needs no DNS of its own.
#pragma once

#include <optional>
#include <string>

#include "model/address.hpp"
#include "model/outcome.hpp"
#include "model/target.hpp"

namespace blackout {

struct AddressChoice {
  std::optional<IpAddress> address;
  // When there is none: the outcome the check reports without being sent, and why.
  Outcome outcome = Outcome::resolve_error;
  std::string why;
};

class AddressBook {
 public:
  virtual ~AddressBook() = default;
  // For a target with a host and no address of its own.
  [[nodiscard]] virtual AddressChoice address_of(const Target& target) const = 0;
};

}  // namespace blackout
