#include "http/router.hpp"

#include "core/version.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace jigasi::http {

response make_response(status s, std::string_view content_type, std::string body) {
    response res{s, 11};
    res.set(bhttp::field::server, std::string("jigasi-ng/") + std::string(core::version()));
    res.set(bhttp::field::content_type, content_type);
    res.set(bhttp::field::cache_control, "no-store");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

response make_json(status s, std::string body) {
    return make_response(s, "application/json", std::move(body));
}

response make_error(status s, std::string_view message) {
    boost::json::object o;
    o["error"] = message;
    return make_json(s, boost::json::serialize(o));
}

std::optional<std::string> query_param(std::string_view target, std::string_view name) {
    const auto q = target.find('?');
    if (q == std::string_view::npos) return std::nullopt;
    std::string_view rest = target.substr(q + 1);
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const auto pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) != name) continue;
        const auto raw = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
        std::string out;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '+') out += ' ';
            else if (raw[i] != '%') out += raw[i];
            else {
                if (i + 2 >= raw.size()) return std::nullopt;  // a '%' needs two hex digits
                const int h = hex(raw[i + 1]), l = hex(raw[i + 2]);
                if (h < 0 || l < 0) return std::nullopt;
                out += static_cast<char>(h * 16 + l);
                i += 2;
            }
        }
        return out;
    }
    return std::nullopt;
}

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

void router::add(verb v, std::string path, handler h) {
    exact_[std::move(path)].push_back({v, std::move(h)});
}

void router::add_prefix(verb v, std::string prefix, handler h) {
    for (auto& [p, routes] : prefixes_) {
        if (p == prefix) {
            routes.push_back({v, std::move(h)});
            return;
        }
    }
    prefixes_.push_back({std::move(prefix), {{v, std::move(h)}}});
}

const std::vector<router::route>* router::find(std::string_view path) const {
    if (auto it = exact_.find(path); it != exact_.end()) return &it->second;
    for (const auto& [prefix, routes] : prefixes_)
        if (path.starts_with(prefix)) return &routes;
    return nullptr;
}

boost::asio::awaitable<response> router::dispatch(const request& req) const {
    const auto path = path_of(req.target());
    const auto* routes = find(path);
    if (!routes) co_return make_error(status::not_found, "no such resource: " + std::string(path));
    const bool head = req.method() == verb::head;
    const auto wanted = head ? verb::get : req.method();
    for (const auto& r : *routes) {
        if (r.method != wanted) continue;
        auto res = co_await r.h(req);
        if (head) {
            const auto length = res.body().size();
            res.body().clear();
            res.content_length(length);
        }
        co_return res;
    }
    std::string allow;
    for (const auto& r : *routes) {
        if (!allow.empty()) allow += ", ";
        allow += std::string(bhttp::to_string(r.method));
        if (r.method == verb::get) allow += ", HEAD";
    }
    auto res = make_error(status::method_not_allowed,
                          std::string(req.method_string()) + " not allowed on " + std::string(path));
    res.set(bhttp::field::allow, allow);
    co_return res;
}

}  // namespace jigasi::http
