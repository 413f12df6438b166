// DTLS-SRTP end to end: the keys two DTLS sessions export (RFC 5764 §4.2) drive SRTP both ways.

#include "media/dtls/dtls_pair.hpp"
#include "media/srtp/session.hpp"

#include <vector>

using namespace jigasi::test;
namespace srtp = jigasi::media::srtp;
using bytes = std::vector<std::uint8_t>;

namespace {

bytes rtp_packet(std::uint16_t seq, std::uint32_t ssrc) {
    bytes p{0x80, 111, static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq),
            0, 0, 0, 0,
            static_cast<std::uint8_t>(ssrc >> 24), static_cast<std::uint8_t>(ssrc >> 16),
            static_cast<std::uint8_t>(ssrc >> 8), static_cast<std::uint8_t>(ssrc)};
    p.resize(12 + 80, 0x5a);
    return p;
}

/// `from` protects an RTP and an RTCP packet; `to` must get them back.
void exchange(srtp::session& from, srtp::session& to, std::uint16_t seq) {
    const auto plain = rtp_packet(seq, 0x01020304);
    auto buf = plain;
    buf.resize(plain.size() + srtp::max_rtp_overhead);
    const auto n = from.protect_rtp(buf, plain.size());
    REQUIRE(n);
    const auto back = to.unprotect_rtp(std::span(buf.data(), *n));
    REQUIRE(back);
    CHECK(bytes(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*back)) == plain);

    const bytes rr{0x80, 201, 0, 1, 0x01, 0x02, 0x03, 0x04};
    auto rbuf = rr;
    rbuf.resize(rr.size() + srtp::max_rtcp_overhead);
    const auto m = from.protect_rtcp(rbuf, rr.size());
    REQUIRE(m);
    const auto rback = to.unprotect_rtcp(std::span(rbuf.data(), *m));
    REQUIRE(rback);
    CHECK(bytes(rbuf.begin(), rbuf.begin() + static_cast<std::ptrdiff_t>(*rback)) == rr);
}

}  // namespace

TEST_CASE("SRTP with DTLS-exported keys, both profiles, both directions", "[srtp]") {
    for (auto profile : {srtp::profile::aead_aes_128_gcm, srtp::profile::aes_cm_128_hmac_sha1_80}) {
        INFO(srtp::sdes_name(profile));
        dtls_pair p;
        auto c = p.client_config();
        c.profiles = {profile};
        p.create(std::move(c), p.server_config());
        p.run();
        const auto* cc = find_event<dtls::connected>(p.client_events);
        const auto* sc = find_event<dtls::connected>(p.server_events);
        REQUIRE(cc);
        REQUIRE(sc);
        CHECK(cc->profile == profile);
        auto client = srtp::session::create(cc->keys());
        auto server = srtp::session::create(sc->keys());
        REQUIRE(client);
        REQUIRE(server);
        CHECK(client->outbound_profile() == profile);
        for (std::uint16_t seq = 1; seq <= 5; ++seq) {
            exchange(*client, *server, seq);
            exchange(*server, *client, seq);
        }
        // A role mix-up (both sides acting as client) checks with the wrong half: refused.
        auto wrong = srtp::session::create(cc->keys());
        REQUIRE(wrong);
        auto buf = rtp_packet(100, 7);
        buf.resize(buf.size() + 16);
        const auto n = client->protect_rtp(buf, buf.size() - 16);
        REQUIRE(n);
        const auto refused = wrong->unprotect_rtp(std::span(buf.data(), *n));
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code == srtp::errc::auth_failed);
    }
}
