// RFC 3264 offer/answer for the SIP leg: one audio stream, one codec, telephone-event, direction,
// and SDES-SRTP (RFC 4568) keys.

#include "core/base64.hpp"
#include "sip/sdp.hpp"

#include <openssl/rand.h>

#include <array>

namespace jigasi::sip::sdp {
namespace {

class category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "sdp"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::malformed: return "malformed SDP";
        case errc::limit_exceeded: return "SDP limit exceeded";
        case errc::no_media: return "no usable media";
        case errc::no_common_codec: return "no common codec";
        case errc::unsupported_profile: return "unsupported transport profile";
        case errc::no_usable_crypto: return "no usable SDES crypto";
        case errc::answer_mismatch: return "answer does not match the offer";
        case errc::key_generation_failed: return "key generation failed";
        }
        return "unknown SDP error " + std::to_string(ev);
    }
};

using media::direction;
using media::media_section;
using media::payload_type;
using media::transport_profile;

bool is_telephone_event(const payload_type& p) { return media::iequals(p.encoding, "telephone-event"); }

bool matches(const codec& c, const payload_type& p) {
    // RFC 7587 §7 says opus/48000/2 always; some phones still write opus/48000, so the channel
    // count is not checked for Opus.
    const bool opus = media::iequals(c.encoding, "opus");
    return media::iequals(c.encoding, p.encoding) && c.clock_rate == p.clock_rate &&
           (c.channels == p.channels || opus);
}

/// RFC 4733 §7.1.1: events are timed in the clock of the audio they go with, so pick the
/// telephone-event of the codec's rate; for Opus an 8000 one is the common fallback.
std::optional<payload_type> telephone_event_for(const media_section& m, std::uint32_t rate) {
    const payload_type* fallback = nullptr;
    for (const auto& p : m.payload_types) {
        if (!is_telephone_event(p)) continue;
        if (p.clock_rate == rate) return p;
        if (p.clock_rate == 8000 && !fallback) fallback = &p;
    }
    return fallback ? std::optional(*fallback) : std::nullopt;
}

bool fill_random(const local_capabilities& local, std::span<std::uint8_t> out) {
    if (local.random) return local.random(out);
    return RAND_bytes(out.data(), static_cast<int>(out.size())) == 1;
}

/// A fresh inline key for `suite` under `tag` (RFC 4568 §6.1: key||salt, base64).
result<media::crypto_attr> make_crypto(const local_capabilities& local, std::uint32_t tag,
                                       const std::string& suite) {
    std::array<std::uint8_t, 64> buf{};
    const auto n = key_salt_length(suite);
    if (n == 0 || n > buf.size()) return error{errc::no_usable_crypto, "unknown suite " + suite};
    if (!fill_random(local, std::span(buf.data(), n)))
        return error{errc::key_generation_failed, "random source failed"};
    return media::crypto_attr{tag, suite, {{core::base64_encode(std::span<const std::uint8_t>(buf.data(), n)), {}, {}}}, {}};
}

/// An a=crypto line we can use: a suite we support, one inline key of the suite's length, and no
/// session parameter (RFC 4568 §6.3: an unknown one makes the line unusable).
bool usable_crypto(const media::crypto_attr& c, const local_capabilities& local) {
    bool supported = false;
    for (const auto& s : local.crypto_suites) supported = supported || s == c.suite;
    if (!supported || c.keys.size() != 1 || !c.session_params.empty()) return false;
    const auto key = core::base64_decode(c.keys[0].key_salt);
    return key && key->size() == key_salt_length(c.suite);
}

media::payload_type to_payload(const codec& c, std::uint8_t pt) {
    return {pt, c.encoding, c.clock_rate, c.channels, c.fmtp};
}

/// A rejected stream keeps its media, proto and formats with port 0 (RFC 3264 §6).
media_section rejected(const media_section& offered) {
    media_section r;
    r.kind = offered.kind, r.kind_token = offered.kind_token;
    r.profile = offered.profile, r.profile_token = offered.profile_token;
    for (const auto& p : offered.payload_types) r.payload_types.push_back({p.pt, {}, 0, 1, {}});
    r.formats = offered.formats;
    r.mid = offered.mid;
    return r;
}

/// The codec to answer with: the first of ours found in the offer, or the offer's first of ours.
const payload_type* choose(const media_section& m, const local_capabilities& local) {
    if (local.prefer_offer_order) {
        for (const auto& p : m.payload_types)
            for (const auto& c : local.codecs)
                if (matches(c, p)) return &p;
        return nullptr;
    }
    for (const auto& c : local.codecs)
        for (const auto& p : m.payload_types)
            if (matches(c, p)) return &p;
    return nullptr;
}

/// What we do on a stream the peer states as `peer`, within our own `local` direction.
direction our_direction(direction peer, direction local) {
    const bool send = media::receives(peer) && media::sends(local);
    const bool recv = media::sends(peer) && media::receives(local);
    return send ? (recv ? direction::sendrecv : direction::sendonly)
                : (recv ? direction::recvonly : direction::inactive);
}

struct stream_answer {
    media_section section;
    negotiated_media agreed;
};

result<stream_answer> answer_stream(const media_section& m, const local_capabilities& local) {
    const bool sdes = m.profile == transport_profile::rtp_savp || m.profile == transport_profile::rtp_savpf;
    const bool plain = m.profile == transport_profile::rtp_avp || m.profile == transport_profile::rtp_avpf;
    if (m.kind != media::media_kind::audio || m.port == 0)
        return error{errc::no_media, "not an active audio stream"};
    if (!(plain && local.srtp != srtp_policy::mandatory) && !(sdes && local.srtp != srtp_policy::off))
        return error{errc::unsupported_profile,
                     "transport " + std::string(media::profile_name(m)) + " not accepted"};
    const payload_type* chosen = choose(m, local);
    if (!chosen) return error{errc::no_common_codec, "no offered codec is enabled"};
    const codec* ours = nullptr;
    for (const auto& c : local.codecs)
        if (!ours && matches(c, *chosen)) ours = &c;

    stream_answer a;
    auto& s = a.section;
    s.kind = m.kind, s.profile = m.profile, s.port = local.port, s.address = local.address;
    s.mid = m.mid;
    s.ptime = local.ptime;
    // RFC 3264 §6.1: the offerer's payload type number, our own fmtp (what we want to receive).
    s.payload_types.push_back(to_payload(*ours, chosen->pt));
    auto& g = a.agreed;
    g.codec = *chosen;
    if (local.telephone_event) {
        g.telephone_event = telephone_event_for(m, chosen->clock_rate);
        if (g.telephone_event)
            s.payload_types.push_back({g.telephone_event->pt, g.telephone_event->encoding,
                                       g.telephone_event->clock_rate, 1, {{"0-16", ""}}});
    }
    // RFC 3264 §6.1: sendonly is answered recvonly, recvonly sendonly, inactive inactive; and we
    // never do more than our own direction allows.
    s.dir = our_direction(media::effective_direction(m), local.dir);
    s.rtcp_mux = m.rtcp_mux;  // RFC 5761 §5.1.1
    g.dir = s.dir;
    g.remote_address = m.address, g.remote_port = m.port;
    g.remote_rtcp_port = m.rtcp_port, g.rtcp_mux = m.rtcp_mux;
    g.remote_ptime = m.ptime;
    if (sdes) {
        // RFC 4568 §7.1.2: take the first usable line in the offerer's order, answer with its tag.
        const media::crypto_attr* remote = nullptr;
        for (const auto& c : m.crypto)
            if (!remote && usable_crypto(c, local)) remote = &c;
        if (!remote) return error{errc::no_usable_crypto, "RTP/SAVP offer without a usable a=crypto"};
        auto mine = make_crypto(local, remote->tag, remote->suite);
        if (!mine) return mine.error();
        s.crypto.push_back(*mine);
        g.srtp = srtp_keys{remote->suite, *mine, *remote};
    }
    return a;
}

}  // namespace

const std::error_category& category() noexcept {
    static const category_impl instance;
    return instance;
}

int sip_status(std::error_code ec) {
    if (ec.category() != category()) return 500;
    switch (static_cast<errc>(ec.value())) {
    case errc::malformed:
    case errc::limit_exceeded: return 400;
    case errc::key_generation_failed: return 500;
    default: return 488;  // RFC 3261 §21.4.26 Not Acceptable Here
    }
}

codec pcmu() { return {"PCMU", 8000, 1, 0, {}}; }
codec pcma() { return {"PCMA", 8000, 1, 8, {}}; }
codec g722() { return {"G722", 8000, 1, 9, {}}; }
codec opus() { return {"opus", 48000, 2, 111, {{"minptime", "10"}, {"useinbandfec", "1"}}}; }
std::vector<codec> default_codecs() { return {opus(), g722(), pcmu(), pcma()}; }

std::size_t key_salt_length(std::string_view suite) {
    if (suite == "AES_CM_128_HMAC_SHA1_80" || suite == "AES_CM_128_HMAC_SHA1_32") return 30;
    if (suite == "AEAD_AES_128_GCM") return 28;  // RFC 7714 §12: 16-byte key, 12-byte salt
    return 0;
}

result<media::description> build_offer(const local_capabilities& local) {
    media::description d;
    d.origin = {local.origin_username, local.session_id, local.session_version, local.address};
    media_section m;
    m.port = local.port;
    m.address = local.address;
    m.dir = local.dir;
    m.ptime = local.ptime;
    m.rtcp_mux = local.offer_rtcp_mux;
    bool opus_offered = false;
    for (const auto& c : local.codecs) {
        m.payload_types.push_back(to_payload(c, c.pt));
        opus_offered = opus_offered || c.clock_rate == 48000;
    }
    if (local.telephone_event) {
        if (opus_offered)
            m.payload_types.push_back(
                {local.telephone_event_pt_48k, "telephone-event", 48000, 1, {{"0-16", ""}}});
        m.payload_types.push_back(
            {local.telephone_event_pt, "telephone-event", 8000, 1, {{"0-16", ""}}});
    }
    if (local.srtp == srtp_policy::mandatory) {
        m.profile = transport_profile::rtp_savp;
        std::uint32_t tag = 1;
        for (const auto& suite : local.crypto_suites) {
            auto c = make_crypto(local, tag++, suite);
            if (!c) return c.error();
            m.crypto.push_back(*c);
        }
        if (m.crypto.empty()) return error{errc::no_usable_crypto, "SRTP mandatory but no suite"};
    }
    d.media.push_back(std::move(m));
    return d;
}

result<answer> negotiate_answer(const media::description& offer, const local_capabilities& local) {
    answer a;
    a.sdp.origin = {local.origin_username, local.session_id, local.session_version, local.address};
    std::optional<error> first_error;
    bool accepted = false;
    for (std::size_t i = 0; i < offer.media.size(); ++i) {
        const auto& m = offer.media[i];
        if (!accepted) {
            auto s = answer_stream(m, local);
            if (s) {
                a.sdp.media.push_back(std::move(s->section));
                a.media = std::move(s->agreed);
                a.media.index = i;
                accepted = true;
                continue;
            }
            if (!first_error && m.kind == media::media_kind::audio && m.port != 0)
                first_error = error{s.error().code, "m= line " + std::to_string(i + 1) + ": " +
                                                      s.error().diagnostic};
            if (s.error().code == errc::key_generation_failed) return s.error();
        }
        a.sdp.media.push_back(rejected(m));  // RFC 3264 §6: same count and order, port 0
    }
    if (!accepted) return first_error ? *first_error : error{errc::no_media, "no audio stream offered"};
    return a;
}

result<negotiated_media> apply_answer(const media::description& offer,
                                      const media::description& ans) {
    // RFC 3264 §6: the answer has exactly the offer's m= lines, in order.
    if (ans.media.size() != offer.media.size())
        return error{errc::answer_mismatch, "answer has " + std::to_string(ans.media.size()) +
                                                " m= lines, offer " + std::to_string(offer.media.size())};
    for (std::size_t i = 0; i < offer.media.size(); ++i) {
        const auto& ours = offer.media[i];
        const auto& theirs = ans.media[i];
        if (ours.kind != media::media_kind::audio || ours.port == 0) continue;
        if (theirs.port == 0) return error{errc::no_common_codec, "audio stream rejected by the peer"};
        if (theirs.profile != ours.profile)
            return error{errc::answer_mismatch, "answer changed the transport profile"};
        negotiated_media g;
        g.index = i;
        // The answer lists what the peer will receive; its first codec that we offered is the one.
        const payload_type* chosen = nullptr;
        for (const auto& p : theirs.payload_types) {
            if (chosen || is_telephone_event(p)) continue;
            for (const auto& q : ours.payload_types)
                if (!is_telephone_event(q) && media::iequals(p.encoding, q.encoding) &&
                    p.clock_rate == q.clock_rate && p.channels == q.channels)
                    chosen = &p;
        }
        if (!chosen) return error{errc::no_common_codec, "answer has none of the offered codecs"};
        g.codec = *chosen;
        g.telephone_event = telephone_event_for(theirs, chosen->clock_rate);
        g.remote_address = theirs.address, g.remote_port = theirs.port;
        g.remote_rtcp_port = theirs.rtcp_port;
        g.rtcp_mux = theirs.rtcp_mux && ours.rtcp_mux;
        g.remote_ptime = theirs.ptime;
        g.dir = our_direction(media::effective_direction(theirs), ours.dir);
        if (media::is_secure(ours.profile)) {
            // RFC 4568 §7.1.3: exactly one line, with one of our tags and that tag's suite.
            if (theirs.crypto.size() != 1) return error{errc::no_usable_crypto, "answer needs one a=crypto"};
            const auto& r = theirs.crypto.front();
            const media::crypto_attr* mine = nullptr;
            for (const auto& c : ours.crypto)
                if (c.tag == r.tag && c.suite == r.suite) mine = &c;
            const auto key = r.keys.size() == 1 ? core::base64_decode(r.keys[0].key_salt) : std::nullopt;
            if (!mine || !key || key->size() != key_salt_length(r.suite))
                return error{errc::no_usable_crypto, "answer a=crypto does not match an offered one"};
            g.srtp = srtp_keys{r.suite, *mine, r};
        }
        return g;
    }
    return error{errc::no_media, "the offer had no audio stream"};
}

}  // namespace jigasi::sip::sdp
