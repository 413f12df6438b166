#pragma once
// The answer to Jicofo's session-initiate (jitsi-protocol.md §4.1, §4.2), without I/O: which
// payload types and header extensions the call's bridge leg uses, the peer's transport for ICE and
// DTLS, and the description to send back as session-accept (full transport, our one source).
//
// Only the audio content is answered; Jicofo offers a video content only to participants that
// advertise video features, which we never do (§3.3).
#include "core/result.hpp"
#include "media/description.hpp"
#include "media/net/secure_transport.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jigasi::call {

struct bridge_answer_input {
    media::ice_params ice;        ///< ours: ufrag, pwd, candidates
    media::dtls_params dtls;      ///< ours: fingerprint, setup active (§4.4)
    std::uint32_t ssrc = 0;       ///< our audio source, random
    std::string endpoint_id;      ///< our MUC nick: the source is "<nick>-a0" owned by it
    std::string cname;
    bool send_audio = true;       ///< false: recvonly, no source (a visitor)
};

struct bridge_answer {
    media::description answer;    ///< for jingle::build_session_accept
    media::net::remote_transport remote;
    std::string mid;              ///< the audio content's name
    std::uint8_t opus_pt = 111;
    std::vector<media::parameter> opus_fmtp;  ///< the offer's (useinbandfec, maxplaybackrate, ...)
    std::uint8_t dtmf_pt = 0;         ///< telephone-event/48000 or /8000; 0: none offered
    std::uint32_t dtmf_clock = 8000;
    std::uint8_t audio_level_id = 0;  ///< RFC 6464; 0: not offered
    std::uint8_t mid_id = 0;          ///< RFC 9143 sdes:mid; never answered (see answer_offer), so 0
    std::vector<media::source> remote_sources;  ///< the web participants' audio (and the bridge's own)
};

/// Errors (network input, errc::invalid_argument with a diagnostic for the session-terminate
/// text and the log): no audio content, no Opus/48000/2, no ICE credentials, no fingerprint, a
/// content without rtcp-mux (we have one port).
core::result<bridge_answer> answer_offer(const media::description& offer, const bridge_answer_input& ours);

}  // namespace jigasi::call
