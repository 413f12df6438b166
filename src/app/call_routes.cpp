// /api/v1/calls (issue 7 item 2c): conference calls over REST, as Jigasi's users script them with
// curl. POST places a call (the gateway joins the room, then rings the phone); GET lists live and
// recent calls; DELETE hangs up; /dtmf sends keys to the phone; /mute stops its uplink.
#include "app/api_routes.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace json = boost::json;
namespace asio = boost::asio;

namespace jigasi::app {

namespace {

using http::make_error;
using http::response;
using http::status;
using namespace api;

/// {id} and the rest of /api/v1/calls/{id}[/action].
std::pair<std::string, std::string> call_path(const http::request& req) {
    constexpr std::string_view prefix = "/api/v1/calls/";
    std::string_view t = req.target();
    t = t.substr(0, t.find('?'));
    t = t.substr(std::min(prefix.size(), t.size()));
    const auto slash = t.find('/');
    if (slash == std::string_view::npos) return {std::string(t), {}};
    return {std::string(t.substr(0, slash)), std::string(t.substr(slash + 1))};
}

response control_response(call::control_result r, const std::string& id, json::object ok_body) {
    using c = call::control_result;
    switch (r) {
    case c::ok: return http::make_json(status::accepted, json::serialize(ok_body));
    case c::not_found: return make_error(status::not_found, "no call in progress with id " + id);
    case c::not_ready: return make_error(status::conflict, "the call is not answered yet");
    case c::bad_request: return make_error(status::bad_request, "keys: 1 to 64 of 0-9 * # A-D and ',' (a 500 ms pause)");
    }
    return make_error(status::internal_server_error, "unknown result");
}

std::optional<std::string> read_request(const json::object& o, call::call_request& r, bool& wait, std::chrono::seconds& wait_s) {
    std::string error, password;
    if (!read_string(o, "to", r.to, error, true) || !read_string(o, "room", r.room, error, true) ||
        !read_string(o, "via", r.via, error, false) || !read_string(o, "server", r.server, error, false) ||
        !read_string(o, "room_password", password, error, false) ||
        !read_string(o, "display_name", r.display_name, error, false) ||
        !read_string(o, "caller_id", r.caller_id, error, false) ||
        !read_string(o, "caller_name", r.caller_name, error, false) || !read_string(o, "dtmf", r.dtmf, error, false) ||
        !read_string(o, "language", r.language, error, false) ||
        !read_seconds(o, "wait_s", wait_s, 600, error))
        return error;
    if (o.contains("room_password")) r.room_password = password;
    if (const auto* w = o.if_contains("wait")) {
        if (!w->is_bool()) return std::string("wait: expected true or false");
        wait = w->get_bool();
    }
    if (const auto* h = o.if_contains("headers")) {
        if (!h->is_object()) return std::string("headers: expected an object of name: value strings");
        for (const auto& [name, value] : h->get_object()) {
            if (!value.is_string()) return "headers." + std::string(name) + ": expected a string";
            r.headers.emplace_back(std::string(name), std::string(value.get_string()));
        }
    }
    static constexpr std::string_view known[] = {"to", "room", "via", "server", "room_password", "display_name", "caller_id",
                                                 "caller_name", "headers", "dtmf", "language", "wait", "wait_s"};
    for (const auto& [key, value] : o)
        if (std::find(std::begin(known), std::end(known), key) == std::end(known))
            return "unknown member: " + std::string(key);
    return std::nullopt;
}

}  // namespace

void add_call_routes(http::router& r, const api_context& ctx) {
    // POST /api/v1/calls {"to", "room", "via"?, "server"?, "room_password"?, "display_name"?,
    // "caller_id"?, "caller_name"?, "headers"?, "dtmf"?, "wait"?, "wait_s"?}: 201 with the call at
    // once; with "wait": true, the answer comes once the call is answered (200), has ended (502),
    // or after wait_s (504), each with the call.
    r.add(http::verb::post, "/api/v1/calls", [ctx](const http::request& req) -> asio::awaitable<response> {
        if (auto refused = check_token(req, ctx.cfg.get()->http.api_token)) co_return std::move(*refused);
        boost::system::error_code ec;
        const json::value v = json::parse(req.body(), ec);
        if (ec || !v.is_object()) co_return make_error(status::bad_request, "the body must be a JSON object");
        call::call_request cr;
        bool wait = false;
        const auto c = ctx.cfg.get();
        std::chrono::seconds wait_s(c->calls.ring_timeout_s + c->xmpp.connect_timeout_s);
        if (auto error = read_request(v.get_object(), cr, wait, wait_s)) co_return make_error(status::bad_request, *error);
        auto placed = co_await ctx.sip.place_call(std::move(cr));
        if (placed.id.empty()) co_return make_error(static_cast<status>(placed.status), placed.error);
        if (!wait) co_return http::make_json(status::created, json::serialize(*ctx.sip.calls().get(placed.id)));
        // Waiting: the registry is looked at every 100 ms; a REST client waits for a phone to ring
        // and answer, so that is precise enough and keeps the call side free of API waiters.
        asio::steady_timer timer(co_await asio::this_coro::executor);
        const auto deadline = std::chrono::steady_clock::now() + wait_s;
        for (;;) {
            auto call = ctx.sip.calls().get(placed.id);
            if (!call) co_return make_error(status::internal_server_error, "the call vanished");
            const auto state = call->at("state").as_string();
            if (call->contains("setup_ms")) co_return http::make_json(status::ok, json::serialize(*call));
            if (state == "ended") co_return http::make_json(status::bad_gateway, json::serialize(*call));
            if (std::chrono::steady_clock::now() >= deadline)
                co_return http::make_json(status::gateway_timeout, json::serialize(*call));
            timer.expires_after(std::chrono::milliseconds(100));
            auto [wec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            if (wec) co_return make_error(status::service_unavailable, "shutting down");
        }
    });
    r.add(http::verb::get, "/api/v1/calls", [ctx](const http::request& req) -> asio::awaitable<response> {
        if (auto refused = check_token(req, ctx.cfg.get()->http.api_token)) co_return std::move(*refused);
        co_return http::make_json(status::ok, json::serialize(json::object{{"calls", ctx.sip.calls().list()}}));
    });
    r.add_prefix(http::verb::get, "/api/v1/calls/", [ctx](const http::request& req) -> asio::awaitable<response> {
        if (auto refused = check_token(req, ctx.cfg.get()->http.api_token)) co_return std::move(*refused);
        // Not a structured binding: GCC 12 cannot keep one across co_await in a coroutine.
        const auto path = call_path(req);
        const std::string id = path.first, rest = path.second;
        auto call = rest.empty() ? ctx.sip.calls().get(id) : std::nullopt;
        if (!call) co_return make_error(status::not_found, "no call with id " + id);
        co_return http::make_json(status::ok, json::serialize(*call));
    });
    r.add_prefix(http::verb::delete_, "/api/v1/calls/", [ctx](const http::request& req) -> asio::awaitable<response> {
        if (auto refused = check_token(req, ctx.cfg.get()->http.api_token)) co_return std::move(*refused);
        // Not a structured binding: GCC 12 cannot keep one across co_await in a coroutine.
        const auto path = call_path(req);
        const std::string id = path.first, rest = path.second;
        if (!rest.empty()) co_return make_error(status::not_found, "no such resource");
        const auto r = co_await ctx.sip.hang_up(id);
        if (r == call::control_result::not_found && ctx.sip.calls().get(id))
            co_return make_error(status::conflict, "the call has ended already");
        json::object body{{"id", id}, {"hanging_up", true}};
        co_return control_response(r, id, std::move(body));
    });
    // POST /api/v1/calls/{id}/dtmf {"keys": "123#"} and /mute {"muted": true}.
    r.add_prefix(http::verb::post, "/api/v1/calls/", [ctx](const http::request& req) -> asio::awaitable<response> {
        if (auto refused = check_token(req, ctx.cfg.get()->http.api_token)) co_return std::move(*refused);
        const auto path = call_path(req);
        const std::string id = path.first, action = path.second;
        boost::system::error_code ec;
        const json::value v = json::parse(req.body(), ec);
        if (ec || !v.is_object()) co_return make_error(status::bad_request, "the body must be a JSON object");
        const auto& o = v.get_object();
        if (action == "dtmf") {
            std::string keys, error;
            if (!read_string(o, "keys", keys, error, true)) co_return make_error(status::bad_request, error);
            // Bodies built before co_await: GCC 12 cannot keep an initializer list across one.
            json::object body{{"id", id}, {"keys", keys}};
            const auto r = co_await ctx.sip.send_dtmf(id, keys);
            co_return control_response(r, id, std::move(body));
        }
        if (action == "mute") {
            const auto* m = o.if_contains("muted");
            if (!m || !m->is_bool()) co_return make_error(status::bad_request, "muted: expected true or false");
            json::object body{{"id", id}, {"muted", m->get_bool()}};
            const auto r = co_await ctx.sip.set_muted(id, m->get_bool());
            co_return control_response(r, id, std::move(body));
        }
        co_return make_error(status::not_found, "no such action: " + action + " (dtmf, mute)");
    });
}

}  // namespace jigasi::app
