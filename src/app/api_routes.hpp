#pragma once
// The REST API under /api/v1 (bearer token http.api_token, RFC 6750): outgoing echo test calls
// room probes and conference calls.

#include "app/room_probes.hpp"
#include "app/sip_service.hpp"
#include "config/store.hpp"
#include "http/router.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace jigasi::app {

struct api_context {
    const config::store& cfg;
    sip_service& sip;
    room_probes& probes;
};

/// The routes keep a copy of `ctx`, whose members must outlive `r`.
void add_api_routes(http::router& r, const api_context& ctx);
/// /api/v1/calls (call_routes.cpp).
void add_call_routes(http::router& r, const api_context& ctx);

namespace api {
/// RFC 6750 §2.1 bearer token, compared in constant time. nullopt: allowed.
std::optional<http::response> check_token(const http::request& req, const std::string& token);
/// A string member, or an error text naming it.
bool read_string(const boost::json::object& o, std::string_view key, std::string& out, std::string& error, bool required);
bool read_seconds(const boost::json::object& o, std::string_view key, std::chrono::seconds& out, long max, std::string& error);
}  // namespace api

}  // namespace jigasi::app
