// Two secure transports wired back to back in memory: the bridge's side (ICE controlling, DTLS
// server) and ours (controlled, client), as jitsi-protocol.md §4.4 has them.
#include "media/net/secure_transport.hpp"

#include <catch2/catch.hpp>

#include <deque>

using namespace jigasi::media;
using namespace jigasi::media::net;

namespace {

struct side {
    std::unique_ptr<secure_transport> t;
    ice::endpoint addr;
    std::vector<std::string> failures;
    bool secured = false;
    std::vector<std::vector<std::uint8_t>> rtp, rtcp;
};

struct in_flight {
    ice::endpoint from, to;
    std::vector<std::uint8_t> bytes;
};

side make_side(ice::role ice_role, dtls::role dtls_role, std::uint16_t port,
               std::shared_ptr<const dtls::certificate> cert) {
    transport_config cfg;
    cfg.ice.initial_role = ice_role;
    cfg.dtls_role = dtls_role;
    cfg.cert = std::move(cert);
    side s;
    s.addr = *ice::endpoint::parse("127.0.0.1", port);
    auto t = secure_transport::create(cfg, std::span(&s.addr, 1));
    REQUIRE(t);
    s.t = std::move(*t);
    return s;
}

remote_transport remote_of(const secure_transport& t, setup_role setup) {
    auto ice = t.local_ice();
    auto dtls = t.local_dtls();
    dtls.setup = setup;
    return {ice.ufrag, ice.pwd, ice.candidates, dtls};
}

// Runs both sides on a simulated clock until `done` or 20 s of simulated time.
template <class Done>
void pump(side& a, side& b, Done done) {
    std::deque<in_flight> net;
    auto now = clock::now();
    const auto end = now + std::chrono::seconds(20);
    auto collect = [&](side& s) {
        while (auto act = s.t->poll()) {
            if (auto* snd = std::get_if<send_to>(&*act)) net.push_back({s.addr, snd->to, snd->bytes});
            if (std::holds_alternative<secured>(*act)) s.secured = true;
            if (auto* f = std::get_if<transport_failed>(&*act)) s.failures.push_back(f->stage + ": " + f->reason);
        }
    };
    while (!done() && now < end) {
        collect(a);
        collect(b);
        while (!net.empty()) {
            auto d = std::move(net.front());
            net.pop_front();
            side& to = d.to == a.addr ? a : b;
            auto in = to.t->on_datagram(now, d.from, d.bytes);
            if (in.kind == inbound_kind::rtp) to.rtp.emplace_back(d.bytes.begin(), d.bytes.begin() + in.size);
            if (in.kind == inbound_kind::rtcp) to.rtcp.emplace_back(d.bytes.begin(), d.bytes.begin() + in.size);
            collect(a);
            collect(b);
        }
        if (done()) break;
        // DTLS retransmission timers read the real clock, so only ICE runs on the simulated one.
        now += std::chrono::milliseconds(5);
        a.t->on_timer(now);
        b.t->on_timer(now);
    }
    collect(a);
    collect(b);
}

std::vector<std::uint8_t> rtp_packet(std::uint16_t seq) {
    std::vector<std::uint8_t> p{0x80, 111, static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq),
                                0, 0, 0, 160, 0x11, 0x22, 0x33, 0x44};
    for (int i = 0; i < 40; ++i) p.push_back(static_cast<std::uint8_t>(i));
    return p;
}

}  // namespace

TEST_CASE("a controlled DTLS client and a controlling DTLS server secure the link and carry SRTP", "[net]") {
    auto cert_a = dtls::certificate::generate();
    auto cert_b = dtls::certificate::generate();
    REQUIRE(cert_a);
    REQUIRE(cert_b);
    side bridge = make_side(ice::role::controlling, dtls::role::server, 10000, *cert_a);
    side us = make_side(ice::role::controlled, dtls::role::client, 10002, *cert_b);

    // The offer (bridge: actpass) and our answer (active).
    CHECK(us.t->local_dtls().setup == setup_role::active);
    CHECK(us.t->local_ice().candidates.size() == 1);
    REQUIRE_FALSE(us.t->set_remote(remote_of(*bridge.t, setup_role::actpass)));
    REQUIRE_FALSE(bridge.t->set_remote(remote_of(*us.t, setup_role::active)));
    bridge.t->start(clock::now());
    us.t->start(clock::now());

    pump(bridge, us, [&] { return bridge.secured && us.secured; });
    INFO(bridge.failures.size() << " " << us.failures.size());
    REQUIRE(us.secured);
    REQUIRE(bridge.secured);
    CHECK(us.t->state() == transport_state::secured);
    CHECK(us.t->remote() == bridge.addr);
    CHECK(us.t->stats().connect_time.has_value());

    // RTP both ways, encrypted on the wire, decrypted in place on arrival.
    for (std::uint16_t seq = 1; seq <= 3; ++seq) {
        auto p = rtp_packet(seq);
        const auto plain = p;
        p.resize(p.size() + secure_transport::srtp_overhead);
        auto n = us.t->protect_rtp(p, plain.size());
        REQUIRE(n);
        CHECK(!std::equal(plain.begin() + 12, plain.end(), p.begin() + 12));
        p.resize(*n);
        auto in = bridge.t->on_datagram(clock::now(), us.addr, p);
        REQUIRE(in.kind == inbound_kind::rtp);
        CHECK(std::vector<std::uint8_t>(p.begin(), p.begin() + in.size) == plain);
    }
    auto p = rtp_packet(7);
    const auto plain = p;
    p.resize(p.size() + secure_transport::srtp_overhead);
    auto n = bridge.t->protect_rtp(p, plain.size());
    REQUIRE(n);
    p.resize(*n);
    auto tampered = p;
    tampered[20] ^= 1;
    CHECK(us.t->on_datagram(clock::now(), bridge.addr, tampered).kind == inbound_kind::dropped);
    CHECK(us.t->stats().undecryptable == 1);
    // The same packet from an address without a selected pair is not media.
    auto stranger = *ice::endpoint::parse("127.0.0.1", 4444);
    auto copy = p;
    CHECK(us.t->on_datagram(clock::now(), stranger, copy).kind == inbound_kind::dropped);
    auto in = us.t->on_datagram(clock::now(), bridge.addr, p);
    REQUIRE(in.kind == inbound_kind::rtp);
    CHECK(std::vector<std::uint8_t>(p.begin(), p.begin() + in.size) == plain);
}

TEST_CASE("a peer whose certificate does not match the signalled fingerprint is refused", "[net]") {
    auto cert_a = dtls::certificate::generate();
    auto cert_b = dtls::certificate::generate();
    auto cert_other = dtls::certificate::generate();
    REQUIRE((cert_a && cert_b && cert_other));
    side bridge = make_side(ice::role::controlling, dtls::role::server, 10000, *cert_a);
    side us = make_side(ice::role::controlled, dtls::role::client, 10002, *cert_b);
    auto offer = remote_of(*bridge.t, setup_role::actpass);
    offer.dtls.fingerprint = dtls::to_hex((*cert_other)->sha256());  // someone else's certificate
    REQUIRE_FALSE(us.t->set_remote(offer));
    REQUIRE_FALSE(bridge.t->set_remote(remote_of(*us.t, setup_role::active)));
    bridge.t->start(clock::now());
    us.t->start(clock::now());
    pump(bridge, us, [&] { return !us.failures.empty(); });
    REQUIRE(us.failures.size() == 1);
    CHECK(us.failures[0].starts_with("dtls: "));
    CHECK(us.failures[0].find("fingerprint") != std::string::npos);
    CHECK_FALSE(us.secured);
    CHECK(us.t->state() == transport_state::failed);
    auto pkt = rtp_packet(1);
    pkt.resize(pkt.size() + secure_transport::srtp_overhead);
    CHECK_FALSE(us.t->protect_rtp(pkt, 52));
}

TEST_CASE("bad remote parameters are refused before anything is sent", "[net]") {
    auto cert = dtls::certificate::generate();
    REQUIRE(cert);
    side us = make_side(ice::role::controlled, dtls::role::client, 10002, *cert);
    remote_transport r{"abcd", "0123456789012345678901", {}, {"sha-256", "not hex", setup_role::actpass}};
    CHECK(us.t->set_remote(r));
    r.dtls = {"md5", "AB:CD", setup_role::actpass};
    CHECK(us.t->set_remote(r));
    r.dtls = (*cert)->sha256().digest.empty() ? r.dtls : dtls::to_dtls_params((*cert)->sha256(), setup_role::actpass);
    r.ufrag = "";  // no ICE credentials
    CHECK(us.t->set_remote(r));
    transport_config cfg;
    CHECK_FALSE(secure_transport::create(cfg, {}));  // no certificate, no address
}
