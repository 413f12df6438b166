#include "sdp_samples.hpp"
#include "core/base64.hpp"
#include "sip/sdp.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace jigasi;
namespace sdp = sip::sdp;
using media::direction;

namespace {

media::description parse_ok(std::string_view text) {
    auto r = sdp::parse(text);
    INFO(text);
    if (!r) FAIL(r.error().diagnostic);
    return *r;
}

/// Deterministic "random" bytes, so that answers are reproducible.
sdp::local_capabilities caps() {
    sdp::local_capabilities c;
    c.address = "203.0.113.1";
    c.port = 40000;
    c.session_id = "42";
    c.session_version = 1;
    c.random = [](std::span<std::uint8_t> out) {
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(i + 1);
        return true;
    };
    return c;
}

/// The SDP bodies of the SIPp scenarios used by the e2e bench, with SIPp's keywords filled in.
std::vector<std::string> sipp_offers() {
    const char* root = std::getenv("JIGASI_SOURCE_ROOT");
    std::vector<std::string> out;
    const std::filesystem::path dir = std::filesystem::path(root ? root : ".") / "tests/e2e/sip/sipp";
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(entry.path());
        std::string line, body;
        bool in_sdp = false;
        while (std::getline(in, line)) {
            const auto first = line.find_first_not_of(" \t");
            line = first == std::string::npos ? "" : line.substr(first);
            if (line.rfind("v=0", 0) == 0) in_sdp = true;
            if (line.rfind("]]>", 0) == 0 && in_sdp) {
                out.push_back(body);
                in_sdp = false, body.clear();
            }
            if (!in_sdp) continue;
            static const std::pair<std::string_view, std::string_view> keywords[] = {
                {"[local_ip_type]", "4"},     {"[media_ip_type]", "4"},  {"[local_ip]", "192.0.2.50"},
                {"[media_ip]", "192.0.2.50"}, {"[media_port]", "6000"},  {"[media_sink]", "6002"},
                {"[auto_media_port]", "6004"}};
            for (const auto& [key, value] : keywords)
                for (std::size_t p; (p = line.find(key)) != std::string::npos;)
                    line.replace(p, key.size(), value);
            body += line + "\r\n";
        }
    }
    return out;
}

}  // namespace

TEST_CASE("sdp parses a baresip offer", "[sdp]") {
    const auto d = parse_ok(sdp_samples::baresip);
    CHECK(d.origin.session_id == "1297224367");
    CHECK(d.origin.session_version == 1297224368);
    REQUIRE(d.media.size() == 1);
    const auto& m = d.media[0];
    CHECK(m.port == 10602);
    CHECK(m.address == "192.0.2.10");
    CHECK(m.profile == media::transport_profile::rtp_avp);
    REQUIRE(m.payload_types.size() == 5);
    CHECK(m.payload_types[0] == media::payload_type{96, "opus", 48000, 2, {{"stereo", "1"}, {"sprop-stereo", "1"}}});
    CHECK(m.payload_types[1].encoding == "G722");
    CHECK(m.payload_types[4].fmtp == std::vector<media::parameter>{{"0-15", ""}});
    CHECK(m.ptime == 20);
    CHECK(m.sources.size() == 1);
    CHECK(media::find_parameter(m.sources[0].params, "cname")->value == "sip:alice@example.com");
    CHECK(m.extra == std::vector<media::attribute>{{"label", "1"}, {"rtcp-rsize", ""}});
}

TEST_CASE("sdp parses the SIPp offers of the e2e bench and answers them", "[sdp]") {
    const auto offers = sipp_offers();
    REQUIRE(offers.size() >= 5);
    for (const auto& text : offers) {
        const auto d = parse_ok(text);
        CHECK(d.media[0].address == "192.0.2.50");
        const auto a = sdp::negotiate_answer(d, caps());
        REQUIRE(a);
        CHECK((a->media.codec.encoding == "PCMU" || a->media.codec.encoding == "PCMA"));
    }
}

TEST_CASE("sdp parses an Asterisk SRTP offer with CRLF", "[sdp]") {
    const auto d = parse_ok(sdp_samples::asterisk_srtp);
    const auto& m = d.media[0];
    CHECK(m.profile == media::transport_profile::rtp_savp);
    REQUIRE(m.crypto.size() == 3);
    CHECK(m.crypto[1].keys[0].lifetime == "2^31");
    CHECK(m.crypto[2].keys[0] == media::crypto_key{"NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj", "2^20", "1:4"});
    CHECK(m.payload_types[2].encoding == "GSM");
    CHECK(m.maxptime == 150);
}

TEST_CASE("sdp parses a Chrome-like offer with ICE, DTLS, extmap and SSRCs", "[sdp]") {
    const auto d = parse_ok(sdp_samples::chrome);
    CHECK(d.bundle == std::vector<std::string>{"0", "1"});
    CHECK(d.extmap_allow_mixed);
    REQUIRE(d.media.size() == 2);
    const auto& a = d.media[0];
    CHECK(a.profile == media::transport_profile::udp_tls_rtp_savpf);
    CHECK(a.rtcp_mux);
    CHECK(a.rtcp_port == 9);
    CHECK(a.ice.ufrag == "ePq8");
    CHECK(a.ice.options == "trickle");
    REQUIRE(a.ice.candidates.size() == 2);
    CHECK(a.ice.candidates[1].type == "srflx");
    CHECK(a.ice.candidates[1].related_address == "192.0.2.30");
    CHECK(a.ice.candidates[1].tcp_type == "active");
    CHECK(a.dtls.hash == "sha-256");
    CHECK(a.dtls.setup == media::setup_role::actpass);
    REQUIRE(a.header_extensions.size() == 3);
    CHECK(a.header_extensions[1].dir == direction::recvonly);
    CHECK(a.header_extensions[2].uri == "urn:ietf:params:rtp-hdrext:sdes:mid");
    REQUIRE(a.sources.size() == 1);
    CHECK(a.sources[0].name == "abcd0001-a0");
    CHECK(a.sources[0].params.size() == 2);
    const auto& app = d.media[1];
    CHECK(app.kind == media::media_kind::application);
    CHECK(app.profile == media::transport_profile::other);
    CHECK(app.formats == std::vector<std::string>{"webrtc-datachannel"});
    // DTLS-SRTP is the bridge side's business: the SIP leg refuses it with 488.
    const auto r = sdp::negotiate_answer(d, caps());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == sdp::errc::unsupported_profile);
    CHECK(sdp::sip_status(r.error().code) == 488);
}

TEST_CASE("sdp drops fmtp items without a name, so that the round trip holds", "[sdp]") {
    // Reduced from an sdp_fuzz finding: ";;=;;" parsed as a parameter with an empty name.
    const auto d = parse_ok("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                            "m=audio 5000 RTP/AVP 96\r\na=rtpmap:96 speex/16000\r\n"
                            "a=fmtp:96 vbr=on;;=;;=x; mode = 3\r\n");
    CHECK(d.media[0].payload_types[0].fmtp == std::vector<media::parameter>{{"vbr", "on"}, {"mode", "3"}});
    CHECK(parse_ok(sdp::serialize(d)) == d);
}

TEST_CASE("sdp serialize then parse gives the same description", "[sdp]") {
    for (const char* text : {sdp_samples::baresip, sdp_samples::asterisk_srtp,
                             sdp_samples::linphone_opus, sdp_samples::chrome,
                             sdp_samples::audio_video}) {
        const auto d = parse_ok(text);
        const auto out = sdp::serialize(d);
        INFO(out);
        CHECK(out.find("\r\n") != std::string::npos);
        CHECK(out.rfind("v=0\r\no=", 0) == 0);
        CHECK(parse_ok(out) == d);
    }
}

TEST_CASE("sdp answer follows the codec preference and keeps the offerer's payload types", "[sdp]") {
    const auto offer = parse_ok(sdp_samples::baresip);  // opus 96, G722, PCMU, PCMA, te 101
    auto c = caps();
    SECTION("default preference: opus with our fmtp, telephone-event/8000 as fallback") {
        const auto a = sdp::negotiate_answer(offer, c);
        REQUIRE(a);
        CHECK(a->media.codec.pt == 96);
        CHECK(a->media.codec.encoding == "opus");
        REQUIRE(a->media.telephone_event);
        CHECK(a->media.telephone_event->pt == 101);
        const auto& m = a->sdp.media[0];
        CHECK(m.payload_types[0] == media::payload_type{96, "opus", 48000, 2, sdp::opus().fmtp});
        CHECK(m.address == "203.0.113.1");
        CHECK(a->sdp.origin.address == "203.0.113.1");
        CHECK(a->media.remote_address == "192.0.2.10");
        CHECK(a->media.remote_port == 10602);
    }
    SECTION("PCMA first") {
        c.codecs = {sdp::pcma(), sdp::pcmu()};
        const auto a = sdp::negotiate_answer(offer, c);
        REQUIRE(a);
        CHECK(a->media.codec.encoding == "PCMA");
        CHECK(a->sdp.media[0].payload_types.size() == 2);
    }
    SECTION("the offer's order when asked") {
        c.codecs = {sdp::pcma(), sdp::g722()};
        c.prefer_offer_order = true;
        CHECK(sdp::negotiate_answer(offer, c)->media.codec.encoding == "G722");
    }
    SECTION("no telephone-event when disabled") {
        c.telephone_event = false;
        const auto a = sdp::negotiate_answer(offer, c);
        CHECK_FALSE(a->media.telephone_event);
        CHECK(a->sdp.media[0].payload_types.size() == 1);
    }
    SECTION("no common codec is a 488") {
        c.codecs = {sdp::codec{"AMR-WB", 16000, 1, 98, {}}};
        const auto a = sdp::negotiate_answer(offer, c);
        REQUIRE_FALSE(a);
        CHECK(a.error().code == sdp::errc::no_common_codec);
        CHECK(sdp::sip_status(a.error().code) == 488);
    }
}

TEST_CASE("sdp telephone-event follows the chosen codec's clock rate", "[sdp]") {
    auto offer = parse_ok(sdp_samples::linphone_opus);  // te/48000 pt 101, te/8000 pt 100
    auto c = caps();
    auto a = sdp::negotiate_answer(offer, c);
    REQUIRE(a);
    CHECK(a->media.codec.encoding == "opus");
    CHECK(a->media.telephone_event->pt == 101);
    CHECK(a->media.telephone_event->clock_rate == 48000);
    c.codecs = {sdp::pcmu()};
    a = sdp::negotiate_answer(offer, c);
    CHECK(a->media.telephone_event->pt == 100);
    CHECK(a->media.telephone_event->clock_rate == 8000);
}

TEST_CASE("sdp accepts opus/48000 without the channel count", "[sdp]") {
    auto offer = parse_ok(sdp_samples::baresip);
    offer.media[0].payload_types[0].channels = 1;  // a=rtpmap:96 opus/48000
    const auto a = sdp::negotiate_answer(offer, caps());
    REQUIRE(a);
    CHECK(a->media.codec.pt == 96);
    CHECK(a->sdp.media[0].payload_types[0].channels == 2);  // we answer as RFC 7587 says
}

TEST_CASE("sdp answer direction mapping and hold", "[sdp]") {
    auto offer = parse_ok(sdp_samples::baresip);
    const auto answer_dir = [&](direction d, std::string address = "192.0.2.10") {
        offer.media[0].dir = d;
        offer.media[0].address = address;
        return sdp::negotiate_answer(offer, caps())->sdp.media[0].dir;
    };
    CHECK(answer_dir(direction::sendrecv) == direction::sendrecv);
    CHECK(answer_dir(direction::sendonly) == direction::recvonly);
    CHECK(answer_dir(direction::recvonly) == direction::sendonly);
    CHECK(answer_dir(direction::inactive) == direction::inactive);
    CHECK(answer_dir(direction::sendrecv, "0.0.0.0") == direction::recvonly);  // RFC 2543 hold
    CHECK(answer_dir(direction::recvonly, "0.0.0.0") == direction::inactive);
    auto c = caps();
    c.dir = direction::recvonly;  // e.g. a listen-only gateway
    offer.media[0].dir = direction::sendrecv;
    offer.media[0].address = "192.0.2.10";
    CHECK(sdp::negotiate_answer(offer, c)->sdp.media[0].dir == direction::recvonly);
}

TEST_CASE("sdp answer keeps m= lines, rejects video with port 0, accepts rtcp-mux", "[sdp]") {
    const auto offer = parse_ok(sdp_samples::audio_video);
    const auto a = sdp::negotiate_answer(offer, caps());
    REQUIRE(a);
    REQUIRE(a->sdp.media.size() == 2);
    CHECK(a->sdp.media[0].kind == media::media_kind::video);
    CHECK(a->sdp.media[0].port == 0);
    CHECK(a->sdp.media[0].payload_types.size() == 1);
    CHECK(a->sdp.media[1].port == 40000);
    CHECK(a->sdp.media[1].rtcp_mux);
    CHECK(a->media.index == 1);
    CHECK(a->media.codec.encoding == "PCMU");  // our preference, although the offer lists PCMA first
    CHECK(a->sdp.media[1].payload_types[0].pt == 0);
    const auto text = sdp::serialize(a->sdp);
    CHECK(text.find("m=video 0 RTP/AVP 99\r\n") != std::string::npos);
    CHECK(text.find("c=IN IP4 203.0.113.1\r\n") != std::string::npos);
    CHECK(parse_ok(text) == a->sdp);
}

TEST_CASE("sdp SDES: first usable suite in the offer's order, fresh key, same tag", "[sdp]") {
    const auto offer = parse_ok(sdp_samples::asterisk_srtp);
    const auto a = sdp::negotiate_answer(offer, caps());
    REQUIRE(a);
    const auto& m = a->sdp.media[0];
    CHECK(m.profile == media::transport_profile::rtp_savp);
    REQUIRE(m.crypto.size() == 1);
    CHECK(m.crypto[0].tag == 2);  // tag 1 is AES_256, not in our list
    CHECK(m.crypto[0].suite == "AES_CM_128_HMAC_SHA1_80");
    const auto key = core::base64_decode(m.crypto[0].keys[0].key_salt);
    REQUIRE(key);
    CHECK(key->size() == 30);
    CHECK((*key)[0] == 1);
    REQUIRE(a->media.srtp);
    CHECK(a->media.srtp->remote.keys[0].key_salt == "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz");

    const auto gcm = sdp::negotiate_answer(parse_ok(sdp_samples::linphone_opus), caps());
    REQUIRE(gcm);
    CHECK(gcm->media.srtp->suite == "AEAD_AES_128_GCM");
    CHECK(core::base64_decode(gcm->media.srtp->local.keys[0].key_salt)->size() == 28);
}

TEST_CASE("sdp SDES rejections", "[sdp]") {
    auto offer = parse_ok(sdp_samples::asterisk_srtp);
    auto c = caps();
    SECTION("no supported suite") {
        c.crypto_suites = {"AEAD_AES_256_GCM"};
        CHECK(sdp::negotiate_answer(offer, c).error().code == sdp::errc::no_usable_crypto);
    }
    SECTION("no crypto line at all") {
        offer.media[0].crypto.clear();
        const auto r = sdp::negotiate_answer(offer, c);
        CHECK(r.error().code == sdp::errc::no_usable_crypto);
        CHECK(r.error().diagnostic.find("m= line 1") != std::string::npos);
    }
    SECTION("a key of the wrong length") {
        for (auto& k : offer.media[0].crypto) k.keys[0].key_salt = "c2hvcnQ=";
        CHECK(sdp::negotiate_answer(offer, c).error().code == sdp::errc::no_usable_crypto);
    }
    SECTION("SRTP switched off") {
        c.srtp = sdp::srtp_policy::off;
        CHECK(sdp::negotiate_answer(offer, c).error().code == sdp::errc::unsupported_profile);
    }
    SECTION("plain RTP when SRTP is mandatory") {
        c.srtp = sdp::srtp_policy::mandatory;
        const auto r = sdp::negotiate_answer(parse_ok(sdp_samples::baresip), c);
        CHECK(r.error().code == sdp::errc::unsupported_profile);
    }
    SECTION("a failing random source") {
        c.random = [](std::span<std::uint8_t>) { return false; };
        CHECK(sdp::sip_status(sdp::negotiate_answer(offer, c).error().code) == 500);
    }
}

TEST_CASE("sdp offer and applying the answer", "[sdp]") {
    auto c = caps();
    c.srtp = sdp::srtp_policy::mandatory;
    const auto offer = sdp::build_offer(c);
    REQUIRE(offer);
    const auto& m = offer->media[0];
    CHECK(m.profile == media::transport_profile::rtp_savp);
    CHECK(m.crypto.size() == 3);
    REQUIRE(m.payload_types.size() == 6);  // opus G722 PCMU PCMA te/48000 te/8000
    CHECK(m.payload_types[4] == media::payload_type{110, "telephone-event", 48000, 1, {{"0-16", ""}}});
    const auto text = sdp::serialize(*offer);
    CHECK(text.find("m=audio 40000 RTP/SAVP 111 9 0 8 110 101\r\n") != std::string::npos);
    CHECK(parse_ok(text) == *offer);

    // The peer answers its own way, with a different key; we read codec, address and keys.
    auto peer = caps();
    peer.address = "198.51.100.9";
    peer.port = 7000;
    peer.codecs = {sdp::pcmu()};
    peer.dir = direction::sendonly;
    peer.random = [](std::span<std::uint8_t> out) {
        std::fill(out.begin(), out.end(), std::uint8_t{0xab});
        return true;
    };
    const auto answer = sdp::negotiate_answer(parse_ok(text), peer);
    REQUIRE(answer);
    const auto g = sdp::apply_answer(*offer, parse_ok(sdp::serialize(answer->sdp)));
    REQUIRE(g);
    CHECK(g->codec.encoding == "PCMU");
    CHECK(g->telephone_event->pt == 101);
    CHECK(g->remote_address == "198.51.100.9");
    CHECK(g->remote_port == 7000);
    CHECK(g->dir == direction::recvonly);
    REQUIRE(g->srtp);
    CHECK(g->srtp->suite == "AES_CM_128_HMAC_SHA1_80");
    CHECK(g->srtp->local == m.crypto[0]);

    auto bad = answer->sdp;
    bad.media[0].crypto[0].tag = 9;
    CHECK(sdp::apply_answer(*offer, bad).error().code == sdp::errc::no_usable_crypto);
    bad = answer->sdp;
    bad.media[0].port = 0;
    CHECK(sdp::apply_answer(*offer, bad).error().code == sdp::errc::no_common_codec);
    bad.media.push_back(bad.media[0]);
    CHECK(sdp::apply_answer(*offer, bad).error().code == sdp::errc::answer_mismatch);
}

TEST_CASE("sdp rejects malformed and hostile input with a diagnostic naming the line", "[sdp]") {
    const std::string head = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n";
    struct bad_case {
        std::string text;
        sdp::errc code;
        std::string diagnostic;
    };
    const std::vector<bad_case> cases = {
        {"", sdp::errc::malformed, "empty SDP"},
        {"o=- 1 1 IN IP4 1.2.3.4\r\n", sdp::errc::malformed, "line 1: SDP must start with v="},
        {"v=1\r\n", sdp::errc::malformed, "line 1: unsupported SDP version"},
        {head, sdp::errc::no_media, "no m= line"},
        {"v=0\r\ns=-\r\nm=audio 1 RTP/AVP 0\r\n", sdp::errc::malformed, "no o= line"},
        {head + "m=audio\r\n", sdp::errc::malformed, "line 6: m= needs"},
        {head + "m=audio 70000 RTP/AVP 0\r\n", sdp::errc::malformed, "line 6: bad port"},
        {head + "m=audio -1 RTP/AVP 0\r\n", sdp::errc::malformed, "line 6: bad port"},
        {head + "m=audio 5000 RTP/AVP PCMU\r\n", sdp::errc::malformed, "line 6: bad payload type"},
        {head + "m=audio 5000 RTP/AVP 128\r\n", sdp::errc::malformed, "line 6: bad payload type"},
        {head + "m=audio 5000 RTP/AVP 0 0\r\n", sdp::errc::malformed, "duplicate payload type"},
        {head + "m=audio 5000 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n", sdp::errc::malformed, "line 7: a=rtpmap"},
        {head + "m=audio 5000 RTP/AVP 96\r\na=rtpmap:96 opus/0\r\n", sdp::errc::malformed, "a=rtpmap"},
        {head + "m=audio 5000 RTP/AVP 0\r\na=ptime:twenty\r\n", sdp::errc::malformed, "line 7: bad a=ptime"},
        {head + "m=audio 5000 RTP/AVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80\r\n", sdp::errc::malformed, "bad a=crypto"},
        {head + "m=audio 5000 RTP/SAVP 0\r\na=crypto:1 X key:abc\r\n", sdp::errc::malformed, "not inline"},
        {head + "m=audio 5000 RTP/AVP 0\r\na=candidate:1 1 udp x 1.2.3.4 5 typ host\r\n", sdp::errc::malformed, "bad a=candidate"},
        {head + "m=audio 5000 RTP/AVP 0\r\na=extmap:0 urn:x\r\n", sdp::errc::malformed, "bad a=extmap"},
        {head + "m=audio 5000 RTP/AVP 0\r\na=ssrc:x cname:y\r\n", sdp::errc::malformed, "bad SSRC"},
        {head + "m=audio 5000 RTP/AVP 0\r\na=setup:sideways\r\n", sdp::errc::malformed, "bad a=setup"},
        {head + "m=audio 5000 RTP/AVP 0\r\no=- 1 1 IN IP4 1.1.1.1\r\n", sdp::errc::malformed, "o= line out of place"},
        {head + "c=IN IP4\r\n", sdp::errc::malformed, "line 6: c= needs"},
        {"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 0\r\n", sdp::errc::malformed, "line 3: m= line without c= line"},
        {head + "m=audio 5000 RTP/AVP 0\r\n" + std::string("a=send\0recv\r\n", 13), sdp::errc::malformed, "line 7: NUL byte"},
        {head + "m=audio 5000 RTP/AVP 0\rx=1\r\n", sdp::errc::malformed, "control character"},
        {head + "garbage\r\n", sdp::errc::malformed, "line 6: expected <type>=<value>"},
        {head + "m=audio 5000 RTP/AVP 0\r\na=" + std::string(5000, 'x') + "\r\n", sdp::errc::limit_exceeded, "line 7: line longer"},
        {std::string(70000, 'v'), sdp::errc::limit_exceeded, "exceeds 65536"},
    };
    for (const auto& c : cases) {
        INFO(c.text.substr(0, 200));
        const auto r = sdp::parse(c.text);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == c.code);
        CHECK_THAT(r.error().diagnostic, Catch::Contains(c.diagnostic));
    }
}

TEST_CASE("sdp limits on counts", "[sdp]") {
    const std::string head = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n";
    auto expect_limit = [](const std::string& text) {
        const auto r = sdp::parse(text);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == sdp::errc::limit_exceeded);
        CHECK(sdp::sip_status(r.error().code) == 400);
    };
    std::string many_media = head;
    for (int i = 0; i < 17; ++i) many_media += "m=audio 5000 RTP/AVP 0\r\n";
    expect_limit(many_media);
    std::string many_fmts = head + "m=audio 5000 RTP/AVP";
    for (int i = 0; i < 300; ++i) many_fmts += " 0";
    expect_limit(many_fmts + "\r\n");
    std::string many_lines = head + "m=audio 5000 RTP/AVP 0\r\n";
    for (int i = 0; i < 3000; ++i) many_lines += "b=AS:1\r\n";
    expect_limit(many_lines);
    std::string many_ssrc = head + "m=audio 5000 RTP/AVP 0\r\n";
    for (int i = 1; i < 300; ++i) many_ssrc += "a=ssrc:" + std::to_string(i) + " cname:x\r\n";
    expect_limit(many_ssrc);
    std::string many_fmtp = head + "m=audio 5000 RTP/AVP 96\r\na=fmtp:96 ";
    for (int i = 0; i < 100; ++i) many_fmtp += "a=1;";
    expect_limit(many_fmtp + "\r\n");
}

TEST_CASE("sdp tolerates LF, blank lines, unknown lines and rtpmaps for absent payload types", "[sdp]") {
    const auto d = parse_ok(
        "v=0\n\no=- 1 1 IN IP6 2001:db8::1\ns=\ni=info\nc=IN IP6 2001:db8::1\nb=AS:64\nt=0 0\n"
        "z=whatever\nm=audio 5000 RTP/AVP 0 96\na=rtpmap:97 foo/8000\na=x-custom:1 2 3\n"
        "a=fmtp:96 mode=30\na=x-flag :\na=ssrc:7 cname :\n");
    CHECK(d.session_name == "-");
    CHECK(d.media[0].address == "2001:db8::1");
    CHECK(d.media[0].payload_types[1] == media::payload_type{96, "", 0, 1, {{"mode", "30"}}});
    CHECK(d.media[0].extra == std::vector<media::attribute>{{"x-custom", "1 2 3"}, {"x-flag", ""}});
    CHECK(d.media[0].sources[0].params == std::vector<media::parameter>{{"cname", ""}});  // fuzz find
    CHECK(parse_ok(sdp::serialize(d)) == d);
    CHECK(sdp::serialize(d).find("c=IN IP6 2001:db8::1\r\n") != std::string::npos);
}

TEST_CASE("sdp base64 is strict", "[sdp]") {
    const std::vector<std::uint8_t> bytes{0, 1, 2, 253, 254, 255, 7};
    CHECK(core::base64_decode(core::base64_encode(bytes)) == std::string(bytes.begin(), bytes.end()));
    CHECK(core::base64_encode(std::vector<std::uint8_t>{'f', 'o'}) == "Zm8=");
    CHECK_FALSE(core::base64_decode("Zm8"));
    CHECK_FALSE(core::base64_decode("Z=8="));
    CHECK_FALSE(core::base64_decode("Zm8*"));
}
