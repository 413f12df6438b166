// SRTP session: round trips for every profile, tampered and replayed packets refused with their
// own codes and counted, SRTCP, any inbound SSRC, and the buffer rules of the in-place API.

#include "media/srtp/sdes.hpp"
#include "media/srtp/session.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

namespace srtp = jigasi::media::srtp;
using bytes = std::vector<std::uint8_t>;

namespace {

/// An RTP packet (PT 111) of `payload` bytes, with `room` spare bytes after it.
bytes rtp(std::uint16_t seq, std::uint32_t ssrc, std::size_t payload = 160, std::size_t room = 16) {
    bytes p{0x80, 111, static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq),
            0, 0, 0x03, 0xc0,
            static_cast<std::uint8_t>(ssrc >> 24), static_cast<std::uint8_t>(ssrc >> 16),
            static_cast<std::uint8_t>(ssrc >> 8), static_cast<std::uint8_t>(ssrc)};
    for (std::size_t i = 0; i < payload; ++i) p.push_back(static_cast<std::uint8_t>(seq + i));
    p.resize(p.size() + room);
    return p;
}

/// An RTCP receiver report (PT 201) with one report block, 20 spare bytes.
bytes rtcp(std::uint32_t ssrc) {
    bytes p{0x81, 201, 0, 7,
            static_cast<std::uint8_t>(ssrc >> 24), static_cast<std::uint8_t>(ssrc >> 16),
            static_cast<std::uint8_t>(ssrc >> 8), static_cast<std::uint8_t>(ssrc)};
    for (int i = 0; i < 24; ++i) p.push_back(static_cast<std::uint8_t>(i));
    p.resize(p.size() + 20);
    return p;
}

constexpr srtp::profile all_profiles[] = {srtp::profile::aes_cm_128_hmac_sha1_80,
                                           srtp::profile::aes_cm_128_hmac_sha1_32,
                                           srtp::profile::aead_aes_128_gcm};

struct pair_of_sessions {
    srtp::session a;
    srtp::session b;
};

pair_of_sessions make_sessions(srtp::profile p) {
    auto k1 = srtp::generate_key(p);
    auto k2 = srtp::generate_key(p);
    REQUIRE(k1);
    REQUIRE(k2);
    auto a = srtp::session::create({*k1, *k2});
    auto b = srtp::session::create({*k2, *k1});
    REQUIRE(a);
    REQUIRE(b);
    return {std::move(*a), std::move(*b)};
}

/// Protects an RTP packet of `payload` bytes on `from`; returns the SRTP bytes.
bytes protect(srtp::session& from, std::uint16_t seq, std::uint32_t ssrc = 0x11223344) {
    auto p = rtp(seq, ssrc);
    const auto n = from.protect_rtp(p, p.size() - 16);
    REQUIRE(n);
    p.resize(*n);
    return p;
}

}  // namespace

TEST_CASE("SRTP round trip for every profile", "[srtp]") {
    for (auto profile : all_profiles) {
        INFO(srtp::sdes_name(profile));
        auto [a, b] = make_sessions(profile);
        CHECK(a.rtp_overhead() == srtp::rtp_overhead(profile));
        for (std::uint16_t seq = 65500; seq != 100; ++seq) {  // across the ROC wrap
            const auto plain = rtp(seq, 0x11223344);
            auto packet = plain;
            const auto n = a.protect_rtp(packet, plain.size() - 16);
            REQUIRE(n);
            CHECK(*n == plain.size() - 16 + srtp::rtp_overhead(profile));
            CHECK_FALSE(std::equal(plain.begin() + 12, plain.end() - 16, packet.begin() + 12));
            const auto back = b.unprotect_rtp(std::span(packet.data(), *n));
            REQUIRE(back);
            REQUIRE(*back == plain.size() - 16);
            CHECK(std::equal(plain.begin(), plain.end() - 16, packet.begin()));
        }
        CHECK(a.stats().rtp_protected == 136);
        CHECK(b.stats().rtp_unprotected == 136);
        // The other direction uses the other key.
        auto back = protect(b, 7);
        CHECK(a.unprotect_rtp(back));
    }
}

TEST_CASE("SRTP tampered packet is an authentication failure", "[srtp]") {
    for (auto profile : {srtp::profile::aes_cm_128_hmac_sha1_80, srtp::profile::aead_aes_128_gcm}) {
        INFO(srtp::sdes_name(profile));
        auto [a, b] = make_sessions(profile);
        const auto good = protect(a, 1);
        for (std::size_t at : {std::size_t{1}, std::size_t{12}, good.size() - 1}) {
            auto bad = good;
            bad[at] ^= 0x01;
            const auto r = b.unprotect_rtp(bad);
            REQUIRE_FALSE(r);
            CHECK(r.error().code == srtp::errc::auth_failed);
        }
        CHECK(b.stats().auth_failures == 3);
        // A failed packet does not burn its index: the genuine one still passes.
        auto copy = good;
        CHECK(b.unprotect_rtp(copy));
        // A key that is not the sender's fails the same way.
        auto [c, d] = make_sessions(profile);
        auto foreign = protect(c, 2);
        CHECK(b.unprotect_rtp(foreign).error().code == srtp::errc::auth_failed);
        CHECK(b.stats().auth_failures == 4);
        CHECK(b.stats().rtp_unprotected == 1);
    }
}

TEST_CASE("SRTP replayed packet is refused as a replay", "[srtp]") {
    auto [a, b] = make_sessions(srtp::profile::aes_cm_128_hmac_sha1_80);
    const auto first = protect(a, 10);
    const auto second = protect(a, 11);
    auto x = first;
    REQUIRE(b.unprotect_rtp(x));
    auto y = second;
    REQUIRE(b.unprotect_rtp(y));
    auto again = first;
    const auto r = b.unprotect_rtp(again);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == srtp::errc::replay);
    CHECK(b.stats().replays == 1);
    CHECK(b.stats().auth_failures == 0);
    // Far behind the window (1024): also a replay ("too old").
    for (std::uint16_t s = 12; s < 2100; ++s) protect(a, s);
    auto late = protect(a, 2100);
    REQUIRE(b.unprotect_rtp(late));
    auto old = protect(a, 2101);
    (void)old;
    auto stale = first;
    CHECK(b.unprotect_rtp(stale).error().code == srtp::errc::replay);
    CHECK(b.stats().replays == 2);
    // Sending the same sequence number twice is refused on our side too.
    auto dup = rtp(2101, 0x11223344);
    CHECK(a.protect_rtp(dup, dup.size() - 16).error().code == srtp::errc::replay);
}

TEST_CASE("SRTCP round trip, tamper and replay", "[srtp]") {
    for (auto profile : all_profiles) {
        INFO(srtp::sdes_name(profile));
        auto [a, b] = make_sessions(profile);
        const auto plain = rtcp(0xabcdef01);
        const auto len = plain.size() - 20;
        auto packet = plain;
        const auto n = a.protect_rtcp(packet, len);
        REQUIRE(n);
        CHECK(*n == len + srtp::rtcp_overhead(profile));
        packet.resize(*n);
        auto tampered = packet;
        tampered[10] ^= 0x80;
        CHECK(b.unprotect_rtcp(tampered).error().code == srtp::errc::auth_failed);
        auto copy = packet;
        const auto back = b.unprotect_rtcp(copy);
        REQUIRE(back);
        CHECK(*back == len);
        const auto end = plain.begin() + static_cast<std::ptrdiff_t>(len);
        CHECK(std::equal(plain.begin(), end, copy.begin()));
        auto replayed = packet;
        CHECK(b.unprotect_rtcp(replayed).error().code == srtp::errc::replay);
        CHECK(b.stats().rtcp_unprotected == 1);
        CHECK(b.stats().auth_failures == 1);
        CHECK(b.stats().replays == 1);
        CHECK(a.stats().rtcp_protected == 1);
    }
}

TEST_CASE("SRTP accepts any inbound SSRC", "[srtp]") {
    auto [a, b] = make_sessions(srtp::profile::aead_aes_128_gcm);
    for (std::uint32_t ssrc : {1u, 0xdeadbeefu, 42u, 0xffffffffu}) {
        auto p = protect(a, 5, ssrc);  // same sequence number, different streams
        CHECK(b.unprotect_rtp(p));
    }
    CHECK(b.stats().rtp_unprotected == 4);
}

TEST_CASE("SRTP buffer rules and malformed packets", "[srtp]") {
    auto [a, b] = make_sessions(srtp::profile::aes_cm_128_hmac_sha1_80);
    auto p = rtp(1, 1, 20, 9);  // one byte short of the 10-byte tag
    CHECK(a.protect_rtp(p, p.size() - 9).error().code == srtp::errc::buffer_too_small);
    auto ok = rtp(1, 1, 20, 10);
    CHECK(a.protect_rtp(ok, ok.size() - 10));
    CHECK(a.protect_rtp(ok, ok.size() + 1).error().code == srtp::errc::malformed);
    bytes tiny{0x80, 0, 0};
    CHECK(a.protect_rtp(tiny, tiny.size()).error().code == srtp::errc::malformed);
    auto r = rtcp(1);
    CHECK(a.protect_rtcp(r, r.size() - 6).error().code == srtp::errc::buffer_too_small);

    for (bytes in : {bytes{}, bytes{0x80}, bytes(21, 0x80), bytes(100, 0x40) /* version 1 */}) {
        CHECK(b.unprotect_rtp(in).error().code == srtp::errc::malformed);
        CHECK(b.unprotect_rtcp(in).error().code == srtp::errc::malformed);
    }
    CHECK(b.stats().malformed == 8);
    CHECK(b.stats().auth_failures == 0);
}

TEST_CASE("SRTP session refuses keys of the wrong length", "[srtp]") {
    const bytes short_key(29, 1);
    CHECK_FALSE(srtp::master_key::from_bytes(srtp::profile::aes_cm_128_hmac_sha1_80, short_key));
    CHECK(srtp::master_key::from_bytes(srtp::profile::aead_aes_128_gcm, bytes(28, 1)));
    const srtp::master_key empty;
    CHECK(empty.empty());
    CHECK(empty.key().empty());
    CHECK(empty.salt().empty());
    const auto s = srtp::session::create({empty, empty});
    REQUIRE_FALSE(s);
    CHECK(s.error().code == srtp::errc::bad_key);
    auto k = srtp::generate_key(srtp::profile::aes_cm_128_hmac_sha1_80);
    REQUIRE(k);
    const auto small = srtp::session::create({*k, *k}, {.replay_window = 10});
    CHECK(small.error().code == srtp::errc::bad_option);
    CHECK_FALSE(srtp::initialize());  // idempotent
}
