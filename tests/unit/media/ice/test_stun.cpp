// STUN codec: the RFC 5769 test vectors both ways, round trips, and hostile input.

#include "core/error.hpp"
#include "media/ice/stun.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <vector>

using namespace jigasi;
using namespace jigasi::media::ice;
namespace attr = stun::attr;

namespace {

const std::string_view password = "VOkJxbRl1RmTxUk/WvJxBt";
const stun::transaction_id vector_tid = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

// RFC 5769 §2.1: Binding request with SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, integrity and
// fingerprint (padding bytes are 0x20 in the RFC).
const std::vector<std::uint8_t> request_2_1 = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87,
    0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x63, 0x6c,
    0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff, 0x80, 0x29, 0x00, 0x08, 0x93, 0x2f,
    0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76,
    0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e,
    0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49, 0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf};

// RFC 5769 §2.2: success response, XOR-MAPPED-ADDRESS 192.0.2.1:32853.
const std::vector<std::uint8_t> response_2_2 = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
    0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96};

// RFC 5769 §2.3: success response, XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853.
const std::vector<std::uint8_t> response_2_3 = {
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa,
    0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f,
    0x72, 0x20, 0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1,
    0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e,
    0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41, 0x80,
    0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c};

std::vector<std::uint8_t> bytes(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

/// A hand-made header + raw attribute bytes, the length field set from them.
std::vector<std::uint8_t> raw(std::vector<std::uint8_t> body, std::uint16_t type = 0x0001) {
    std::vector<std::uint8_t> m = {static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type),
                                   static_cast<std::uint8_t>(body.size() >> 8), static_cast<std::uint8_t>(body.size()),
                                   0x21, 0x12, 0xa4, 0x42};
    m.insert(m.end(), vector_tid.begin(), vector_tid.end());
    m.insert(m.end(), body.begin(), body.end());
    return m;
}

}  // namespace

TEST_CASE("RFC 5769 §2.1 sample request parses, verifies and is rebuilt byte for byte", "[stun]") {
    auto m = stun::message::parse(request_2_1);
    REQUIRE(m);
    CHECK(m->cls() == stun::msg_class::request);
    CHECK(m->method() == stun::method::binding);
    CHECK(m->tid() == vector_tid);
    CHECK(m->username() == "evtj:h6vY");
    CHECK(m->priority() == 0x6e0001ffu);
    CHECK(m->ice_controlled() == 0x932ff9b151263b36ull);
    CHECK_FALSE(m->ice_controlling());
    CHECK_FALSE(m->use_candidate());
    CHECK(m->unknown_required().empty());
    CHECK(m->verify_fingerprint());
    CHECK(m->verify_integrity(password));
    CHECK_FALSE(m->verify_integrity(std::string_view("VOkJxbRl1RmTxUk/WvJxBT")));

    std::array<std::uint8_t, 200> buf{};
    stun::message_writer w(buf, stun::msg_class::request, stun::method::binding, vector_tid, 0x20);
    w.add_string(attr::software, "STUN test client")
        .add_u32(attr::priority, 0x6e0001ff)
        .add_u64(attr::ice_controlled, 0x932ff9b151263b36ull)
        .add_string(attr::username, "evtj:h6vY")
        .add_integrity(password)
        .add_fingerprint();
    auto out = w.finish();
    REQUIRE(out);
    CHECK(bytes(*out) == request_2_1);
}

TEST_CASE("RFC 5769 §2.2 IPv4 response parses, verifies and is rebuilt byte for byte", "[stun]") {
    auto m = stun::message::parse(response_2_2);
    REQUIRE(m);
    CHECK(m->cls() == stun::msg_class::success);
    CHECK(m->xor_mapped_address() == endpoint::parse("192.0.2.1", 32853));
    CHECK(m->verify_fingerprint());
    CHECK(m->verify_integrity(password));

    std::array<std::uint8_t, 200> buf{};
    stun::message_writer w(buf, stun::msg_class::success, stun::method::binding, vector_tid, 0x20);
    w.add_string(attr::software, "test vector")
        .add_xor_address(attr::xor_mapped_address, *endpoint::parse("192.0.2.1", 32853))
        .add_integrity(password)
        .add_fingerprint();
    auto out = w.finish();
    REQUIRE(out);
    CHECK(bytes(*out) == response_2_2);
}

TEST_CASE("RFC 5769 §2.3 IPv6 response parses, verifies and is rebuilt byte for byte", "[stun]") {
    auto m = stun::message::parse(response_2_3);
    REQUIRE(m);
    const auto want = endpoint::parse("2001:db8:1234:5678:11:2233:4455:6677", 32853);
    REQUIRE(want);
    CHECK(m->xor_mapped_address() == want);
    CHECK(m->verify_fingerprint());
    CHECK(m->verify_integrity(password));

    std::array<std::uint8_t, 200> buf{};
    stun::message_writer w(buf, stun::msg_class::success, stun::method::binding, vector_tid, 0x20);
    w.add_string(attr::software, "test vector").add_xor_address(attr::xor_mapped_address, *want);
    w.add_integrity(password).add_fingerprint();
    auto out = w.finish();
    REQUIRE(out);
    CHECK(bytes(*out) == response_2_3);
}

TEST_CASE("a damaged vector fails integrity or fingerprint", "[stun]") {
    auto copy = request_2_1;
    copy[30] ^= 0x01;  // inside SOFTWARE: covered by both
    auto m = stun::message::parse(copy);
    REQUIRE(m);
    CHECK_FALSE(m->verify_fingerprint());
    CHECK_FALSE(m->verify_integrity(password));
    copy = request_2_1;
    copy.back() ^= 0x80;  // only the fingerprint value
    m = stun::message::parse(copy);
    REQUIRE(m);
    CHECK_FALSE(m->verify_fingerprint());
    CHECK(m->verify_integrity(password));
}

TEST_CASE("round trip: error response, addresses, flags, unknown attributes", "[stun]") {
    std::array<std::uint8_t, 256> buf{};
    const std::uint16_t unknown[] = {0x0031, 0x7777};
    stun::message_writer w(buf, stun::msg_class::error, stun::method::binding, vector_tid);
    w.add_error(420, "Unknown Attribute")
        .add_unknown_attributes(unknown)
        .add_address(attr::mapped_address, *endpoint::parse("2001:db8::7", 9))
        .add_u64(attr::ice_controlling, 42)
        .add_flag(attr::use_candidate)
        .add_integrity(std::string_view("key"))
        .add_fingerprint();
    auto out = w.finish();
    REQUIRE(out);
    auto m = stun::message::parse(*out);
    REQUIRE(m);
    CHECK(m->cls() == stun::msg_class::error);
    REQUIRE(m->error());
    CHECK(m->error()->code == 420);
    CHECK(m->error()->reason == "Unknown Attribute");
    std::array<std::uint16_t, 4> listed{};
    REQUIRE(m->unknown_attributes_listed(listed) == 2);
    CHECK(listed[0] == 0x0031);
    CHECK(listed[1] == 0x7777);
    CHECK(m->mapped_address() == endpoint::parse("2001:db8::7", 9));
    CHECK(m->ice_controlling() == 42u);
    CHECK(m->use_candidate());
    CHECK(m->verify_integrity(std::string_view("key")));
    CHECK(m->verify_fingerprint());
    CHECK(m->unknown_required().empty());
}

TEST_CASE("unknown comprehension-required attributes are reported for a 420", "[stun]") {
    std::array<std::uint8_t, 128> buf{};
    const std::uint8_t v[] = {1, 2, 3};
    stun::message_writer w(buf, stun::msg_class::request, stun::method::binding, vector_tid);
    w.add(0x0031, v).add(0x7fff, {}).add(0x0031, v).add(0xC001, v);  // 0xC001: optional, ignored
    auto m = stun::message::parse(*w.finish());
    REQUIRE(m);
    REQUIRE(m->unknown_required().size() == 2);
    CHECK(m->unknown_required()[0] == 0x0031);
    CHECK(m->unknown_required()[1] == 0x7fff);
}

TEST_CASE("attributes after MESSAGE-INTEGRITY are ignored and integrity still holds", "[stun]") {
    std::array<std::uint8_t, 128> buf{};
    stun::message_writer w(buf, stun::msg_class::request, stun::method::binding, vector_tid);
    w.add_string(attr::username, "a:b").add_integrity(std::string_view("pw"));
    auto out = bytes(*w.finish());
    // Append PRIORITY after the integrity by hand (a writer refuses to).
    const std::uint8_t extra[] = {0x00, 0x24, 0x00, 0x04, 0, 0, 0, 1};
    out.insert(out.end(), std::begin(extra), std::end(extra));
    out[3] = static_cast<std::uint8_t>(out.size() - 20);
    auto m = stun::message::parse(out);
    REQUIRE(m);
    CHECK_FALSE(m->priority());
    CHECK(m->verify_integrity(std::string_view("pw")));
    // and the writer refuses anything but FINGERPRINT after MESSAGE-INTEGRITY
    stun::message_writer w2(buf, stun::msg_class::request, stun::method::binding, vector_tid);
    w2.add_integrity(std::string_view("pw")).add_u32(attr::priority, 1);
    CHECK_FALSE(w2.finish());
}

TEST_CASE("the writer fails cleanly when the buffer is too small", "[stun]") {
    std::array<std::uint8_t, 30> buf{};
    stun::message_writer w(buf, stun::msg_class::request, stun::method::binding, vector_tid);
    w.add_string(attr::username, "a-rather-long-username");
    CHECK_FALSE(w.ok());
    CHECK_FALSE(w.finish());
    std::array<std::uint8_t, 10> tiny{};
    CHECK_FALSE(stun::message_writer(tiny, stun::msg_class::request, 1, vector_tid).finish());
    std::array<std::uint8_t, 64> ok{};
    CHECK_FALSE(stun::message_writer(ok, stun::msg_class::error, 1, vector_tid).add_error(700, "x").finish());
}

TEST_CASE("hostile STUN input gives error values", "[stun]") {
    using core::errc;
    auto fails = [](const std::vector<std::uint8_t>& d, errc e = errc::bad_input) {
        auto m = stun::message::parse(d);
        REQUIRE_FALSE(m);
        CHECK(m.error().code == e);
        CHECK_FALSE(m.error().diagnostic.empty());
    };
    fails({});
    fails(std::vector<std::uint8_t>(request_2_1.begin(), request_2_1.begin() + 19));  // truncated header
    fails(std::vector<std::uint8_t>(request_2_1.begin(), request_2_1.end() - 4));     // truncated body
    auto v = request_2_1;
    v[0] |= 0x80;  // first bits set (RTP-like)
    fails(v);
    v = request_2_1;
    v[3] = 0x57;  // length not a multiple of 4
    fails(v);
    v = request_2_1;
    v[3] = 0x5c;  // length beyond the datagram
    fails(v);
    v = request_2_1;
    v[4] = 0x22;  // no magic cookie
    fails(v);
    fails(raw({0x80, 0x22, 0x00, 0x09, 'a', 'b', 'c', 'd'}));               // attribute overruns the message
    fails(raw({0x80, 0x22, 0xff, 0xff}));                                    // huge attribute length
    fails(raw({0x00, 0x08, 0x00, 0x04, 1, 2, 3, 4}));                        // short MESSAGE-INTEGRITY
    fails(raw({0x80, 0x28, 0x00, 0x02, 1, 2, 0, 0}));                        // short FINGERPRINT
    fails(raw({0x80, 0x28, 0x00, 0x04, 1, 2, 3, 4, 0x80, 0x22, 0, 0}));      // attribute after FINGERPRINT
    fails(raw({0x00, 0x20, 0x00, 0x08, 0, 3, 0, 1, 1, 2, 3, 4}));            // address family 3
    fails(raw({0x00, 0x20, 0x00, 0x08, 0, 2, 0, 1, 1, 2, 3, 4}));            // IPv6 in 8 bytes
    fails(raw({0x00, 0x01, 0x00, 0x02, 0, 1, 0, 0}));                        // MAPPED-ADDRESS too short
    fails(raw({0x00, 0x24, 0x00, 0x02, 0, 1, 0, 0}));                        // PRIORITY of 2 bytes
    fails(raw({0x80, 0x2a, 0x00, 0x04, 0, 1, 0, 0}));                        // ICE-CONTROLLING of 4 bytes
    fails(raw({0x00, 0x25, 0x00, 0x04, 0, 1, 0, 0}));                        // USE-CANDIDATE with a value
    fails(raw({0x00, 0x09, 0x00, 0x04, 0, 0, 7, 0}, 0x0111));                // ERROR-CODE class 7
    fails(raw({0x00, 0x09, 0x00, 0x04, 0, 0, 4, 100}, 0x0111));              // ERROR-CODE number 100
    fails(raw({0x00, 0x09, 0x00, 0x02, 0, 0, 0, 0}, 0x0111));                // ERROR-CODE too short
    fails(raw({0x00, 0x0a, 0x00, 0x03, 0, 1, 2, 0}));                        // odd UNKNOWN-ATTRIBUTES
    std::vector<std::uint8_t> user = {0x00, 0x06, 0x02, 0x04};               // USERNAME of 516 bytes
    user.resize(4 + 516, 'u');
    fails(raw(user));
    std::vector<std::uint8_t> many;  // 33 attributes
    for (int i = 0; i < 33; ++i) many.insert(many.end(), {0x80, 0x22, 0x00, 0x00});
    fails(raw(many), errc::limit_exceeded);
    // exactly the limit is fine
    many.resize(32 * 4);
    CHECK(stun::message::parse(raw(many)));
}

TEST_CASE("mutated vectors never crash the parser or the checks", "[stun]") {
    // A small in-tree stand-in for the fuzz target: every truncation and every single-bit flip.
    for (const auto* base : {&request_2_1, &response_2_2, &response_2_3}) {
        for (std::size_t n = 0; n <= base->size(); ++n) {
            std::vector<std::uint8_t> d(base->begin(), base->begin() + static_cast<std::ptrdiff_t>(n));
            if (auto m = stun::message::parse(d)) {
                (void)m->verify_integrity(password);
                (void)m->verify_fingerprint();
            }
        }
        for (std::size_t bit = 0; bit < base->size() * 8; ++bit) {
            auto d = *base;
            d[bit / 8] ^= static_cast<std::uint8_t>(1 << (bit % 8));
            auto m = stun::message::parse(d);
            if (!m) continue;
            (void)m->xor_mapped_address();
            (void)m->error();
            (void)m->username();
            // Any flip in the covered bytes must break the fingerprint (CRC-32 catches 1-bit errors).
            if (m->has_fingerprint() && bit / 8 < base->size() - 4) CHECK_FALSE(m->verify_fingerprint());
        }
    }
}

TEST_CASE("crc32 matches the usual check value", "[stun]") {
    const std::string_view s = "123456789";
    CHECK(stun::crc32(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size())) == 0xCBF43926u);
}

TEST_CASE("looks_like_stun is a cheap pre-check", "[stun]") {
    CHECK(stun::looks_like_stun(request_2_1));
    CHECK_FALSE(stun::looks_like_stun(std::span(request_2_1).first(19)));
    auto v = request_2_1;
    v[5] = 0;
    CHECK_FALSE(stun::looks_like_stun(v));
}
