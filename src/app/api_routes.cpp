#include "app/api_routes.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/crypto.h>

namespace json = boost::json;
namespace asio = boost::asio;

namespace jigasi::app {

using http::make_error;
using http::response;
using http::status;

namespace api {

std::optional<response> check_token(const http::request& req, const std::string& token) {
    if (token.empty()) return make_error(status::forbidden, "the REST API is off: set http.api_token");
    const auto auth = req[boost::beast::http::field::authorization];
    constexpr std::string_view scheme = "Bearer ";
    const bool ok = auth.size() == scheme.size() + token.size() && auth.substr(0, scheme.size()) == scheme &&
                    CRYPTO_memcmp(auth.data() + scheme.size(), token.data(), token.size()) == 0;
    if (ok) return std::nullopt;
    auto r = make_error(status::unauthorized, auth.empty() ? "an Authorization: Bearer <http.api_token> header is required"
                                                           : "wrong token");
    r.set(boost::beast::http::field::www_authenticate, "Bearer realm=\"jigasi-ng\"");
    return r;
}

bool read_string(const json::object& o, std::string_view key, std::string& out, std::string& error, bool required) {
    const auto* v = o.if_contains(key);
    if (!v) {
        if (required) error = std::string(key) + ": required";
        return !required;
    }
    if (!v->is_string()) {
        error = std::string(key) + ": expected a string";
        return false;
    }
    out = std::string(v->get_string());
    return true;
}

bool read_seconds(const json::object& o, std::string_view key, std::chrono::seconds& out, long max, std::string& error) {
    const auto* v = o.if_contains(key);
    if (!v) return true;
    if (!v->is_int64() || v->get_int64() < 1 || v->get_int64() > max) {
        error = std::string(key) + ": expected a whole number of seconds from 1 to " + std::to_string(max);
        return false;
    }
    out = std::chrono::seconds(v->get_int64());
    return true;
}

}  // namespace api

namespace {

using namespace api;

response outcome_response(const sip::dial_outcome& o) {
    // Not routable: no call was placed, so the answer is a plain error like any bad request.
    if (o.failure == sip::dial_failure::bad_request) return make_error(status::bad_request, o.reason);
    if (o.failure == sip::dial_failure::not_found) return make_error(status::not_found, o.reason);
    json::object body{{"id", o.id}, {"answered", o.answered}, {"status", o.status}, {"reason", o.reason}};
    if (!o.codec.empty()) body["codec"] = o.codec;
    if (o.ringing_ms >= 0) body["ringing_ms"] = o.ringing_ms;
    if (o.answer_ms >= 0) body["answer_ms"] = o.answer_ms;
    status s = status::ok;
    if (o.answered) s = status::ok;
    else if (o.status >= 300) s = status::bad_gateway;       // the far end refused: its status is in the body
    else if (!o.id.empty()) s = status::gateway_timeout;     // sent, but no final answer in time
    else s = status::service_unavailable;                    // not sent: no port, stack down
    return http::make_json(s, json::serialize(body));
}

/// The probe id of /api/v1/xmpp/probes/{id}.
std::string probe_id(const http::request& req) {
    constexpr std::string_view prefix = "/api/v1/xmpp/probes/";
    std::string_view target = req.target();
    target = target.substr(0, target.find('?'));
    return std::string(target.substr(std::min(prefix.size(), target.size())));
}

void add_probe_routes(http::router& r, const api_context& ctx) {
    // POST /api/v1/xmpp/probes {"room", "server"?, "display_name"?, "password"?, "nick"?, "hold_s"?,
    // "audio"?, "tone_hz"?, "record_s"?}: join the room as a call would (with "audio": true also
    // answer the offer and exchange audio); 201 with the probe's id, then GET it for the report.
    r.add(http::verb::post, "/api/v1/xmpp/probes", [ctx](const http::request& req) -> asio::awaitable<response> {
        if (auto refused = check_token(req, ctx.cfg.get()->http.api_token)) co_return std::move(*refused);
        boost::system::error_code ec;
        const json::value v = json::parse(req.body(), ec);
        if (ec || !v.is_object()) co_return make_error(status::bad_request, "the body must be a JSON object");
        const auto& o = v.get_object();
        probe_request p;
        std::string error, password;
        if (!read_string(o, "room", p.room, error, true) || !read_string(o, "server", p.server, error, false) ||
            !read_string(o, "display_name", p.display_name, error, false) ||
            !read_string(o, "password", password, error, false) || !read_string(o, "nick", p.nick, error, false) ||
            !read_seconds(o, "hold_s", p.hold, 3600, error) || !read_seconds(o, "record_s", p.record, 30, error))
            co_return make_error(status::bad_request, error);
        if (o.contains("password")) p.password = password;
        if (auto* a = o.if_contains("audio")) {
            if (!a->is_bool()) co_return make_error(status::bad_request, "audio: expected true or false");
            p.audio = a->get_bool();
        }
        if (auto* t = o.if_contains("tone_hz")) {
            if (!t->is_number() || t->to_number<double>() < 0 || t->to_number<double>() > 3800)
                co_return make_error(status::bad_request, "tone_hz: expected a number 0..3800 (0: send nothing)");
            p.tone_hz = t->to_number<double>();
        }
        for (const auto& [key, value] : o)
            if (key != "room" && key != "server" && key != "display_name" && key != "password" && key != "hold_s" &&
                key != "nick" && key != "audio" && key != "tone_hz" && key != "record_s")
                co_return make_error(status::bad_request, "unknown member: " + std::string(key));
        auto started = ctx.probes.start(std::move(p));
        if (!started.error.empty())
            co_return make_error(started.busy ? status::service_unavailable : status::bad_request, started.error);
        co_return http::make_json(status::created, json::serialize(*ctx.probes.report(started.id)));
    });
    r.add(http::verb::get, "/api/v1/xmpp/probes", [ctx](const http::request& req) -> asio::awaitable<response> {
        if (auto refused = check_token(req, ctx.cfg.get()->http.api_token)) co_return std::move(*refused);
        co_return http::make_json(status::ok, json::serialize(json::object{{"probes", ctx.probes.list()}}));
    });
    r.add_prefix(http::verb::get, "/api/v1/xmpp/probes/", [ctx](const http::request& req) -> asio::awaitable<response> {
        if (auto refused = check_token(req, ctx.cfg.get()->http.api_token)) co_return std::move(*refused);
        // GET /api/v1/xmpp/probes/{id}/audio.wav: what an audio probe heard (the first record_s seconds).
        const auto id = probe_id(req);
        if (id.ends_with("/audio.wav")) {
            auto wav = ctx.probes.recording(id.substr(0, id.size() - 10));
            if (!wav) co_return make_error(status::not_found, "no such probe, or it has no audio");
            co_return http::make_response(status::ok, "audio/wav", std::move(*wav));
        }
        auto report = ctx.probes.report(id);
        if (!report) co_return make_error(status::not_found, "no such probe");
        co_return http::make_json(status::ok, json::serialize(*report));
    });
    r.add_prefix(http::verb::delete_, "/api/v1/xmpp/probes/", [ctx](const http::request& req) -> asio::awaitable<response> {
        if (auto refused = check_token(req, ctx.cfg.get()->http.api_token)) co_return std::move(*refused);
        const auto id = probe_id(req);
        if (!ctx.probes.stop(id)) co_return make_error(status::not_found, "no such probe");
        co_return http::make_json(status::accepted, json::serialize(json::object{{"id", id}, {"stopping", true}}));
    });
}

}  // namespace

void add_api_routes(http::router& r, const api_context& ctx) {
    // POST /api/v1/sip/echo-calls {"to", "via"?, "ring_timeout_s"?, "max_duration_s"?}: call out and
    // echo what the other side sends; answers when the call is answered or has failed.
    r.add(http::verb::post, "/api/v1/sip/echo-calls", [ctx](const http::request& req) -> asio::awaitable<response> {
        if (auto refused = check_token(req, ctx.cfg.get()->http.api_token)) co_return std::move(*refused);
        boost::system::error_code ec;
        const json::value v = json::parse(req.body(), ec);
        if (ec || !v.is_object()) co_return make_error(status::bad_request, "the body must be a JSON object");
        const auto& o = v.get_object();
        sip::dial_request dial;
        sip::dial_options opts;
        std::string error;
        if (!read_string(o, "to", dial.to, error, true) || !read_string(o, "via", dial.via, error, false) ||
            !read_seconds(o, "ring_timeout_s", opts.ring_timeout, 300, error) ||
            !read_seconds(o, "max_duration_s", opts.max_duration, 3600, error))
            co_return make_error(status::bad_request, error);
        for (const auto& [key, value] : o)
            if (key != "to" && key != "via" && key != "ring_timeout_s" && key != "max_duration_s")
                co_return make_error(status::bad_request, "unknown member: " + std::string(key));
        co_return outcome_response(co_await ctx.sip.dial_echo(std::move(dial), opts));
    });
    add_probe_routes(r, ctx);
    add_call_routes(r, ctx);
}

}  // namespace jigasi::app
