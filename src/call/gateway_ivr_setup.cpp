// What the IVR of a dial-in call needs from the gateway: the prompts, and the mapper that turns a
// typed meeting ID into a room on one of our deployments (issue 8 item 2).
#include "call/gateway.hpp"
#include "call/gateway_call.hpp"
#include "call/room_options.hpp"
#include "media/prompts/prompt_library.hpp"

namespace asio = boost::asio;

namespace jigasi::call {

namespace {
// The deployment whose MUC domain holds the conference, and how to join it there.
asio::awaitable<std::optional<xmpp::room_session_options>> resolve_meeting(gateway::meeting_lookup lookup,
                                                                          const config::store* store,
                                                                          core::log_channel log, std::string digits) {
    if (!lookup) co_return std::nullopt;
    auto op = lookup(digits);  // named: no temporaries inside the co_await (GCC 12, strand_op.hpp)
    const std::optional<std::string> conference = co_await std::move(op);
    if (!conference) co_return std::nullopt;
    const auto c = store->get();
    const auto at = conference->find('@');
    if (at == std::string::npos) co_return std::nullopt;
    const std::string domain = conference->substr(at + 1);
    for (const auto& s : c->xmpp.servers) {
        if (s.muc_domain != domain) continue;
        auto room = room_jid(s, *conference);
        if (!room) break;
        co_return session_options(*c, s, *room, {});
    }
    log.notice("meeting ID ", digits, " names ", *conference, ", which is on none of xmpp.servers' MUC domains");
    co_return std::nullopt;
}
}  // namespace

void gateway::set_ivr(std::shared_ptr<const media::prompts::prompt_library> prompts, meeting_lookup lookup) {
    prompts_ = std::move(prompts);
    meeting_lookup_ = std::move(lookup);
}

void gateway::add_ivr(gateway_call_context& x, const config::config& c, bool choose_room, bool has_password) {
    if (!c.ivr.enabled) return;
    gateway_call_context::ivr_context ivr;
    ivr.cfg = c.ivr;
    ivr.choose_room = choose_room;
    ivr.has_password = has_password;
    ivr.lobby_wait = std::chrono::seconds(c.ivr.lobby_wait_s);
    ivr.wait_prompt = std::chrono::seconds(c.ivr.wait_prompt_s);
    ivr.start_wait = std::chrono::seconds(c.ivr.start_wait_s);
    ivr.lookup = [lookup = meeting_lookup_, store = &cfg_, log = log_](std::string digits) {
        return resolve_meeting(lookup, store, log, std::move(digits));
    };
    x.ivr = std::move(ivr);
}

}  // namespace jigasi::call
