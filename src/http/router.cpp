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
