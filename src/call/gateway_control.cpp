// The API's hold on calls in progress (issue 7 item 2c): hang up, keys for the phone, mute; and
// Rayo's hangup (jitsi-protocol.md §2.3). Signalling strand, like the rest of the gateway.
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

bool gateway::rayo_hang_up(const std::string& occupant) {
    const auto live = registry_->list();
    for (const auto& v : live) {
        const auto& o = v.as_object();
        if (o.contains("occupant") && o.at("occupant").as_string() == occupant && o.at("state").as_string() != "ended") {
            const std::string id(o.at("id").as_string());
            return hang_up(id, "Rayo hangup") == control_result::ok;
        }
    }
    return false;
}

}  // namespace jigasi::call
