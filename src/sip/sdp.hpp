#pragma once
// SDP (RFC 4566) to and from media::description, and the RFC 3264 offer/answer of the SIP leg:
// codec choice by preference, telephone-event, direction, SDES-SRTP (RFC 4568). Sans-io: no sockets,
// no libre; parse() reads network input and never throws on it (fuzzed by tests/fuzz/sdp_fuzz.cpp).

#include "core/result.hpp"
#include "media/description.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace jigasi::sip::sdp {

enum class errc {
    malformed = 1,     ///< syntax error (400)
    limit_exceeded,    ///< larger than parse_limits allow (400)
    no_media,          ///< no usable m= line (488)
    no_common_codec,   ///< nothing in the offer/answer we can use (488)
    unsupported_profile,  ///< e.g. DTLS-SRTP on the SIP leg, or RTP/AVP when SRTP is mandatory (488)
    no_usable_crypto,  ///< RTP/SAVP without an a=crypto we support (488)
    answer_mismatch,   ///< an answer that does not fit our offer (RFC 3264 §6)
    key_generation_failed,
};

const std::error_category& category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), category()}; }

/// The SIP status to reject an offer with: 400 for unreadable SDP, 488 for unacceptable, 500 else.
int sip_status(std::error_code ec);

using error = core::error;
template <class T>
using result = core::result<T>;

/// Bounds that keep hostile input cheap; each one exceeded is errc::limit_exceeded.
struct parse_limits {
    std::size_t max_size = 64 * 1024;
    std::size_t max_line_length = 4096;
    std::size_t max_lines = 2048;
    std::size_t max_media = 16;
    std::size_t max_formats = 128;     ///< per m= line (RTP allows 0..127)
    std::size_t max_candidates = 64;   ///< per media section
    std::size_t max_sources = 256;     ///< per media section
    std::size_t max_list = 32;  ///< fmtp parameters, crypto lines, extmaps, ssrc params, keys
    std::size_t max_extra = 128;       ///< unknown attributes per section
};

/// Parse an SDP body. CRLF or LF line ends; unknown lines and attributes are kept (a=) or skipped
/// (b=, i=, k=, z=...). Session-level c=, direction, ICE and DTLS attributes are applied to the
/// media sections that lack their own.
result<media::description> parse(std::string_view text, const parse_limits& limits = {});

/// The SDP text, CRLF line ends, RFC 4566 §5 order (v o s c t a, then m c a per section).
std::string serialize(const media::description& d);

// --- offer/answer (RFC 3264) ---

/// A codec we can send and receive, in the RTP names of its SDP rtpmap.
struct codec {
    std::string encoding;
    std::uint32_t clock_rate = 8000;
    std::uint8_t channels = 1;
    std::uint8_t pt = 0;  ///< the payload type we use in our own offers
    std::vector<media::parameter> fmtp;  ///< what we state we want to receive
};

codec pcmu();
codec pcma();
codec g722();   ///< G722/8000 in SDP although 16 kHz audio (RFC 3551 §4.5.2)
codec opus();   ///< opus/48000/2 (RFC 7587) with useinbandfec=1, minptime=10
/// Opus, G722, PCMU, PCMA: wideband first (a preference list the config may replace).
std::vector<codec> default_codecs();

enum class srtp_policy : std::uint8_t {
    off,        ///< RTP/AVP only; an RTP/SAVP offer is refused
    optional,   ///< offer RTP/AVP, accept RTP/AVP or RTP/SAVP with SDES
    mandatory,  ///< offer and accept RTP/SAVP with SDES only
};

/// Fills the span with cryptographically random bytes; false on failure.
using random_fn = std::function<bool(std::span<std::uint8_t>)>;

struct local_capabilities {
    std::string address;            ///< the public address stated in c= and o= (1:1 NAT)
    std::uint16_t port = 0;         ///< our RTP port
    std::vector<codec> codecs = default_codecs();  ///< preference order
    bool prefer_offer_order = false;  ///< answer with the offerer's first match (as Jigasi did)
    bool telephone_event = true;    ///< RFC 4733
    std::uint8_t telephone_event_pt = 101;      ///< telephone-event/8000 in our offers
    std::uint8_t telephone_event_pt_48k = 110;  ///< telephone-event/48000, offered beside opus
    std::uint32_t ptime = 20;       ///< 0: no a=ptime
    media::direction dir = media::direction::sendrecv;
    bool offer_rtcp_mux = false;    ///< PBXes rarely mux; an offered rtcp-mux is always accepted
    srtp_policy srtp = srtp_policy::optional;
    /// SDES suites in our preference order (for offers; answers take the offerer's order).
    std::vector<std::string> crypto_suites = {"AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32",
                                              "AEAD_AES_128_GCM"};
    std::string origin_username = "jigasi-ng";
    std::string session_id = "0";
    std::uint64_t session_version = 0;
    random_fn random;  ///< empty: OpenSSL RAND_bytes
};

/// The SDES keys of a stream: ours (we send with it) and the peer's (it sends with it).
struct srtp_keys {
    std::string suite;
    media::crypto_attr local;
    media::crypto_attr remote;
    friend bool operator==(const srtp_keys&, const srtp_keys&) = default;
};

/// What both sides agreed for the one audio stream the gateway uses.
struct negotiated_media {
    std::size_t index = 0;  ///< m= line index in the offer/answer
    media::payload_type codec;  ///< with the payload type number on the wire
    std::optional<media::payload_type> telephone_event;
    std::string remote_address;
    std::uint16_t remote_port = 0;
    std::uint16_t remote_rtcp_port = 0;  ///< 0: port + 1, or none with rtcp_mux
    bool rtcp_mux = false;
    media::direction dir = media::direction::sendrecv;  ///< what we do (sendonly: peer holds)
    std::uint32_t remote_ptime = 0;  ///< the peer's a=ptime (how it wants to receive), 0 absent
    std::optional<srtp_keys> srtp;
    friend bool operator==(const negotiated_media&, const negotiated_media&) = default;
};

struct answer {
    media::description sdp;
    negotiated_media media;
};

/// Our offer: one audio m= line with the codecs in preference order and telephone-event; RTP/SAVP
/// with a fresh key per suite when SRTP is mandatory.
result<media::description> build_offer(const local_capabilities& local);

/// Answer a remote offer (RFC 3264 §6): same m= lines in the same order, the first usable audio
/// stream accepted with one codec (the offerer's payload type numbers), every other one port 0.
/// An error means the offer is refused (sip_status(): 488).
result<answer> negotiate_answer(const media::description& offer, const local_capabilities& local);

/// Read the peer's answer to our offer: chosen codec, telephone-event, address, direction, SRTP.
result<negotiated_media> apply_answer(const media::description& offer,
                                      const media::description& answer);

/// Bytes of key||salt for an SDES suite (RFC 4568 §6.2, RFC 7714 §12), 0 for an unknown one.
std::size_t key_salt_length(std::string_view suite);

}  // namespace jigasi::sip::sdp

template <>
struct std::is_error_code_enum<jigasi::sip::sdp::errc> : std::true_type {};
