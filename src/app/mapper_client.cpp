#include "app/mapper_client.hpp"

#include "core/error.hpp"
#include "xmpp/jid.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>

namespace asio = boost::asio;
namespace json = boost::json;

namespace jigasi::app {

namespace {

bool all_digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char ch) { return std::isdigit(ch); });
}

/// "0042" and 42 are the same number: compare without leading zeros.
std::string_view without_leading_zeros(std::string_view s) {
    const auto first = s.find_first_not_of('0');
    return first == std::string_view::npos ? std::string_view("0") : s.substr(first);
}

/// A mapper's text as it may appear in a log line: short, printable.
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (unsigned char ch : s.substr(0, 120)) out += ch < 0x20 || ch == 0x7f ? '?' : static_cast<char>(ch);
    return out + (s.size() > 120 ? "...\"" : "\"");
}

/// The mapper's URL for log lines: no query (it may carry a token).
std::string where(std::string_view url) { return std::string(url.substr(0, url.find_first_of("?#"))); }

core::error bad_reply(std::string why) { return {core::errc::bad_input, "answer not in jitsi-meet's format: " + why}; }

/// "message" of a JSON error body, if there is one.
std::string message_of(std::string_view body) {
    boost::system::error_code ec;
    const json::value v = json::parse(json::string_view(body.data(), body.size()), ec);
    if (ec || !v.is_object()) return {};
    const auto* m = v.get_object().if_contains("message");
    if (!m || !m->is_string()) return {};
    return ": " + quoted(std::string_view(m->get_string().data(), m->get_string().size()));
}

}  // namespace

std::string mapper_lookup_url(std::string_view base, std::string_view digits) {
    std::string url(base.substr(0, base.find('#')));
    if (url.find('?') == std::string::npos) url += '?';
    else if (url.back() != '?' && url.back() != '&') url += '&';
    url += "id=";
    url += digits;
    return url;
}

core::result<std::optional<std::string>> parse_mapper_reply(const http::http_response& reply, std::string_view digits) {
    if (reply.status == 404) return std::optional<std::string>();
    if (reply.status < 200 || reply.status > 299) {
        std::string why = "HTTP " + std::to_string(reply.status);
        if (reply.status >= 300 && reply.status <= 399)
            why += " (a redirect" + (reply.location.empty() ? std::string() : " to " + quoted(reply.location)) +
                   "; redirects are not followed, set dialin.mapper_url to the final URL)";
        return core::error{core::errc::unavailable, why + message_of(reply.body)};
    }

    boost::system::error_code ec;
    const json::value v = json::parse(json::string_view(reply.body.data(), reply.body.size()), ec);
    if (ec) return bad_reply("not JSON (" + ec.message() + ")");
    const json::object* obj = v.if_object();
    if (!obj) return bad_reply("not a JSON object");

    // "id" (a number, or digits in a string) must be the ID asked about, when the mapper says it.
    if (const json::value* id = obj->if_contains("id"); id && !id->is_null()) {
        std::string text;
        if (id->is_uint64()) text = std::to_string(id->get_uint64());
        else if (id->is_int64() && id->get_int64() >= 0) text = std::to_string(id->get_int64());
        else if (id->is_string()) text = std::string(id->get_string().data(), id->get_string().size());
        if (text.empty() || text.size() > 32 || !all_digits(text)) return bad_reply("\"id\" is not a meeting ID");
        if (without_leading_zeros(text) != without_leading_zeros(digits))
            return bad_reply("\"id\" " + text + " is not the ID asked about");
    }

    const json::value* conf = obj->if_contains("conference");
    if (!conf || conf->is_null() || (conf->is_bool() && !conf->get_bool())) return std::optional<std::string>();
    if (!conf->is_string()) return bad_reply("\"conference\" is not a string");
    std::string text(conf->get_string().data(), conf->get_string().size());
    if (text.empty()) return std::optional<std::string>();
    for (auto& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto jid = xmpp::jid::parse(text);
    if (!jid || jid->local().empty() || !jid->resource().empty())
        return bad_reply("\"conference\" " + quoted(text) + " is not room@muc-domain");
    return std::optional<std::string>(jid->to_string());
}

mapper_client::mapper_client(const config::store& cfg, const core::logger& logger, std::chrono::milliseconds timeout)
    : cfg_(cfg), log_(logger, "ivr", "mapper"), timeout_(timeout) {}

bool mapper_client::configured() const { return !cfg_.get()->dialin.mapper_url.empty(); }

asio::awaitable<core::result<std::optional<std::string>>> mapper_client::lookup(std::string digits) const {
    const std::string base = cfg_.get()->dialin.mapper_url;
    if (base.empty()) co_return std::optional<std::string>();
    // The ID itself is never logged: it is what lets a caller into the meeting.
    const std::string asked = "lookup of a " + std::to_string(digits.size()) + "-digit ID at " + where(base);
    if (digits.empty() || digits.size() > 32 || !all_digits(digits)) {
        log_.warning(asked, ": not 1..32 digits, not sent");
        co_return core::error{core::errc::bad_input, "meeting ID: expected 1..32 digits"};
    }
    const auto ex = co_await asio::this_coro::executor;
    auto op = http::http_get(ex, mapper_lookup_url(base, digits), timeout_);
    auto reply = co_await std::move(op);
    if (!reply) {
        log_.warning(asked, " failed: ", reply.error().diagnostic);
        co_return reply.error();
    }
    auto found = parse_mapper_reply(*reply, digits);
    if (!found) log_.warning(asked, " failed: ", found.error().diagnostic);
    else if (!*found) log_.info(asked, ": unknown (HTTP ", reply->status, ")");
    co_return found;
}

}  // namespace jigasi::app
