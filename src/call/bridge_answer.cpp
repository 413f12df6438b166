#include "call/bridge_answer.hpp"

#include "media/rtp/header_extension.hpp"
#include "xmpp/jingle.hpp"

#include <algorithm>
#include <system_error>

namespace jigasi::call {

namespace {

core::error refuse(std::string why) { return {std::make_error_code(std::errc::invalid_argument), std::move(why)}; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

}  // namespace

core::result<bridge_answer> answer_offer(const media::description& offer, const bridge_answer_input& ours) {
    auto audio = std::find_if(offer.media.begin(), offer.media.end(),
                              [](const media::media_section& m) { return m.kind == media::media_kind::audio; });
    if (audio == offer.media.end()) return refuse("the offer has no audio content");
    const auto& in = *audio;

    bridge_answer out;
    out.mid = in.mid;
    // §4.2: the first offered payload type we also support; for the bridge that is Opus (RFC 7587
    // §7: always "opus/48000/2" in the signalling, whatever is actually sent).
    const media::payload_type* opus = nullptr;
    const media::payload_type* dtmf = nullptr;
    for (const auto& pt : in.payload_types) {
        if (!opus && iequals(pt.encoding, "opus") && pt.clock_rate == 48000) opus = &pt;
        // Prefer telephone-event at the Opus clock (RFC 4733 §2.1: same clock as the audio).
        if (iequals(pt.encoding, "telephone-event") && (!dtmf || pt.clock_rate == 48000)) dtmf = &pt;
    }
    if (!opus) return refuse("the offer has no opus/48000 payload type");
    if (in.ice.ufrag.empty() || in.ice.pwd.empty()) return refuse("the offer has no ICE ufrag/pwd");
    if (in.dtls.fingerprint.empty()) return refuse("the offer has no DTLS fingerprint");
    if (!in.rtcp_mux) return refuse("the offer does not allow rtcp-mux");

    out.opus_pt = opus->pt;
    out.opus_fmtp = opus->fmtp;
    if (dtmf) {
        out.dtmf_pt = dtmf->pt;
        out.dtmf_clock = dtmf->clock_rate;
    }
    // Only the audio level is answered (§4.2, as Jigasi does). Not sdes:mid: the bridge routes our
    // one stream by its signalled SSRC, and a MID naming the Jingle content ("audio") would not
    // match a peer whose BUNDLE mids differ (libwebrtc then drops the packets, RFC 8843 §9.2).
    for (const auto& e : in.header_extensions) {
        if (e.id == 0 || e.id > 14) continue;  // we write one-byte headers (RFC 8285 §4.2)
        if (e.uri == media::rtp::audio_level_uri) out.audio_level_id = static_cast<std::uint8_t>(e.id);
    }
    out.remote = {in.ice.ufrag, in.ice.pwd, in.ice.candidates, in.dtls};
    out.remote_sources = in.sources;

    media::media_section a;
    a.kind = media::media_kind::audio;
    a.profile = media::transport_profile::udp_tls_rtp_savpf;
    a.mid = in.mid;
    a.rtcp_mux = true;
    a.dir = ours.send_audio ? media::direction::sendrecv : media::direction::recvonly;
    a.payload_types.push_back(*opus);
    if (dtmf) a.payload_types.push_back(*dtmf);
    for (const auto& e : in.header_extensions)
        if (e.id == out.audio_level_id) a.header_extensions.push_back({e.id, e.uri, {}, {}});
    if (ours.send_audio)
        a.sources.push_back(xmpp::jingle::local_audio_source(ours.ssrc, ours.endpoint_id, ours.cname));
    a.ice = ours.ice;
    a.dtls = ours.dtls;
    out.answer.media.push_back(std::move(a));
    if (!offer.bundle.empty()) out.answer.bundle = {in.mid};
    out.answer.extmap_allow_mixed = offer.extmap_allow_mixed;
    return out;
}

}  // namespace jigasi::call
