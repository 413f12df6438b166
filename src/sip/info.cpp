#include "sip/info.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace jigasi::sip::info {

namespace {

namespace json = boost::json;
constexpr std::size_t max_body = 8192;  // control messages are tiny; a big one is not for us

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

std::optional<unsigned> number(std::string_view s) {
    unsigned v = 0;
    s = trim(s);
    if (s.empty() || s.size() > 9) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

/// A key written as a character ("5", "*", "a") or as its RFC 4733 event number ("10").
char key_of(std::string_view s) {
    s = trim(s);
    if (s.size() == 1) {
        const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '*' || c == '#' || (c >= 'A' && c <= 'D')) return c;
        return 0;
    }
    auto n = number(s);
    return n ? key_of_event(*n) : 0;
}

parsed dtmf_relay(std::string_view body) {
    // application/dtmf-relay (Cisco/SIP INFO convention): "Signal=5\r\nDuration=160\r\n".
    dtmf d;
    while (!body.empty()) {
        const auto eol = body.find_first_of("\r\n");
        std::string_view line = body.substr(0, eol);
        body.remove_prefix(eol == std::string_view::npos ? body.size() : eol + 1);
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string name = lower(trim(line.substr(0, eq)));
        const std::string_view value = line.substr(eq + 1);
        if (name == "signal") d.key = key_of(value);
        else if (name == "duration") d.duration_ms = number(value);
    }
    if (!d.key) return {std::nullopt, "application/dtmf-relay without a valid Signal="};
    return {d, {}};
}

parsed json_message(std::string_view body) {
    boost::system::error_code ec;
    json::parse_options opt;
    opt.max_depth = 16;
    const json::value v = json::parse(body, ec, {}, opt);
    if (ec) return {std::nullopt, "JSON: " + ec.message()};
    const json::object* o = v.if_object();
    if (!o) return {std::nullopt, "JSON: not an object"};
    if (const json::value* t = o->if_contains("t")) {
        if (!t->is_int64()) return {std::nullopt, "JSON: \"t\" is not an integer"};
        numbered n;
        n.type = t->as_int64();
        if (const json::value* i = o->if_contains("i"); i && i->is_int64()) n.seq = i->as_int64();
        if (const json::value* d = o->if_contains("d")) n.data_json = json::serialize(*d);
        return {n, {}};
    }
    if (const json::value* t = o->if_contains("type")) {
        if (!t->is_string()) return {std::nullopt, "JSON: \"type\" is not a string"};
        typed m;
        m.type = std::string(t->as_string());
        if (const json::value* id = o->if_contains("id"); id && id->is_string()) m.id = std::string(id->as_string());
        if (const json::value* st = o->if_contains("status"); st && st->is_string()) m.status = std::string(st->as_string());
        if (const json::value* d = o->if_contains("data")) {
            m.data_json = json::serialize(*d);
            if (const json::object* dobj = d->if_object())
                if (const json::value* a = dobj->if_contains("audio"); a && a->is_bool()) m.audio = a->as_bool();
        }
        return {m, {}};
    }
    return {std::nullopt, "JSON: neither \"t\" nor \"type\""};
}

}  // namespace

char key_of_event(unsigned event) {
    if (event <= 9) return static_cast<char>('0' + event);
    if (event == 10) return '*';
    if (event == 11) return '#';
    if (event <= 15) return static_cast<char>('A' + (event - 12));
    return 0;
}

parsed parse(std::string_view content_type, std::string_view body) {
    if (body.size() > max_body) return {std::nullopt, "body of " + std::to_string(body.size()) + " bytes is too big"};
    const std::string type = lower(trim(content_type.substr(0, content_type.find(';'))));
    if (type == "application/dtmf-relay") return dtmf_relay(body);
    if (type == "application/dtmf") {
        const char k = key_of(body);
        if (!k) return {std::nullopt, "application/dtmf without a valid key"};
        return {dtmf{k, std::nullopt}, {}};
    }
    if (type == "application/json") return json_message(body);
    return {std::nullopt, "content type " + (type.empty() ? std::string("(none)") : type) + " not understood"};
}

}  // namespace jigasi::sip::info
