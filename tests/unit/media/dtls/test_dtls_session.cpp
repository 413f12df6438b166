// DTLS-SRTP session: two sessions handshake in memory and export the same RFC 5764 §4.2 keys,
// fingerprints are enforced on both sides, lost flights come back by retransmission, garbage is
// dropped, and every limit (overall time, retransmissions, datagrams) ends the handshake with a
// reason.

#include "media/dtls/dtls_pair.hpp"

#include <random>
#include <string>

using namespace jigasi::test;
using jigasi::media::setup_role;
namespace srtp = jigasi::media::srtp;

namespace {

void require_connected(dtls_pair& p, srtp::profile expected) {
    const auto* c = find_event<dtls::connected>(p.client_events);
    const auto* s = find_event<dtls::connected>(p.server_events);
    REQUIRE(c);
    REQUIRE(s);
    CHECK(p.client->current_state() == dtls::state::connected);
    CHECK(p.server->current_state() == dtls::state::connected);
    CHECK(c->profile == expected);
    CHECK(s->profile == expected);
    // Both ends exported the same block, split the same way.
    CHECK(c->client_write == s->client_write);
    CHECK(c->server_write == s->server_write);
    CHECK_FALSE(c->client_write == c->server_write);
    CHECK(c->client_write.bytes().size() == srtp::master_length(expected));
    // What one sends with, the other checks with.
    CHECK(c->keys().local == s->keys().remote);
    CHECK(c->keys().remote == s->keys().local);
    CHECK(c->keys().local == c->client_write);
    CHECK(s->keys().local == s->server_write);
    CHECK(c->peer == p.server_cert->sha256());
    CHECK(s->peer == p.client_cert->sha256());
}

dtls::fingerprint wrong_fingerprint() {
    dtls::fingerprint fp{dtls::hash_algorithm::sha_256, std::vector<std::uint8_t>(32, 0xab)};
    return fp;
}

}  // namespace

TEST_CASE("DTLS handshake agrees on keys and the preferred profile", "[dtls]") {
    dtls_pair p;
    p.create();
    p.run();
    require_connected(p, srtp::profile::aead_aes_128_gcm);
    CHECK(p.max_datagram <= 1200);
    CHECK(p.client->retransmissions() == 0);
}

TEST_CASE("DTLS handshake with AES_CM_128_HMAC_SHA1_80 only", "[dtls]") {
    dtls_pair p;
    auto c = p.client_config();
    auto s = p.server_config();
    c.profiles = {srtp::profile::aes_cm_128_hmac_sha1_80};
    p.create(std::move(c), std::move(s));
    p.run();
    require_connected(p, srtp::profile::aes_cm_128_hmac_sha1_80);
}

TEST_CASE("DTLS server's profile preference wins (RFC 5764 §4.1.1)", "[dtls]") {
    dtls_pair p;
    auto c = p.client_config();
    auto s = p.server_config();
    c.profiles = {srtp::profile::aead_aes_128_gcm, srtp::profile::aes_cm_128_hmac_sha1_80};
    s.profiles = {srtp::profile::aes_cm_128_hmac_sha1_80, srtp::profile::aead_aes_128_gcm};
    p.create(std::move(c), std::move(s));
    p.run();
    require_connected(p, srtp::profile::aes_cm_128_hmac_sha1_80);
}

TEST_CASE("DTLS without a common SRTP profile fails", "[dtls]") {
    dtls_pair p;
    auto c = p.client_config();
    auto s = p.server_config();
    c.profiles = {srtp::profile::aead_aes_128_gcm};
    s.profiles = {srtp::profile::aes_cm_128_hmac_sha1_80};
    p.create(std::move(c), std::move(s));
    p.run();
    const auto* f = find_event<dtls::failed>(p.client_events);
    REQUIRE(f);
    CHECK(f->code == dtls::errc::no_srtp_profile);
    CHECK_FALSE(find_event<dtls::connected>(p.client_events));
}

TEST_CASE("DTLS client refuses a server certificate that is not the signalled one", "[dtls]") {
    dtls_pair p;
    auto c = p.client_config();
    c.remote_fingerprint = wrong_fingerprint();
    p.create(std::move(c), p.server_config());
    p.run();
    const auto* f = find_event<dtls::failed>(p.client_events);
    REQUIRE(f);
    CHECK(f->code == dtls::errc::fingerprint_mismatch);
    CHECK(f->reason == "fingerprint mismatch: expected sha-256 " +
                           dtls::to_hex(wrong_fingerprint()) + " got " +
                           dtls::describe(p.server_cert->sha256()));
    CHECK(p.client->current_state() == dtls::state::failed);
    // Our bad_certificate alert ends the server's handshake too.
    const auto* sf = find_event<dtls::failed>(p.server_events);
    REQUIRE(sf);
    CHECK(sf->code == dtls::errc::handshake_failed);
    CHECK(sf->reason == "DTLS handshake failed: sslv3 alert bad certificate");
    CHECK_FALSE(find_event<dtls::connected>(p.client_events));
    CHECK_FALSE(find_event<dtls::connected>(p.server_events));
}

TEST_CASE("DTLS server refuses a client certificate that is not the signalled one", "[dtls]") {
    dtls_pair p;
    auto s = p.server_config();
    s.remote_fingerprint = wrong_fingerprint();
    p.create(p.client_config(), std::move(s));
    p.run();
    const auto* f = find_event<dtls::failed>(p.server_events);
    REQUIRE(f);
    CHECK(f->code == dtls::errc::fingerprint_mismatch);
    CHECK_THAT(f->reason, Catch::StartsWith("fingerprint mismatch: expected sha-256 AB:AB:"));
    CHECK_THAT(f->reason, Catch::EndsWith(" got " + dtls::describe(p.client_cert->sha256())));
    const auto* cf = find_event<dtls::failed>(p.client_events);
    REQUIRE(cf);
    CHECK(cf->code == dtls::errc::handshake_failed);
    CHECK_FALSE(find_event<dtls::connected>(p.client_events));
    CHECK_FALSE(find_event<dtls::connected>(p.server_events));
}

TEST_CASE("DTLS verifies a fingerprint signalled with another hash", "[dtls]") {
    dtls_pair p;
    auto c = p.client_config();
    auto sha1 = dtls::fingerprint_of(p.server_cert->x509(), dtls::hash_algorithm::sha_1);
    REQUIRE(sha1);
    c.remote_fingerprint = *sha1;
    p.create(std::move(c), p.server_config());
    p.run();
    REQUIRE(find_event<dtls::connected>(p.client_events));
    CHECK(find_event<dtls::connected>(p.client_events)->peer == *sha1);
}

TEST_CASE("DTLS recovers a lost ClientHello and a lost first server flight", "[dtls]") {
    dtls_pair p;
    p.create();
    p.lose = [](bool, std::size_t index, std::span<const std::uint8_t>) {
        return index == 0;  // the first datagram of each side
    };
    p.run();
    require_connected(p, srtp::profile::aead_aes_128_gcm);
    CHECK(p.client->retransmissions() >= 1);
    CHECK(p.sent_by_client >= 3);  // ClientHello twice, then flight 5
}

TEST_CASE("DTLS recovers the server's lost final flight (RFC 6347 §4.2.4)", "[dtls]") {
    dtls_pair p;
    p.create();
    // The server's ChangeCipherSpec + Finished: the datagram that starts with a CCS record (type
    // 20) or an epoch-1 record, once. The client must retransmit its flight, and the server,
    // already connected, answer it with its final flight again.
    bool lost_once = false;
    p.lose = [&](bool from_client, std::size_t, std::span<const std::uint8_t> d) {
        const bool final_flight = d[0] == 20 || (d.size() > 4 && (d[3] << 8 | d[4]) == 1);
        if (from_client || !final_flight || lost_once) return false;
        lost_once = true;
        return true;
    };
    p.run();
    CHECK(lost_once);
    require_connected(p, srtp::profile::aead_aes_128_gcm);
    CHECK(p.client->retransmissions() >= 1);
}

TEST_CASE("DTLS ignores garbage during and after the handshake", "[dtls]") {
    dtls_pair p;
    p.create();
    std::mt19937 rng(1234);
    auto garbage = [&](std::size_t n, std::uint8_t first) {
        std::vector<std::uint8_t> d(n);
        for (auto& b : d) b = static_cast<std::uint8_t>(rng());
        d[0] = first;
        return d;
    };
    auto throw_garbage_at = [&](dtls::session& s) {
        const auto before = s.current_state();
        const auto now = dtls::clock::now();
        for (std::uint8_t first : {0, 1, 20, 21, 22, 23, 25, 63, 64, 128, 255})
            for (std::size_t n : {1, 2, 13, 14, 40, 300, 1500}) s.feed(garbage(n, first), now);
        // A record header claiming more than the datagram holds.
        std::vector<std::uint8_t> huge{22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2};
        s.feed(huge, now);
        s.feed({}, now);
        CHECK(s.current_state() == before);
        CHECK_FALSE(s.pop_event());
    };
    throw_garbage_at(*p.server);  // not started: stays idle
    p.client->start(dtls::clock::now());
    p.server->start(dtls::clock::now());
    p.pump();
    throw_garbage_at(*p.client);
    throw_garbage_at(*p.server);
    // Whatever garbage made them send (nothing, or a retransmission), the handshake completes.
    p.run();
    require_connected(p, srtp::profile::aead_aes_128_gcm);
    throw_garbage_at(*p.client);
    throw_garbage_at(*p.server);
    // An epoch-1 record with a wrong MAC is dropped silently (RFC 6347 §4.1.2.7).
    auto forged = garbage(60, 23);
    forged[1] = 0xfe, forged[2] = 0xfd;  // DTLS 1.2
    forged[3] = 0, forged[4] = 1;        // epoch 1
    forged[11] = 0, forged[12] = 47;     // length: the rest of the datagram
    p.client->feed(forged, dtls::clock::now());
    p.server->feed(forged, dtls::clock::now());
    CHECK(p.client->current_state() == dtls::state::connected);
    CHECK(p.server->current_state() == dtls::state::connected);
    CHECK_FALSE(p.client->pop_event());
}

TEST_CASE("DTLS sessions ignore datagrams before start()", "[dtls]") {
    dtls_pair p;
    p.create();
    for (auto* s : {&*p.client, &*p.server}) {
        s->feed(std::vector<std::uint8_t>{22, 0xfe, 0xfd, 0, 0}, dtls::clock::now());
        CHECK(s->current_state() == dtls::state::idle);
        CHECK_FALSE(s->pop_datagram());
        CHECK_FALSE(s->next_deadline());
    }
}

TEST_CASE("DTLS handshake timeout is reported", "[dtls]") {
    dtls_pair p;
    p.create();
    const auto t0 = dtls::clock::now();
    p.client->start(t0);
    p.server->start(t0);
    REQUIRE(p.client->pop_datagram());  // the ClientHello, lost
    const auto deadline = p.client->next_deadline();
    REQUIRE(deadline);
    CHECK(*deadline <= t0 + 5s);
    // A server that never hears from anyone waits for the overall limit only.
    REQUIRE(p.server->next_deadline());
    CHECK(*p.server->next_deadline() == t0 + 5s);
    for (auto* s : {&*p.client, &*p.server}) {
        s->on_timer(t0 + 5s);
        const auto e = s->pop_event();
        REQUIRE(e);
        const auto* f = std::get_if<dtls::failed>(&*e);
        REQUIRE(f);
        CHECK(f->code == dtls::errc::timeout);
        CHECK(f->reason == "DTLS handshake not complete after 5000 ms");
        CHECK(s->current_state() == dtls::state::failed);
        CHECK_FALSE(s->next_deadline());
    }
}

TEST_CASE("DTLS datagram after the handshake deadline ends it", "[dtls]") {
    dtls_pair p;
    p.create();
    const auto t0 = dtls::clock::now();
    p.client->start(t0);
    p.server->start(t0);
    const auto hello = p.client->pop_datagram();
    REQUIRE(hello);
    p.server->feed(*hello, t0 + 5s);  // a late ClientHello, with no timer having run
    const auto e = p.server->pop_event();
    REQUIRE(e);
    CHECK(std::get<dtls::failed>(*e).code == dtls::errc::timeout);
    CHECK_FALSE(p.server->pop_datagram());
}

TEST_CASE("DTLS gives up after the configured retransmissions", "[dtls]") {
    dtls_pair p;
    auto c = p.client_config();
    c.initial_retransmit = 20ms;
    c.max_retransmissions = 2;
    p.create(std::move(c), p.server_config());
    p.client->start(dtls::clock::now());
    std::size_t hellos = 0;
    std::optional<dtls::event> e;
    for (int i = 0; i < 20 && !e; ++i) {
        while (p.client->pop_datagram()) ++hellos;
        const auto d = p.client->next_deadline();
        REQUIRE(d);
        std::this_thread::sleep_until(*d);
        p.client->on_timer(dtls::clock::now());
        e = p.client->pop_event();
    }
    REQUIRE(e);
    const auto* f = std::get_if<dtls::failed>(&*e);
    REQUIRE(f);
    CHECK(f->code == dtls::errc::too_many_retransmissions);
    CHECK(hellos == 3);  // the first and two retransmissions
    CHECK(p.client->retransmissions() == 2);
}

TEST_CASE("DTLS handshake datagram limit", "[dtls]") {
    dtls_pair p;
    auto s = p.server_config();
    s.max_handshake_datagrams = 3;
    p.create(p.client_config(), std::move(s));
    p.server->start(dtls::clock::now());
    for (int i = 0; i < 4; ++i)
        p.server->feed(std::vector<std::uint8_t>(20, 22), dtls::clock::now());
    const auto e = p.server->pop_event();
    REQUIRE(e);
    CHECK(std::get<dtls::failed>(*e).code == dtls::errc::too_many_datagrams);
}

TEST_CASE("DTLS close_notify ends the peer's session", "[dtls]") {
    dtls_pair p;
    p.create();
    p.run();
    require_connected(p, srtp::profile::aead_aes_128_gcm);
    p.client_events.clear();
    p.server_events.clear();
    p.client->close();
    CHECK(p.client->current_state() == dtls::state::closed);
    p.pump();
    CHECK(p.server->current_state() == dtls::state::closed);
    REQUIRE(p.server_events.size() == 1);
    CHECK(std::holds_alternative<dtls::closed>(p.server_events[0]));
    CHECK(p.client_events.empty());  // a local close() is not an event
}

TEST_CASE("DTLS session configuration errors", "[dtls]") {
    dtls_pair p;
    auto c = p.client_config();
    c.cert.reset();
    CHECK(dtls::session::create(c).error().code == dtls::errc::bad_config);
    c = p.client_config();
    c.remote_fingerprint.digest.pop_back();
    CHECK(dtls::session::create(c).error().code == dtls::errc::bad_config);
    c = p.client_config();
    c.profiles.clear();
    CHECK(dtls::session::create(c).error().code == dtls::errc::bad_config);
    c = p.client_config();
    c.mtu = 100;
    CHECK(dtls::session::create(c).error().code == dtls::errc::bad_config);
}

TEST_CASE("DTLS roles from a=setup (RFC 5763 §5, RFC 7983 demux)", "[dtls]") {
    CHECK(dtls::role_for_setup(setup_role::active) == dtls::role::client);
    CHECK(dtls::role_for_setup(setup_role::passive) == dtls::role::server);
    CHECK_FALSE(dtls::role_for_setup(setup_role::actpass));
    CHECK_FALSE(dtls::role_for_setup(setup_role::none));
    CHECK(dtls::answer_setup(setup_role::actpass) == setup_role::active);  // as toward JVB
    CHECK(dtls::answer_setup(setup_role::active) == setup_role::passive);
    CHECK(dtls::answer_setup(setup_role::passive) == setup_role::active);
    CHECK(dtls::answer_setup(setup_role::holdconn) == setup_role::none);
    CHECK(dtls::is_dtls(std::vector<std::uint8_t>{22}));
    CHECK(dtls::is_dtls(std::vector<std::uint8_t>{63}));
    CHECK_FALSE(dtls::is_dtls(std::vector<std::uint8_t>{0, 1}));    // STUN
    CHECK_FALSE(dtls::is_dtls(std::vector<std::uint8_t>{0x80}));    // RTP
    CHECK_FALSE(dtls::is_dtls(std::vector<std::uint8_t>{}));
}
