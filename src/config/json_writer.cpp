// Model -> file format. Keys come out in detail::fields() order, so two saves of the same model are
// byte-identical and a diff of the file shows only what changed.

#include "config/detail.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace jigasi::config {

namespace {

namespace json = boost::json;

constexpr std::string_view redacted = "********";

class writer {
public:
    explicit writer(bool redact) : redact_(redact) {}

    template <detail::section T>
    json::value value(const T& section) {
        json::object obj;
        detail::fields(
            [&](detail::field f, const auto& member) {
                json::value v = value(member);
                // Only a set secret is hidden: "" tells the admin that it is missing.
                if (redact_ && f.secret && v.is_string() && !v.get_string().empty()) v = redacted;
                obj.emplace(f.name, std::move(v));
            },
            section);
        return obj;
    }

    template <class T>
    json::value value(const std::vector<T>& list) {
        json::array arr;
        for (const auto& item : list) arr.push_back(value(item));
        return arr;
    }

    json::value value(const std::map<std::string, log_level>& levels) {
        json::object obj;
        for (const auto& [name, level] : levels) obj.emplace(name, value(level));
        return obj;
    }

    template <detail::named_enum E>
    json::value value(E e) {
        return json::string(detail::enum_names<E>::names[static_cast<std::size_t>(e)]);
    }

    json::value value(const std::string& s) { return json::string(s); }
    json::value value(bool b) { return b; }
    template <std::unsigned_integral U> requires(!std::same_as<U, bool>)
    json::value value(U n) {
        return static_cast<std::uint64_t>(n);
    }

private:
    bool redact_;
};

void indent(std::string& out, int depth) { out.append(static_cast<std::size_t>(depth) * 2, ' '); }

/// Boost.JSON 1.81 has no pretty printer; two-space indent, one key per line, like the shipped file.
void pretty(const json::value& v, std::string& out, int depth) {
    if (const json::object* obj = v.if_object(); obj && !obj->empty()) {
        out += "{\n";
        std::size_t i = 0;
        for (const auto& kv : *obj) {
            indent(out, depth + 1);
            out += json::serialize(json::string(kv.key()));
            out += ": ";
            pretty(kv.value(), out, depth + 1);
            out += ++i < obj->size() ? ",\n" : "\n";
        }
        indent(out, depth);
        out += "}";
    } else if (const json::array* arr = v.if_array(); arr && !arr->empty()) {
        out += "[\n";
        for (std::size_t i = 0; i < arr->size(); ++i) {
            indent(out, depth + 1);
            pretty((*arr)[i], out, depth + 1);
            out += i + 1 < arr->size() ? ",\n" : "\n";
        }
        indent(out, depth);
        out += "]";
    } else {
        out += json::serialize(v);  // scalars, {} and []
    }
}

}  // namespace

std::string to_json(const config& cfg, bool redact) {
    std::string out;
    pretty(writer(redact).value(cfg), out, 0);
    out += "\n";
    return out;
}

}  // namespace jigasi::config
