// Jitsi Meet's dial-in panel, served by jigasi-ng (issue 8 item 3, jitsi-protocol.md §6.3):
//   GET /conferenceMapper?conference=room@muc  -> {"message", "id", "conference"}   (dialInConfCodeUrl)
//   GET /conferenceMapper?id=1234567890        -> the reverse, for IVRs
//   GET /phoneNumberList?conference=room@muc   -> [{"countryCode", "tollFree", "formattedNumber", "default"}]
// No token: browsers call these from the meeting page (hence CORS *). Failed ID lookups are
// rate-limited so that the ID space cannot be walked.
#include "app/dialin_routes.hpp"

#include "xmpp/jid.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>

namespace json = boost::json;
namespace asio = boost::asio;

namespace jigasi::app {

namespace {

using http::response;
using http::status;

response cors(response r) {
    r.set(boost::beast::http::field::access_control_allow_origin, "*");
    return r;
}

response json_reply(status s, const json::value& v) { return cors(http::make_json(s, json::serialize(v))); }

/// "room@muc.domain" on one of our deployments, lower-cased; nullopt otherwise.
std::optional<std::string> our_conference(const config::config& c, const std::string& text) {
    if (text.size() > 512) return std::nullopt;
    std::string lower = text;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto j = xmpp::jid::parse(lower);
    if (!j || j->local().empty() || !j->resource().empty()) return std::nullopt;
    const bool ours = std::any_of(c.xmpp.servers.begin(), c.xmpp.servers.end(),
                                  [&](const auto& s) { return s.muc_domain == j->domain(); });
    if (!ours) return std::nullopt;
    return j->to_string();
}

}  // namespace

bool failure_budget::take(std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(mu_);
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    tokens_ = std::min(burst, tokens_ + elapsed * per_second);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
}

void add_dialin_routes(http::router& r, const dialin_context& ctx) {
    r.add(http::verb::get, "/conferenceMapper", [ctx](const http::request& req) -> asio::awaitable<response> {
        const auto c = ctx.cfg.get();
        if (!c->dialin.enabled) co_return cors(http::make_error(status::not_found, "dial-in is off (dialin.enabled)"));
        if (auto id_text = http::query_param(req.target(), "id")) {
            const bool digits = !id_text->empty() && id_text->size() <= 16 &&
                                std::all_of(id_text->begin(), id_text->end(), [](unsigned char ch) { return std::isdigit(ch); });
            if (!digits) co_return json_reply(status::bad_request, json::object{{"message", "id: expected up to 16 digits"}});
            const auto id = std::stoull(*id_text);
            if (auto conf = ctx.mapper.conference_of(id))
                co_return json_reply(status::ok, json::object{{"message", "Successfully retrieved conference mapping"},
                                                              {"id", id}, {"conference", *conf}});
            if (!ctx.failures.take(std::chrono::steady_clock::now()))
                co_return json_reply(status::too_many_requests, json::object{{"message", "too many unknown IDs; try later"}});
            co_return json_reply(status::not_found, json::object{{"message", "No conference mapping was found"},
                                                                 {"id", id}, {"conference", false}});
        }
        const auto name = http::query_param(req.target(), "conference");
        if (!name) co_return json_reply(status::bad_request, json::object{{"message", "conference or id is required"}});
        const auto conf = our_conference(*c, *name);
        if (!conf)
            co_return json_reply(status::not_found, json::object{{"message", "not a conference this gateway serves: " + *name}});
        const auto id = ctx.mapper.id_for(*conf, c->dialin.id_digits);
        if (!id) co_return json_reply(status::service_unavailable, json::object{{"message", "the conference mapper is full"}});
        co_return json_reply(status::ok, json::object{{"message", "Successfully retrieved conference mapping"},
                                                      {"id", *id}, {"conference", *conf}});
    });
    r.add(http::verb::get, "/phoneNumberList", [ctx](const http::request&) -> asio::awaitable<response> {
        const auto c = ctx.cfg.get();
        if (!c->dialin.enabled) co_return cors(http::make_error(status::not_found, "dial-in is off (dialin.enabled)"));
        json::array numbers;
        for (const auto& n : c->dialin.numbers)
            numbers.push_back(json::object{{"countryCode", n.country_code}, {"tollFree", n.toll_free},
                                           {"formattedNumber", n.number}, {"default", n.is_default}});
        co_return json_reply(status::ok, numbers);
    });
}

}  // namespace jigasi::app
