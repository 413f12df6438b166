// The API's hold on calls in progress (issue 7 item 2c): hang up, keys for the phone, mute.
// Signalling strand, like the rest of the gateway. (A Rayo hangup reaches its call through the
// room: gateway_call::on_hangup.)
#include "call/gateway_detail.hpp"
#include "media/rtp/telephone_event.hpp"

namespace jigasi::call {

gateway::sip_call* gateway::find(const std::string& id) {
    for (const auto& [p, c] : calls_)
        if (c->id == id) return p;
    return nullptr;
}

control_result gateway::hang_up(const std::string& id, const std::string& why) {
    auto* c = find(id);
    if (!c) return control_result::not_found;
    c->log.info("hang-up asked: ", why);
    // A dial-in call not answered yet is refused with 480 rather than left to ring.
    ended(c, {480, "api_hangup", why, "api"});
    return control_result::ok;
}

control_result gateway::send_dtmf(const std::string& id, const std::string& keys) {
    auto* c = find(id);
    if (!c) return control_result::not_found;
    if (keys.empty() || keys.size() > 64) return control_result::bad_request;
    for (char k : keys)
        if (k != ',' && !media::rtp::event_from_char(k)) return control_result::bad_request;
    if (!c->answered || !c->call) return control_result::not_ready;
    c->log.info("DTMF for the phone: ", keys);
    c->call->send_dtmf(keys);
    return control_result::ok;
}

control_result gateway::set_muted(const std::string& id, bool muted) {
    auto* c = find(id);
    if (!c) return control_result::not_found;
    if (!c->call) return control_result::not_ready;
    c->log.info(muted ? "muted" : "unmuted", " by the API");
    c->call->set_muted(muted);
    return control_result::ok;
}

}  // namespace jigasi::call
