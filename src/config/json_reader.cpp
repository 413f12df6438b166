// JSON text -> config model. Three steps: Boost.JSON parses the text (comments and trailing commas
// allowed) and a syntax error becomes "origin:line:column: message"; a second, allocation-light pass
// finds duplicate keys (Boost.JSON 1.81 silently keeps the last one); then the typed reader walks the
// tree with detail::fields(), collecting every unknown key and wrong type instead of stopping.

#include "config/detail.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>
#include <boost/json/value.hpp>

#include <cctype>
#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <map>
#include <set>

namespace jigasi::config::detail {

namespace json = boost::json;

namespace {

json::parse_options file_options() {
    json::parse_options opt;
    opt.allow_comments = true;
    opt.allow_trailing_commas = true;
    return opt;  // max_depth stays 32: a config needs 5, deeper is junk
}

// ---- syntax errors --------------------------------------------------------------------------------

/// 1-based line and column of a byte offset; columns count code points, as editors do.
std::string position(std::string_view text, std::size_t offset) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            ++line;
            column = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++column;
        }
    }
    return std::to_string(line) + ":" + std::to_string(column);
}

/// Length of the valid UTF-8 sequence at `s`, 0 if it is not one (RFC 3629 section 4).
std::size_t utf8_length(std::string_view s) {
    auto b = [&](std::size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u; };
    unsigned c = b(0);
    auto cont = [&](std::size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
        return b(i) >= lo && b(i) <= hi;
    };
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
    if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;  // no UTF-16 surrogates
    if (c >= 0xE1 && c <= 0xEF) return cont(1) && cont(2) ? 3 : 0;
    if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
    if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
    return 0;
}

/// Boost's messages say what failed ("syntax error"); add what was found there.
std::string syntax_message(std::string_view text, std::size_t offset, const json::error_code& ec) {
    if (ec == json::error::incomplete) return "unexpected end of input";
    if (ec == json::error::too_deep) return "nesting too deep (more than 32 levels)";
    if (ec == json::error::extra_data) return "unexpected data after the top-level value";
    if (ec != json::error::syntax || offset >= text.size()) return ec.message();
    std::string_view rest = text.substr(offset);
    std::size_t n = utf8_length(rest);
    if (n == 0) return "invalid UTF-8";
    auto c = static_cast<unsigned char>(rest[0]);
    if (c < 0x20 || c == 0x7F) {
        static constexpr char hex[] = "0123456789abcdef";
        return std::string("syntax error: unexpected control character 0x") + hex[c >> 4] + hex[c & 15];
    }
    // Show the token that starts here (up to 12 characters) so "tru" or "01" is recognisable.
    std::size_t end = n;
    if (c < 0x80 && (std::isalnum(c) || c == '-' || c == '+' || c == '.'))
        while (end < rest.size() && end < 12 && (std::isalnum(static_cast<unsigned char>(rest[end])) ||
                                                 rest[end] == '.' || rest[end] == '_'))
            ++end;
    return "syntax error: unexpected '" + std::string(rest.substr(0, end)) + "'";
}

/// True if everything but whitespace and comments is missing (an empty or all-comment file).
bool blank(std::string_view text) {
    json::stream_parser p({}, file_options());
    json::error_code ec;
    std::string probe = std::string(text) + "\n0";
    p.write(probe.data(), probe.size(), ec);
    if (!ec) p.finish(ec);
    return !ec;  // "0" alone parsed: nothing but blanks and comments came before it
}

// ---- duplicate keys -------------------------------------------------------------------------------

/// basic_parser handler that only tracks paths, to report every key given twice in one object.
class duplicate_finder {
public:
    constexpr static std::size_t max_object_size = std::size_t(-1);
    constexpr static std::size_t max_array_size = std::size_t(-1);
    constexpr static std::size_t max_key_size = std::size_t(-1);
    constexpr static std::size_t max_string_size = std::size_t(-1);

    std::vector<std::string> duplicates;

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&) { return open(true); }
    bool on_object_end(std::size_t, json::error_code&) { return close(); }
    bool on_array_begin(json::error_code&) { return open(false); }
    bool on_array_end(std::size_t, json::error_code&) { return close(); }
    bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
        key_.append(s.data(), s.size());
        return true;
    }
    bool on_key(json::string_view s, std::size_t, json::error_code&) {
        key_.append(s.data(), s.size());
        if (!stack_.back().keys.insert(key_).second) duplicates.push_back(child_path());
        return true;
    }
    bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
    bool on_string(json::string_view, std::size_t, json::error_code&) { return scalar(); }
    bool on_number_part(json::string_view, json::error_code&) { return true; }
    bool on_int64(std::int64_t, json::string_view, json::error_code&) { return scalar(); }
    bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return scalar(); }
    bool on_double(double, json::string_view, json::error_code&) { return scalar(); }
    bool on_bool(bool, json::error_code&) { return scalar(); }
    bool on_null(json::error_code&) { return scalar(); }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }

private:
    struct frame {
        bool object;
        std::string path;
        std::size_t index = 0;
        std::set<std::string> keys;
    };
    std::vector<frame> stack_;
    std::string key_;

    /// Path of the value that starts now inside the first `depth` open containers.
    std::string child_path_of(std::size_t depth) const {
        if (depth == 0) return {};
        const frame& f = stack_[depth - 1];
        return f.object ? join(f.path, key_) : index(f.path, f.index);
    }
    std::string child_path() const { return child_path_of(stack_.size()); }
    bool open(bool object) {
        frame& f = stack_.emplace_back();
        f.object = object;
        f.path = child_path_of(stack_.size() - 1);
        key_.clear();
        return true;
    }
    bool close() {
        stack_.pop_back();
        return scalar();
    }
    bool scalar() {
        if (!stack_.empty() && !stack_.back().object) ++stack_.back().index;
        key_.clear();
        return true;
    }
};

// ---- typed reader ---------------------------------------------------------------------------------

class reader {
public:
    explicit reader(std::vector<problem>& errors) : errors_(errors) {}

    template <section T>
    void read(const json::value& v, const std::string& path, T& out) {
        const json::object* obj = v.if_object();
        if (!obj) return error(path, "expected an object");
        // Walk the file's keys (not the model's) so messages come out in file order.
        for (const auto& kv : *obj) {
            std::string_view key(kv.key().data(), kv.key().size());
            bool known = false;
            fields(
                [&](field f, auto& member) {
                    if (known || f.name != key) return;
                    known = true;
                    read(kv.value(), join(path, key), member);
                },
                out);
            if (!known) error(join(path, key), "unknown key");
        }
    }

    template <class T>
    void read(const json::value& v, const std::string& path, std::vector<T>& out) {
        const json::array* arr = v.if_array();
        if (!arr) return error(path, "expected an array");
        out.clear();  // a list in the file replaces the default list, it does not extend it
        for (std::size_t i = 0; i < arr->size(); ++i) {
            T item{};
            read((*arr)[i], index(path, i), item);
            out.push_back(std::move(item));
        }
    }

    void read(const json::value& v, const std::string& path, std::map<std::string, log_level>& out) {
        const json::object* obj = v.if_object();
        if (!obj) return error(path, "expected an object");
        out.clear();
        for (const auto& kv : *obj) {
            std::string name(kv.key().data(), kv.key().size());
            log_level level{};
            if (read_enum(kv.value(), join(path, name), level)) out[name] = level;
        }
    }

    template <named_enum E>
    void read(const json::value& v, const std::string& path, E& out) {
        read_enum(v, path, out);
    }

    void read(const json::value& v, const std::string& path, std::string& out) {
        if (const json::string* s = v.if_string()) out.assign(s->data(), s->size());
        else error(path, "expected a string");
    }

    void read(const json::value& v, const std::string& path, bool& out) {
        if (const bool* b = v.if_bool()) out = *b;
        else error(path, "expected true or false");
    }

    // Every 16-bit field of the model is a port, hence the range 1..65535.
    void read(const json::value& v, const std::string& path, std::uint16_t& out) {
        if (auto n = integer(v, 1, 65535)) out = static_cast<std::uint16_t>(*n);
        else error(path, "expected an integer 1..65535");
    }

    // unsigned and std::size_t: counts, limits and durations.
    template <std::unsigned_integral U> requires(sizeof(U) >= 4)
    void read(const json::value& v, const std::string& path, U& out) {
        constexpr std::uint64_t max = std::numeric_limits<U>::max();
        if (auto n = integer(v, 0, max)) out = static_cast<U>(*n);
        else error(path, "expected an integer 0.." + std::to_string(max));
    }

private:
    std::vector<problem>& errors_;

    void error(const std::string& path, std::string message) {
        errors_.push_back(problem{path, std::move(message)});
    }

    /// Integers only: 8788.0 and 1e3 are doubles in Boost.JSON and are refused like "8788".
    static std::optional<std::uint64_t> integer(const json::value& v, std::uint64_t lo, std::uint64_t hi) {
        std::uint64_t n;
        if (const std::int64_t* i = v.if_int64()) {
            if (*i < 0) return std::nullopt;
            n = static_cast<std::uint64_t>(*i);
        } else if (const std::uint64_t* u = v.if_uint64()) {
            n = *u;
        } else {
            return std::nullopt;
        }
        if (n < lo || n > hi) return std::nullopt;
        return n;
    }

    template <named_enum E>
    bool read_enum(const json::value& v, const std::string& path, E& out) {
        const auto& names = enum_names<E>::names;
        if (const json::string* s = v.if_string()) {
            for (std::size_t i = 0; i < names.size(); ++i)
                if (names[i] == std::string_view(s->data(), s->size())) {
                    out = static_cast<E>(i);
                    return true;
                }
        }
        std::string message = "expected one of";
        for (std::size_t i = 0; i < names.size(); ++i)
            message.append(i ? ", " : " ").append(names[i]);
        error(path, message);
        return false;
    }
};

bool plain_key(std::string_view key) {
    if (key.empty()) return false;
    for (char c : key)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
    return true;
}

}  // namespace

std::string join(const std::string& path, std::string_view key) {
    if (plain_key(key)) return path.empty() ? std::string(key) : path + "." + std::string(key);
    return path + "[" + json::serialize(json::string_view(key.data(), key.size())) + "]";
}

std::string index(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

bool read_json(std::string_view text, std::string_view origin, config& cfg, std::vector<problem>& errors) {
    // Editors on Windows may prepend a byte order mark; it is not JSON but it is harmless.
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);

    json::stream_parser parser({}, file_options());
    json::error_code ec;
    std::size_t used = parser.write(text.data(), text.size(), ec);
    if (!ec) {
        parser.finish(ec);
        used = text.size();
    }
    if (ec) {
        std::string message = ec == json::error::incomplete && blank(text)
                                  ? "empty document, expected a JSON object"
                                  : syntax_message(text, used, ec);
        errors.push_back(problem{std::string(origin) + ":" + position(text, used), std::move(message)});
        return false;
    }
    json::value root = parser.release();
    if (!root.is_object()) {
        errors.push_back(problem{std::string(origin), "expected a JSON object at the top level"});
        return false;
    }

    json::basic_parser<duplicate_finder> dup_parser(file_options());
    dup_parser.write_some(false, text.data(), text.size(), ec);
    for (auto& path : dup_parser.handler().duplicates) errors.push_back(problem{path, "duplicate key"});

    reader(errors).read(root, std::string(), cfg);
    return true;
}

}  // namespace jigasi::config::detail
