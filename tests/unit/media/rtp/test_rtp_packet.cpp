// RTP header parse/write (RFC 3550 §5.1), header extensions (RFC 8285) and the audio level
// (RFC 6464): round trips, byte-exact blocks, and every malformed length refused.

#include "media/rtp/header_extension.hpp"
#include "media/rtp/packet.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

using namespace jigasi::media::rtp;

namespace {

using bytes = std::vector<std::uint8_t>;

std::span<const std::uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string_view as_text(std::span<const std::uint8_t> b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

bytes build(const header& h, std::string_view payload, std::uint8_t padding = 0) {
    bytes out(1500);
    const auto n = write_packet(h, as_bytes(payload), out, padding);
    REQUIRE(n);
    out.resize(*n);
    return out;
}

std::vector<std::int16_t> sine(double amplitude, double freq, std::size_t n, double rate = 48000) {
    std::vector<std::int16_t> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = static_cast<std::int16_t>(std::lround(amplitude * std::sin(2 * M_PI * freq * i / rate)));
    return v;
}

}  // namespace

TEST_CASE("rtp: header round trip with CSRCs, marker and padding", "[rtp]") {
    const std::array<std::uint32_t, 3> csrcs{0x01020304, 0xa0b0c0d0, 7};
    header h;
    h.marker = true;
    h.payload_type = 111;
    h.sequence = 65535;
    h.timestamp = 0xdeadbeef;
    h.ssrc = 0x12345678;
    h.csrcs = csrcs;
    const auto pkt = build(h, "opus-frame", 7);
    CHECK(pkt.size() == 12 + 12 + 10 + 7);
    CHECK(pkt[0] == (0x80 | 0x20 | 3));

    const auto v = parse(pkt);
    REQUIRE(v);
    CHECK(v->marker);
    CHECK(v->payload_type == 111);
    CHECK(v->sequence == 65535);
    CHECK(v->timestamp == 0xdeadbeef);
    CHECK(v->ssrc == 0x12345678);
    REQUIRE(v->csrc_count == 3);
    CHECK(v->csrc(0) == 0x01020304);
    CHECK(v->csrc(1) == 0xa0b0c0d0);
    CHECK(v->csrc(2) == 7);
    CHECK_FALSE(v->has_extension);
    CHECK(v->padding_size == 7);
    CHECK(v->header_size == 24);
    CHECK(as_text(v->payload) == "opus-frame");
}

TEST_CASE("rtp: one-byte extensions, audio level and mid, byte exact", "[rtp]") {
    const std::uint8_t level = encode_audio_level({true, 42});
    CHECK(level == 0xAA);
    const std::array<extension_element, 2> ext{
        extension_element{1, {&level, 1}},
        mid_element(10, "0"),
    };
    header h;
    h.payload_type = 111;
    h.ssrc = 1;
    h.extensions = ext;
    const auto pkt = build(h, "x");
    // 0xBEDE, 1 word: [id 1 len 0][level][id 10 len 0]['0']
    const bytes block{0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0xA0, '0'};
    CHECK(bytes(pkt.begin() + 12, pkt.begin() + 20) == block);
    CHECK((pkt[0] & 0x10) != 0);

    const auto v = parse(pkt);
    REQUIRE(v);
    CHECK(v->extension_profile == 0xBEDE);
    const auto l = find_extension(*v, 1);
    REQUIRE(l);
    CHECK(read_audio_level(*l) == audio_level{true, 42});
    const auto mid = find_extension(*v, 10);
    REQUIRE(mid);
    CHECK(as_text(*mid) == "0");
    CHECK_FALSE(find_extension(*v, 2));
    CHECK(as_text(v->payload) == "x");
}

TEST_CASE("rtp: two-byte extensions when an element needs them (RFC 8285 §4.3)", "[rtp]") {
    const std::string_view long_mid = "a-mid-longer-than-16-bytes";
    const std::uint8_t level = encode_audio_level({false, 127});
    const std::array<extension_element, 3> ext{
        extension_element{1, {&level, 1}},
        extension_element{20, as_bytes(long_mid)},
        extension_element{3, {}},  // zero length: two-byte form only
    };
    header h;
    h.extensions = ext;
    const auto pkt = build(h, "pp");
    const auto v = parse(pkt);
    REQUIRE(v);
    CHECK((v->extension_profile & 0xfff0) == 0x1000);
    CHECK(read_audio_level(*find_extension(*v, 1)) == audio_level{false, 127});
    CHECK(as_text(*find_extension(*v, 20)) == long_mid);
    const auto empty = find_extension(*v, 3);
    REQUIRE(empty);
    CHECK(empty->empty());
    CHECK(as_text(v->payload) == "pp");

    // The elements' order and contents survive the reader.
    extension_reader r(*v);
    extension_element e;
    std::vector<int> ids;
    while (r.next(e)) ids.push_back(e.id);
    CHECK(ids == std::vector<int>{1, 20, 3});
    CHECK_FALSE(r.malformed());

    // Forcing a form: two-byte always possible here, one-byte not.
    h.form = extension_form::one_byte;
    bytes out(100);
    CHECK(write_header(h, out).error().code == errc::bad_extension);
    const std::array<extension_element, 1> small{extension_element{1, {&level, 1}}};
    h.extensions = small;
    h.form = extension_form::two_byte;
    const auto pkt2 = build(h, "");
    const auto v2 = parse(pkt2);
    REQUIRE(v2);
    CHECK(v2->extension_profile == 0x1000);
    CHECK(read_audio_level(*find_extension(*v2, 1)) == audio_level{false, 127});
}

TEST_CASE("rtp: write refuses fields that do not fit", "[rtp]") {
    bytes out(64);
    header h;
    h.payload_type = 128;
    CHECK(write_header(h, out).error().code == errc::bad_field);
    h.payload_type = 0;
    const std::array<std::uint32_t, 16> many{};
    h.csrcs = many;
    CHECK(write_header(h, out).error().code == errc::bad_field);
    h.csrcs = {};
    const std::uint8_t b = 0;
    const std::array<extension_element, 1> bad{extension_element{0, {&b, 1}}};  // id 0 is padding
    h.extensions = bad;
    CHECK(write_header(h, out).error().code == errc::bad_extension);
    h.extensions = {};
    bytes tiny(11);
    CHECK(write_header(h, tiny).error().code == errc::buffer_too_small);
    bytes twelve(12);
    CHECK(write_packet(h, as_bytes("x"), twelve).error().code == errc::buffer_too_small);
}

TEST_CASE("rtp: every malformed length is an error", "[rtp]") {
    struct row {
        const char* what;
        bytes packet;
        errc expected;
    };
    const bytes base{0x80, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3};
    auto with = [&](std::uint8_t first, bytes tail) {
        bytes b = base;
        b[0] = first;
        b.insert(b.end(), tail.begin(), tail.end());
        return b;
    };
    const std::vector<row> rows{
        {"empty", {}, errc::truncated},
        {"11 bytes", bytes(base.begin(), base.end() - 1), errc::truncated},
        {"version 1", with(0x40, {}), errc::bad_version},
        {"version 0", with(0x00, {1, 2, 3, 4}), errc::bad_version},
        {"CC 2, one CSRC", with(0x82, {0, 0, 0, 1}), errc::truncated},
        {"CC 15, none", with(0x8f, {}), errc::truncated},
        {"X, no extension header", with(0x90, {0xBE, 0xDE}), errc::truncated},
        {"X, length past the end", with(0x90, {0xBE, 0xDE, 0, 2, 0x10, 1, 0, 0}), errc::bad_extension},
        {"X, length 0xffff", with(0x90, {0xBE, 0xDE, 0xff, 0xff}), errc::bad_extension},
        {"P, count 0", with(0xa0, {1, 2, 0}), errc::bad_padding},
        {"P, count past the payload", with(0xa0, {1, 2, 4}), errc::bad_padding},
        {"P, no payload at all", with(0xa0, {}), errc::bad_padding},
        {"P, count reaches into the CSRCs", with(0xa1, {0, 0, 0, 9}), errc::bad_padding},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        const auto v = parse(r.packet);
        REQUIRE_FALSE(v);
        CHECK(v.error().code == r.expected);
        CHECK(v.error().code.category() == category());
    }
    // Boundaries that are valid: padding eating the whole payload, an empty extension block.
    const auto all_padding = parse(with(0xa0, {0, 0, 3}));
    REQUIRE(all_padding);
    CHECK(all_padding->payload.empty());
    const auto empty_ext = parse(with(0x90, {0xBE, 0xDE, 0, 0}));
    REQUIRE(empty_ext);
    CHECK(empty_ext->extension_data.empty());
    CHECK(empty_ext->payload.empty());
}

TEST_CASE("rtp: truncations and random bytes never read out of bounds", "[rtp]") {
    const std::array<std::uint32_t, 2> csrcs{1, 2};
    const std::uint8_t level = 0x85;
    const std::array<extension_element, 2> ext{extension_element{1, {&level, 1}},
                                               extension_element{2, as_bytes("mid")}};
    header h;
    h.csrcs = csrcs;
    h.extensions = ext;
    const auto good = build(h, "payload", 3);
    REQUIRE(parse(good));
    auto inside = [](std::span<const std::uint8_t> part, const bytes& whole) {
        return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
    };
    for (std::size_t n = 0; n < good.size(); ++n) {
        const bytes cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
        const auto v = parse(cut);
        if (v) CHECK(inside(v->payload, cut));
    }
    std::mt19937 rng(4733);
    for (int i = 0; i < 20000; ++i) {
        bytes b(rng() % 64);
        for (auto& x : b) x = static_cast<std::uint8_t>(rng());
        if (!b.empty()) b[0] = static_cast<std::uint8_t>(0x80 | (b[0] & 0x3f));
        const auto v = parse(b);
        if (!v) continue;
        CHECK(inside(v->payload, b));
        CHECK(inside(v->extension_data, b));
        CHECK(v->header_size + v->payload.size() + v->padding_size == b.size());
        extension_reader r(*v);
        extension_element e;
        while (r.next(e)) CHECK(inside(e.data, b));
    }
}

TEST_CASE("rtp: malformed extension elements stop the reader, not the packet", "[rtp]") {
    // One-byte element says 4 bytes, 2 remain.
    const bytes pkt{0x90, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0, 1, 0x10, 0x55, 0x23, 0x01};
    const auto v = parse(pkt);
    REQUIRE(v);
    extension_reader r(*v);
    extension_element e;
    REQUIRE(r.next(e));
    CHECK(e.id == 1);
    CHECK_FALSE(r.next(e));
    CHECK(r.malformed());
    // id 15 ends processing (RFC 8285 §4.2) without being an error.
    const bytes stop{0x90, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0, 1, 0xF0, 0x10, 0x55, 0};
    const auto v2 = parse(stop);
    REQUIRE(v2);
    extension_reader r2(*v2);
    CHECK_FALSE(r2.next(e));
    CHECK_FALSE(r2.malformed());
    // An unknown profile is skipped: no elements.
    const bytes other{0x90, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x12, 0x34, 0, 1, 0x10, 0x55, 0, 0};
    const auto v3 = parse(other);
    REQUIRE(v3);
    CHECK_FALSE(find_extension(*v3, 1));
}

TEST_CASE("rtp: audio level of PCM frames (RFC 6464, libwebrtc RmsLevel)", "[rtp]") {
    CHECK(compute_audio_level(sine(32767, 1000, 960)) == 3);   // full-scale sine: -3.01 dBov
    CHECK(compute_audio_level(sine(16384, 1000, 960)) == 9);   // half: -9.03 dBov
    CHECK(compute_audio_level(std::vector<std::int16_t>(960, 0)) == 127);
    CHECK(compute_audio_level({}) == 127);
    CHECK(compute_audio_level(std::vector<std::int16_t>(960, -32768)) == 0);
    CHECK(compute_audio_level(sine(100, 1000, 960)) == 53);  // -53.3 dBov
    // Quieter than -127 dBov is 127.
    std::vector<std::int16_t> one(960, 0);
    one[0] = 1;
    CHECK(compute_audio_level(one) == 120);  // 1/960 of 2^-30: -119.9
    CHECK(read_audio_level(std::span<const std::uint8_t>{}) == std::nullopt);
    const std::uint8_t b = encode_audio_level({false, 200});
    CHECK(b == 127);
}

TEST_CASE("rtp: extension ids come from the negotiated description", "[rtp]") {
    std::vector<jigasi::media::header_extension> ext{
        {5, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", {}, {}},
        {1, std::string(audio_level_uri), {}, {}},
        {10, std::string(mid_uri), {}, {}},
        {300, std::string(audio_level_uri), {}, {}},
    };
    const auto ids = find_extension_ids(ext);
    CHECK(ids.audio_level == 1);
    CHECK(ids.mid == 10);
    CHECK(find_extension_ids({}).audio_level == 0);
}

TEST_CASE("rtp: RTCP is told from RTP on a muxed port (RFC 5761 §4)", "[rtp]") {
    CHECK(is_rtcp(bytes{0x80, 200, 0, 6}));
    CHECK(is_rtcp(bytes{0x81, 201, 0, 7}));
    CHECK(is_rtcp(bytes{0x81, 206, 0, 2}));
    CHECK_FALSE(is_rtcp(bytes{0x80, 111}));
    CHECK_FALSE(is_rtcp(bytes{0x80, 0x80 | 111}));  // opus with the marker
    CHECK_FALSE(is_rtcp(bytes{0x80, 0}));
    CHECK_FALSE(is_rtcp(bytes{0x80}));
}
