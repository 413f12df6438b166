#pragma once
// The neutral media description: what SDP (SIP side, sip/sdp.hpp) and Jingle (bridge side,
// jitsi-protocol.md §4.1/§4.2) both say about a session, as plain comparable aggregates. Nothing here
// knows a wire format; the codecs of each format map to and from this model.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jigasi::media {

enum class media_kind : std::uint8_t { audio, video, application, other };

/// RFC 3551 RTP/AVP, RFC 3711 RTP/SAVP, RFC 4585 RTP/AVPF, RFC 5124 RTP/SAVPF, RFC 5764 DTLS-SRTP.
enum class transport_profile : std::uint8_t {
    rtp_avp,
    rtp_savp,
    rtp_avpf,
    rtp_savpf,
    udp_tls_rtp_savp,
    udp_tls_rtp_savpf,
    other,
};

/// RFC 4566 §6 / RFC 3264 §5.1; Jingle `senders` maps onto it (both, initiator, responder, none).
enum class direction : std::uint8_t { sendrecv, sendonly, recvonly, inactive };

/// RFC 4145 §4 a=setup; Jingle <fingerprint setup="...">.
enum class setup_role : std::uint8_t { none, actpass, active, passive, holdconn };

/// A name/value pair: fmtp parameters (order kept), a=ssrc attributes, Jingle <parameter>. A bare
/// token such as telephone-event's "0-16" is a name with an empty value.
struct parameter {
    std::string name;
    std::string value;
    friend bool operator==(const parameter&, const parameter&) = default;
};

/// An attribute this model has no field for, kept in order so that it survives a round trip.
struct attribute {
    std::string name;
    std::string value;  ///< empty for property attributes (a=rtcp-rsize)
    friend bool operator==(const attribute&, const attribute&) = default;
};

struct payload_type {
    std::uint8_t pt = 0;
    std::string encoding;          ///< "opus", "PCMU"; empty for a dynamic pt without rtpmap
    std::uint32_t clock_rate = 0;  ///< RTP clock: G722 says 8000 although it samples 16 kHz (RFC 3551 §4.5.2)
    std::uint8_t channels = 1;
    std::vector<parameter> fmtp;
    friend bool operator==(const payload_type&, const payload_type&) = default;
};

/// RFC 8285 a=extmap; Jingle <rtp-hdrext>.
struct header_extension {
    std::uint16_t id = 0;
    std::string uri;
    std::optional<direction> dir;  ///< absent: same as the media
    std::string attributes;        ///< extension attributes after the URI, verbatim
    friend bool operator==(const header_extension&, const header_extension&) = default;
};

/// RFC 5576 a=ssrc; Jingle <source> with <ssrc-info owner> (XEP-0339).
struct source {
    std::uint32_t ssrc = 0;
    std::string name;    ///< Jitsi source name ("<endpoint>-a0")
    std::string owner;   ///< Jitsi endpoint id, "jvb" for the bridge's own
    std::vector<parameter> params;  ///< cname, msid, mslabel, label, ... in order
    friend bool operator==(const source&, const source&) = default;
};

/// RFC 8839 a=candidate; Jingle <candidate>.
struct ice_candidate {
    std::string foundation;
    std::uint16_t component = 1;
    std::string transport = "udp";
    std::uint32_t priority = 0;
    std::string address;
    std::uint16_t port = 0;
    std::string type = "host";  ///< host, srflx, prflx, relay
    std::string related_address;
    std::uint16_t related_port = 0;
    std::string tcp_type;       ///< RFC 6544: active, passive, so
    std::uint32_t generation = 0;
    friend bool operator==(const ice_candidate&, const ice_candidate&) = default;
};

struct ice_params {
    std::string ufrag;
    std::string pwd;
    std::string options;  ///< a=ice-options, e.g. "trickle"
    std::vector<ice_candidate> candidates;
    friend bool operator==(const ice_params&, const ice_params&) = default;
};

/// RFC 8122 a=fingerprint + RFC 4145 a=setup.
struct dtls_params {
    std::string hash;         ///< "sha-256"
    std::string fingerprint;  ///< "2B:6F:...:9A"
    setup_role setup = setup_role::none;
    friend bool operator==(const dtls_params&, const dtls_params&) = default;
};

/// One key of an RFC 4568 §9.1 key-params list: inline:<key||salt>[|lifetime][|MKI:length].
struct crypto_key {
    std::string key_salt;  ///< base64, as on the wire
    std::string lifetime;  ///< "2^31" or decimal, empty when absent
    std::string mki;       ///< "1:4" (value:length), empty when absent
    friend bool operator==(const crypto_key&, const crypto_key&) = default;
};

/// RFC 4568 a=crypto:<tag> <crypto-suite> <key-params> [<session-params>].
struct crypto_attr {
    std::uint32_t tag = 1;
    std::string suite;  ///< "AES_CM_128_HMAC_SHA1_80"
    std::vector<crypto_key> keys;
    std::vector<std::string> session_params;  ///< "KDR=1", "UNENCRYPTED_SRTCP", ...
    friend bool operator==(const crypto_attr&, const crypto_attr&) = default;
};

struct media_section {
    media_kind kind = media_kind::audio;
    std::string kind_token;  ///< the m= media token when kind is other
    transport_profile profile = transport_profile::rtp_avp;
    std::string profile_token;  ///< the m= proto token when profile is other
    std::uint16_t port = 0;     ///< 0: the stream is rejected or disabled (RFC 3264 §6)
    std::string address;        ///< connection address (c=), session-level one applied
    std::uint16_t rtcp_port = 0;  ///< RFC 3605 a=rtcp, 0 when absent
    std::string rtcp_address;
    bool rtcp_mux = false;  ///< RFC 5761
    direction dir = direction::sendrecv;
    std::uint32_t ptime = 0;     ///< ms, 0 when absent
    std::uint32_t maxptime = 0;  ///< ms, 0 when absent
    std::vector<payload_type> payload_types;  ///< RTP profiles: m= order
    std::vector<std::string> formats;         ///< non-RTP profiles: the m= format tokens
    std::vector<header_extension> header_extensions;
    std::vector<source> sources;
    ice_params ice;
    dtls_params dtls;
    std::vector<crypto_attr> crypto;
    std::string mid;  ///< RFC 5888
    std::vector<attribute> extra;
    friend bool operator==(const media_section&, const media_section&) = default;
};

/// RFC 4566 §5.2 o= (the address is the session's, written with the same type rules as c=).
struct session_origin {
    std::string username = "-";
    std::string session_id = "0";  ///< numeric text; may exceed 64 bits on the wire
    std::uint64_t session_version = 0;
    std::string address = "0.0.0.0";
    friend bool operator==(const session_origin&, const session_origin&) = default;
};

struct description {
    session_origin origin;
    std::string session_name = "-";
    std::vector<std::string> bundle;  ///< RFC 8843 a=group:BUNDLE mids; Jingle <group>
    bool ice_lite = false;
    bool extmap_allow_mixed = false;  ///< RFC 8285 §6
    std::vector<media_section> media;
    std::vector<attribute> extra;  ///< session-level attributes without a field
    friend bool operator==(const description&, const description&) = default;
};

// --- helpers ---

std::string_view to_string(media_kind);
std::string_view to_string(transport_profile);
std::string_view to_string(direction);
std::string_view to_string(setup_role);
std::optional<media_kind> parse_media_kind(std::string_view);
std::optional<transport_profile> parse_profile(std::string_view);
std::optional<direction> parse_direction(std::string_view);
std::optional<setup_role> parse_setup_role(std::string_view);

/// True for every RTP profile (payload types are numbers), false for e.g. UDP/DTLS/SCTP.
bool is_rtp(transport_profile p);
/// SRTP profiles: keys by SDES (RTP/SAVP[F]) or by DTLS (UDP/TLS/RTP/SAVP[F]).
bool is_secure(transport_profile p);
/// The media token (kind_token for other) and the proto token (profile_token for other).
std::string_view kind_name(const media_section& m);
std::string_view profile_name(const media_section& m);

/// What the other side of an offer/answer does for a stream the peer states as `d` (RFC 3264 §6.1).
direction reverse(direction d);
bool sends(direction d);
bool receives(direction d);

/// The direction the peer means, counting the RFC 2543 hold (c=0.0.0.0) as "do not send to me"
/// (RFC 3264 §8.4).
direction effective_direction(const media_section& m);

/// Case-insensitive ASCII comparison (encoding names are case-insensitive, RFC 4855 §3).
bool iequals(std::string_view a, std::string_view b);

const payload_type* find_payload(const media_section& m, std::uint8_t pt);
const parameter* find_parameter(const std::vector<parameter>& params, std::string_view name);

/// The RFC 3551 §6 defaults of a static payload type (0 PCMU, 8 PCMA, 9 G722, ...); encoding empty
/// for a dynamic or unknown number.
payload_type static_payload_type(std::uint8_t pt);

}  // namespace jigasi::media
