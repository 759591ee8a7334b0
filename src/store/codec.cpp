// Field encoding for storage.
#include "store/codec.hpp"

#include <nlohmann/json.hpp>

#include "model/result_fields.hpp"
#include "model/result_format.hpp"

namespace blackout {

std::string encode_fields(const std::vector<ResultField>& fields) {
  if (fields.empty()) return {};
  nlohmann::json object = nlohmann::json::object();
  for (const ResultField& field : fields) {
    const std::string name(field.name);
    std::visit(
        [&](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, Duration>) object[name] = value.count();
          else object[name] = value;
        },
        field.value);
  }
  // Bytes from the network may not be UTF-8: replace rather than throw.
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<ResultField> decode_fields(std::string_view text, CheckKind kind, bool& ok) {
  ok = true;
  std::vector<ResultField> fields;
  if (text.empty()) return fields;
  const nlohmann::json object = nlohmann::json::parse(text, nullptr, false);
  if (!object.is_object()) {
    ok = false;
    return fields;
  }
  const auto specs = fields_of(kind);
  for (const auto& [name, value] : object.items()) {
    const FieldSpec* spec = nullptr;
    for (const FieldSpec& s : specs)
      if (s.name == name) spec = &s;
    ResultField field{spec ? spec->name : intern_field_name(name), std::string()};
    const FieldType type = spec                        ? spec->type
                           : value.is_boolean()        ? FieldType::boolean
                           : value.is_number_integer() ? FieldType::integer
                           : value.is_number()         ? FieldType::real
                                                       : FieldType::text;
    switch (type) {
      case FieldType::integer:
        if (value.is_number()) field.value = value.get<std::int64_t>();
        else ok = false;
        break;
      case FieldType::real:
        if (value.is_number()) field.value = value.get<double>();
        else ok = false;
        break;
      case FieldType::boolean:
        if (value.is_boolean()) field.value = value.get<bool>();
        else ok = false;
        break;
      case FieldType::duration:
        if (value.is_number()) field.value = Duration{value.get<std::int64_t>()};
        else ok = false;
        break;
      case FieldType::text: field.value = value.is_string() ? value.get<std::string>() : value.dump(); break;
    }
    fields.push_back(std::move(field));
  }
  return fields;
}

}  // namespace blackout
