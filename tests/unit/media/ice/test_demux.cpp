// The one-port demultiplexer, endpoints, candidate priorities, conversions and credentials.

#include "media/ice/candidate.hpp"
#include "media/ice/demux.hpp"
#include "media/ice/endpoint.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace jigasi::media::ice;

namespace {
packet_kind kind(std::vector<std::uint8_t> d, std::size_t size = 24) {
    d.resize(std::max(size, d.size()));
    return classify(d);
}
}  // namespace

TEST_CASE("RFC 7983 first-byte ranges and RFC 5761 RTP/RTCP split", "[ice]") {
    CHECK(kind({0x00, 0x01}) == packet_kind::stun);
    CHECK(kind({0x01, 0x01}) == packet_kind::stun);
    CHECK(kind({0x03}) == packet_kind::stun);
    CHECK(kind({0x04}) == packet_kind::drop);
    CHECK(kind({16}) == packet_kind::drop);  // ZRTP
    CHECK(kind({20}) == packet_kind::dtls);  // change_cipher_spec
    CHECK(kind({22}) == packet_kind::dtls);  // handshake
    CHECK(kind({63}) == packet_kind::dtls);
    CHECK(kind({64}) == packet_kind::drop);  // TURN channel
    CHECK(kind({127}) == packet_kind::drop);
    CHECK(kind({0x80, 111}) == packet_kind::rtp);          // Opus
    CHECK(kind({0x80, 0x80 | 111}) == packet_kind::rtp);   // marker bit
    CHECK(kind({0x80, 0x80 | 96}) == packet_kind::rtp);    // 224: PT 96 with the marker
    CHECK(kind({0x80, 191}) == packet_kind::rtp);          // PT 63 with the marker
    CHECK(kind({0x80, 200}) == packet_kind::rtcp);         // SR
    CHECK(kind({0x81, 201}) == packet_kind::rtcp);         // RR
    CHECK(kind({0x8f, 206}) == packet_kind::rtcp);         // PSFB
    CHECK(kind({0x80, 192}) == packet_kind::rtcp);
    CHECK(kind({0x80, 223}) == packet_kind::rtcp);
    CHECK(kind({0xbf, 111}) == packet_kind::rtp);
    CHECK(kind({0xc0, 111}) == packet_kind::drop);
    CHECK(kind({0xff}) == packet_kind::drop);
    CHECK(classify({}) == packet_kind::drop);
    // too short for what the first byte claims
    CHECK(kind({0x00}, 19) == packet_kind::drop);
    CHECK(kind({22}, 12) == packet_kind::drop);
    CHECK(kind({0x80, 111}, 11) == packet_kind::drop);
    CHECK(kind({0x80, 200}, 8) == packet_kind::rtcp);
    CHECK(kind({0x80, 200}, 7) == packet_kind::drop);
    CHECK(kind({0x80}, 1) == packet_kind::drop);
    static_assert(classify(std::span<const std::uint8_t>{}) == packet_kind::drop);
}

TEST_CASE("endpoints parse, print and compare", "[ice]") {
    auto a = endpoint::parse("192.0.2.1", 3478);
    REQUIRE(a);
    CHECK(a->to_string() == "192.0.2.1:3478");
    CHECK_FALSE(a->v6);
    CHECK(*a == endpoint::ipv4({192, 0, 2, 1}, 3478));
    auto b = endpoint::parse("2001:db8::1", 5000);
    REQUIRE(b);
    CHECK(b->to_string() == "[2001:db8::1]:5000");
    CHECK_FALSE(a->same_family(*b));
    CHECK(endpoint::parse("127.0.0.1", 1)->is_loopback());
    CHECK(endpoint::parse("::1", 1)->is_loopback());
    CHECK_FALSE(endpoint::parse("10.0.0.1", 1)->is_loopback());
    CHECK_FALSE(endpoint::parse("abcd.local", 1));
    CHECK_FALSE(endpoint::parse("", 1));
    CHECK_FALSE(endpoint::parse("1.2.3.4.5", 1));
    CHECK_FALSE(endpoint::parse(std::string(100, '1'), 1));
}

TEST_CASE("candidate and pair priorities follow RFC 8445 §5.1.2 and §6.1.2.3", "[ice]") {
    // The values the bridge signals for host and srflx (jitsi-protocol.md §4.1).
    CHECK(candidate_priority(type_preference(candidate_type::host), 65535) == 2130706431u);
    CHECK(candidate_priority(type_preference(candidate_type::srflx), 65535) == 1694498815u);
    CHECK(candidate_priority(type_preference(candidate_type::prflx), 65535) == 1862270975u);
    CHECK(pair_priority(10, 20) == (std::uint64_t{10} << 32) + 40);
    CHECK(pair_priority(20, 10) == (std::uint64_t{10} << 32) + 41);
    CHECK(pair_priority(7, 7) == (std::uint64_t{7} << 32) + 14);
}

TEST_CASE("signalled candidates convert both ways; unusable ones are refused", "[ice]") {
    jigasi::media::ice_candidate d;
    d.foundation = "2";
    d.priority = 1694498815;
    d.address = "203.0.113.10";
    d.port = 10000;
    d.type = "srflx";
    d.related_address = "10.0.0.5";
    d.related_port = 10000;
    auto c = from_description(d);
    REQUIRE(c);
    CHECK(c->type == candidate_type::srflx);
    CHECK(c->address == *endpoint::parse("203.0.113.10", 10000));
    CHECK(c->related == *endpoint::parse("10.0.0.5", 10000));
    CHECK(to_description(*c) == d);

    auto bad = d;
    bad.transport = "tcp";
    CHECK_FALSE(from_description(bad));
    bad = d;
    bad.component = 2;
    CHECK_FALSE(from_description(bad));
    bad = d;
    bad.address = "4f1c5c2a-1d3e.local";
    CHECK_FALSE(from_description(bad));
    bad = d;
    bad.type = "weird";
    CHECK_FALSE(from_description(bad));
    bad = d;
    bad.port = 0;
    CHECK_FALSE(from_description(bad));
}

TEST_CASE("credentials: RFC 8839 characters and lengths, enough randomness", "[ice]") {
    auto c = make_credentials();
    CHECK(c.ufrag.size() == 8);
    CHECK(c.pwd.size() == 24);
    CHECK(valid_ufrag(c.ufrag));
    CHECK(valid_pwd(c.pwd));
    CHECK(make_credentials() != c);
    CHECK(random_ice_string(5, [](std::span<std::uint8_t> b) {
              for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i * 64 + 62);
              return true;
          }) == "+++++");
    CHECK(make_credentials([](std::span<std::uint8_t>) { return false; }).ufrag.empty());
    CHECK_FALSE(valid_ufrag("abc"));
    CHECK_FALSE(valid_ufrag("ab:cd"));
    CHECK(valid_ufrag("5ofj81i7bfi2ns"));
    CHECK_FALSE(valid_pwd("short"));
    CHECK(valid_pwd("asd88fgpdd777uzjYhagZg+/"));
}
