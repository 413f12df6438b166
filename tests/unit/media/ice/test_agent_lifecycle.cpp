// ICE agent over time and against bad input: consent freshness, restart, failure, srflx gathering,
// checks with wrong credentials.

#include "ice_net.hpp"

#include <catch2/catch.hpp>

using namespace ice_test;
namespace attr = stun::attr;

namespace {

const credentials a_creds = creds("AAAAufrag", "AAAApassword0123456789xx");
const credentials b_creds = creds("BBBBufrag", "BBBBpassword0123456789xx");

struct two {
    node a{config(role::controlling, 2, 1), a_creds, ep("10.0.0.1", 10000)};
    node b{config(role::controlled, 1, 2), b_creds, ep("10.0.0.2", 40000)};
    network net{{&a, &b}};
    void connect() {
        signal(a, b);
        signal(b, a);
        a.a.start(net.now);
        b.a.start(net.now);
        REQUIRE(net.run_until([&] { return a.connected() && b.connected(); }, 10s));
    }
};

struct request_spec {
    std::string user = "BBBBufrag:AAAAufrag";
    std::string key = "BBBBpassword0123456789xx";
    bool integrity = true;
    bool fingerprint = true;
    bool priority = true;
    std::optional<std::uint16_t> extra_attribute;
};

std::vector<std::uint8_t> make_request(const request_spec& s, const stun::transaction_id& tid = {1, 2, 3}) {
    std::array<std::uint8_t, 300> buf{};
    stun::message_writer w(buf, stun::msg_class::request, stun::method::binding, tid);
    if (!s.user.empty()) w.add_string(attr::username, s.user);
    if (s.priority) w.add_u32(attr::priority, 1862270975);
    w.add_u64(attr::ice_controlling, 99);
    if (s.extra_attribute) w.add_u32(*s.extra_attribute, 7);
    if (s.integrity) w.add_integrity(std::string_view(s.key));
    if (s.fingerprint) w.add_fingerprint();
    auto out = w.finish();
    REQUIRE(out);
    return {out->begin(), out->end()};
}

/// Recomputes FINGERPRINT (the last 8 bytes) after the bytes before it were changed.
void refingerprint(std::vector<std::uint8_t>& d) {
    const auto crc = stun::crc32(std::span(d).first(d.size() - 8)) ^ 0x5354554eu;
    for (int i = 0; i < 4; ++i) d[d.size() - 4 + i] = static_cast<std::uint8_t>(crc >> (24 - 8 * i));
}

/// The only datagram the agent queued in answer, parsed (the bytes are kept in `keep`).
std::optional<stun::message> answer(agent& x, std::vector<std::uint8_t>& keep, endpoint* to = nullptr) {
    std::optional<stun::message> m;
    while (auto act = x.poll())
        if (auto* d = std::get_if<send_datagram>(&*act)) {
            REQUIRE_FALSE(m);
            keep.assign(d->bytes().begin(), d->bytes().end());
            if (to) *to = d->to;
            auto parsed = stun::message::parse(keep);
            REQUIRE(parsed);
            m = *parsed;
        }
    return m;
}

}  // namespace

TEST_CASE("consent freshness: checks every ~5 s, consent lost 30 s after the last answer", "[ice]") {
    two t;
    t.connect();
    const auto consent_before = t.a.a.stats().consent_checks_sent;
    t.net.run_for(30s);
    const auto in_30s = t.a.a.stats().consent_checks_sent - consent_before;
    CHECK(in_30s >= 5);  // 30 s / (5 s +- 20 %)
    CHECK(in_30s <= 8);
    CHECK(t.a.connected());

    const auto silent_from = t.net.now;
    t.net.drop = [](const packet& p) { return p.from == 1; };  // b goes silent
    REQUIRE(t.net.run_until([&] { return t.a.count<consent_lost>() == 1; }, 40s));
    const auto after = t.net.now - silent_from;
    CHECK(after >= 23s);  // the last answer came at most one interval (6 s) before the silence
    CHECK(after <= 30s + 50ms);
    CHECK(t.a.a.state() == agent_state::failed);
    CHECK(t.a.count<failed>() == 0);
    CHECK_FALSE(t.a.a.next_deadline());
    // b's checks were lost as well: it loses consent within 30 s of the silence.
    REQUIRE(t.net.run_until([&] { return t.b.count<consent_lost>() == 1; }, 10s));
    CHECK(t.net.now - silent_from <= 30s + 50ms);
    const auto sent = t.net.sent;
    t.net.run_for(10s);
    CHECK(t.net.sent == sent);  // nothing more goes out from either side
}

TEST_CASE("ICE restart keeps media on the selected pair until the new generation nominates", "[ice]") {
    two t;
    t.connect();
    const auto before = *t.a.a.selected_pair();
    // a restarts twice before anything is signalled: the generation of the selected pair stays
    // the one consent runs on.
    t.a.a.restart(t.net.now, creds("AAAAnew0", "AAAAnewpassword000000000"));
    t.net.run_for(1s);
    t.a.a.restart(t.net.now, creds("AAAAnew1", "AAAAnewpassword012345678"));
    t.b.a.restart(t.net.now, creds("BBBBnew1", "BBBBnewpassword012345678"));
    CHECK(t.a.a.state() == agent_state::checking);
    REQUIRE(t.a.a.selected_pair());
    CHECK(t.a.a.selected_pair()->remote.address == before.remote.address);
    // The new credentials take their time through the signalling; consent goes on meanwhile.
    t.net.run_for(10s);
    CHECK(t.a.count<consent_lost>() + t.b.count<consent_lost>() + t.a.count<failed>() == 0);
    CHECK(t.a.a.selected_pair());
    signal(t.a, t.b);
    signal(t.b, t.a);
    REQUIRE(t.net.run_until([&] { return t.a.connected() && t.b.connected(); }, 10s));
    CHECK(t.a.count<connected>() == 2);
    CHECK(t.b.count<connected>() == 2);
    CHECK(t.a.count<selected_pair_changed>() == 1);  // the same addresses: no switch for the media
    CHECK(t.a.a.local_credentials().ufrag == "AAAAnew1");

    // The old credentials are refused now.
    std::vector<std::uint8_t> keep;
    request_spec old;
    t.b.a.on_datagram(t.net.now, t.a.host, make_request(old));
    auto m = answer(t.b.a, keep);
    REQUIRE(m);
    CHECK(m->error()->code == 401);
    request_spec fresh;
    fresh.user = "BBBBnew1:AAAAnew1";
    fresh.key = "BBBBnewpassword012345678";
    t.b.a.on_datagram(t.net.now, t.a.host, make_request(fresh));
    m = answer(t.b.a, keep);
    REQUIRE(m);
    CHECK(m->cls() == stun::msg_class::success);
}

TEST_CASE("checks with bad credentials are refused without any state change", "[ice]") {
    node b{config(role::controlled, 1, 2), b_creds, ep("10.0.0.2", 40000)};
    const auto now = time_point{} + 1h;
    REQUIRE_FALSE(b.a.set_remote_credentials(a_creds.ufrag, a_creds.pwd));
    b.a.start(now);
    while (b.a.poll()) {
    }
    const endpoint from = ep("10.0.0.1", 10000);
    std::vector<std::uint8_t> keep;
    auto refused = [&](const request_spec& s, std::optional<std::uint16_t> code) {
        CHECK(b.a.on_datagram(now, from, make_request(s)));
        auto m = answer(b.a, keep);
        if (!code) {
            CHECK_FALSE(m);
        } else {
            REQUIRE(m);
            CHECK(m->cls() == stun::msg_class::error);
            REQUIRE(m->error());
            CHECK(m->error()->code == *code);
            CHECK_FALSE(m->has_integrity());  // RFC 5389 §10.1.2: no key to sign with
            CHECK(m->verify_fingerprint());
        }
        CHECK(b.a.pairs().empty());
        CHECK(b.a.stats().checks_received == 0);
        CHECK(b.a.state() == agent_state::checking);
        CHECK_FALSE(b.a.next_deadline() < now + 29s);  // only the overall timeout: nothing to send
    };
    request_spec s;
    s.key = "wrong-password-0123456789";
    refused(s, 401);
    s = {};
    s.user = "XXXXufrag:AAAAufrag";
    refused(s, 401);
    s = {};
    s.user = "BBBBufrag";  // no colon
    refused(s, 401);
    s = {};
    s.integrity = false;
    refused(s, 400);
    s = {};
    s.user.clear();
    refused(s, 400);
    // A damaged fingerprint: not STUN as far as we can tell, dropped without an answer.
    auto bad_fp = make_request({});
    bad_fp.back() ^= 1;
    CHECK(b.a.on_datagram(now, from, bad_fp));
    CHECK_FALSE(answer(b.a, keep));
    // Bad integrity: one bit of the HMAC flipped, the fingerprint made right again around it.
    auto bad_mi = make_request({});
    bad_mi[bad_mi.size() - 9] ^= 1;
    refingerprint(bad_mi);
    CHECK(b.a.on_datagram(now, from, bad_mi));
    auto m = answer(b.a, keep);
    REQUIRE(m);
    CHECK(m->error()->code == 401);
    // RFC 8445 §7.2.2: checks carry FINGERPRINT; one without is not taken as a check.
    request_spec no_fp;
    no_fp.fingerprint = false;
    CHECK(b.a.on_datagram(now, from, make_request(no_fp)));
    CHECK_FALSE(answer(b.a, keep));
    CHECK(b.a.stats().checks_refused == 6);
    CHECK(b.a.stats().dropped == 2);
    CHECK(b.a.pairs().empty());

    // Authenticated but with an unknown comprehension-required attribute: 420, signed.
    s = {};
    s.extra_attribute = 0x0031;
    CHECK(b.a.on_datagram(now, from, make_request(s)));
    m = answer(b.a, keep);
    REQUIRE(m);
    CHECK(m->error()->code == 420);
    CHECK(m->verify_integrity(b_creds.pwd));
    std::array<std::uint16_t, 4> listed{};
    REQUIRE(m->unknown_attributes_listed(listed) == 1);
    CHECK(listed[0] == 0x0031);
    // Authenticated without PRIORITY: 400.
    s = {};
    s.priority = false;
    b.a.on_datagram(now, from, make_request(s));
    m = answer(b.a, keep);
    REQUIRE(m);
    CHECK(m->error()->code == 400);
    CHECK(b.a.pairs().empty());

    // A good one: success with the source as XOR-MAPPED-ADDRESS, then the triggered check.
    CHECK(b.a.on_datagram(now, from, make_request({})));
    std::vector<std::vector<std::uint8_t>> sent;
    std::vector<endpoint> to;
    while (auto act = b.a.poll())
        if (auto* d = std::get_if<send_datagram>(&*act)) {
            sent.emplace_back(d->bytes().begin(), d->bytes().end());
            to.push_back(d->to);
        }
    REQUIRE(sent.size() == 2);  // the answer, and the triggered check toward the new prflx candidate
    auto ok = stun::message::parse(sent[0]);
    REQUIRE(ok);
    CHECK(ok->cls() == stun::msg_class::success);
    CHECK(ok->xor_mapped_address() == from);
    CHECK(ok->verify_integrity(b_creds.pwd));
    CHECK(ok->verify_fingerprint());
    CHECK(to[0] == from);
    auto check = stun::message::parse(sent[1]);
    REQUIRE(check);
    CHECK(check->cls() == stun::msg_class::request);
    CHECK(check->username() == "AAAAufrag:BBBBufrag");
    CHECK(check->ice_controlled() == 1u);
    CHECK(check->verify_integrity(a_creds.pwd));
    CHECK(to[1] == from);
    REQUIRE(b.a.pairs().size() == 1);
    CHECK(b.a.pairs()[0].remote.type == candidate_type::prflx);
    CHECK(b.a.pairs()[0].state == pair_state::in_progress);
    CHECK(b.a.stats().checks_received == 1);
    CHECK(b.a.current_role() == role::controlled);  // the peer claimed controlling: no conflict

    // A forged answer to that check (signed with the wrong key) changes nothing.
    std::array<std::uint8_t, 128> buf{};
    stun::message_writer w(buf, stun::msg_class::success, stun::method::binding, check->tid());
    w.add_xor_address(attr::xor_mapped_address, ep("10.0.0.2", 40000)).add_integrity(std::string_view("nope"));
    w.add_fingerprint();
    CHECK(b.a.on_datagram(now, from, *w.finish()));
    CHECK(b.a.pairs()[0].state == pair_state::in_progress);
    CHECK(b.a.stats().responses_received == 0);
    CHECK_FALSE(b.a.poll());
    // The genuine one completes the pair (no nomination yet: b is controlled).
    stun::message_writer g(buf, stun::msg_class::success, stun::method::binding, check->tid());
    g.add_xor_address(attr::xor_mapped_address, ep("10.0.0.2", 40000)).add_integrity(a_creds.pwd).add_fingerprint();
    CHECK(b.a.on_datagram(now + 20ms, from, *g.finish()));
    CHECK(b.a.pairs()[0].state == pair_state::succeeded);
    CHECK(b.a.pairs()[0].valid);
    CHECK(b.a.stats().last_rtt == std::chrono::microseconds(20000));
    CHECK(b.a.state() == agent_state::checking);

    // Not STUN at all: left to the other consumers of the port.
    const std::uint8_t rtp[] = {0x80, 111, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4};
    CHECK_FALSE(b.a.on_datagram(now, from, rtp));
}

TEST_CASE("all pairs failing after end-of-candidates fails the agent", "[ice]") {
    two t;
    signal(t.b, t.a);
    std::vector<time_point> sent_at;
    t.net.drop = [&](const packet&) {
        sent_at.push_back(t.net.now);
        return false;
    };
    t.a.a.start(t.net.now);
    t.b.a.close();  // b is gone: nothing answers
    REQUIRE(t.net.run_until([&] { return t.a.count<failed>() == 1; }, 25s));
    // RFC 5389 §7.2.1 doubling from the §14.3 RTO (500 ms), capped at rto_max (3 s).
    REQUIRE(sent_at.size() == 7);
    const std::chrono::milliseconds gaps[] = {500ms, 1000ms, 2000ms, 3000ms, 3000ms, 3000ms};
    for (std::size_t i = 0; i < 6; ++i) CHECK(sent_at[i + 1] - sent_at[i] == gaps[i]);
    CHECK(t.net.now - sent_at.back() == 3000ms);
    CHECK(t.a.last<failed>()->reason == "all candidate pairs failed");
    CHECK(t.a.a.stats().checks_sent == 7);  // Rc transmissions, then the check failed
    CHECK(t.a.a.stats().retransmissions == 6);
    CHECK(t.a.a.pairs()[0].state == pair_state::failed);
}

TEST_CASE("without end-of-candidates only the overall timeout fails the agent", "[ice]") {
    two t;
    signal(t.b, t.a, false);
    t.a.a.start(t.net.now);
    t.b.a.close();
    const auto t0 = t.net.now;
    REQUIRE(t.net.run_until([&] { return t.a.count<failed>() == 1; }, 40s));
    CHECK(t.net.now - t0 == 30s);
    CHECK(t.a.last<failed>()->reason == "ICE timed out without a nominated pair");
}

TEST_CASE("server-reflexive gathering from a STUN server", "[ice]") {
    auto cfg = config(role::controlled, 1, 3);
    const endpoint server = ep("198.51.100.1", 3478);
    cfg.stun_server = server;
    node x{cfg, b_creds, ep("10.0.0.2", 40000)};
    network net{{&x}};
    x.a.start(net.now);
    net.run_for(5ms);
    CHECK(x.count<gathering_complete>() == 0);
    net.run_for(10ms);
    REQUIRE(net.unrouted.size() == 1);
    const auto req = net.unrouted[0];
    CHECK(req.dst == server);
    auto m = stun::message::parse(req.data);
    REQUIRE(m);
    CHECK(m->cls() == stun::msg_class::request);
    CHECK_FALSE(m->has_integrity());
    // The server's answer: the NAT mapping of our socket.
    std::array<std::uint8_t, 64> buf{};
    stun::message_writer w(buf, stun::msg_class::success, stun::method::binding, m->tid());
    w.add_xor_address(attr::xor_mapped_address, ep("203.0.113.5", 50000));
    CHECK(x.a.on_datagram(net.now, ep("198.51.100.9", 3478), *w.finish()));  // wrong source: ignored
    net.drain();
    CHECK(x.count<gathering_complete>() == 0);
    x.a.on_datagram(net.now, server, *w.finish());
    net.drain();
    REQUIRE(x.count<local_candidate_added>() == 1);
    const auto& c = x.last<local_candidate_added>()->c;
    CHECK(c.type == candidate_type::srflx);
    CHECK(c.address == ep("203.0.113.5", 50000));
    CHECK(c.related == x.host);
    CHECK(c.priority == 1694498815u);
    CHECK(x.count<gathering_complete>() == 1);
    CHECK(x.a.local_candidates().size() == 2);
}

TEST_CASE("a STUN server that does not answer ends gathering without a candidate", "[ice]") {
    auto cfg = config(role::controlled, 1, 3);
    cfg.stun_server = ep("198.51.100.1", 3478);
    node x{cfg, b_creds, ep("10.0.0.2", 40000)};
    network net{{&x}};
    x.a.start(net.now);
    REQUIRE(net.run_until([&] { return x.count<gathering_complete>() == 1; }, 20s));
    CHECK(x.count<local_candidate_added>() == 0);
    CHECK(net.unrouted.size() == 7);
}

TEST_CASE("ordinary checks are paced every Ta", "[ice]") {
    two t;
    for (int i = 3; i < 8; ++i) t.b.a.add_host_candidate(ep("10.0.0." + std::to_string(i), 40000));
    signal(t.b, t.a);
    std::vector<time_point> sent_at;
    t.net.drop = [&](const packet& p) {
        if (p.from == 0) sent_at.push_back(t.net.now);
        return true;
    };
    t.a.a.start(t.net.now);
    t.net.run_for(400ms);
    REQUIRE(sent_at.size() == 6);  // one new check per 50 ms, one per pair
    for (std::size_t i = 1; i < sent_at.size(); ++i) CHECK(sent_at[i] - sent_at[i - 1] == 50ms);
    // §14.3: with six pairs going, RTO = MAX(500 ms, 50 ms * 6) = 500 ms for the first check.
    t.net.run_for(200ms);
    REQUIRE(sent_at.size() == 9);  // and their retransmissions come at their own RTO, unpaced
    CHECK(sent_at[6] - sent_at[0] == 500ms);
    CHECK(sent_at[7] - sent_at[1] == 500ms);
    CHECK(sent_at[8] - sent_at[2] == 500ms);
}

TEST_CASE("no single-bit corruption of a valid check is accepted", "[ice]") {
    node b{config(role::controlled, 1, 2), b_creds, ep("10.0.0.2", 40000)};
    const auto now = time_point{} + 1h;
    REQUIRE_FALSE(b.a.set_remote_credentials(a_creds.ufrag, a_creds.pwd));
    b.a.start(now);
    while (b.a.poll()) {
    }
    const auto good = make_request({});
    for (std::size_t bit = 0; bit < good.size() * 8; ++bit) {
        auto d = good;
        d[bit / 8] ^= static_cast<std::uint8_t>(1 << (bit % 8));
        (void)b.a.on_datagram(now, ep("10.0.0.1", 10000), d);
        while (auto act = b.a.poll())
            if (auto* s = std::get_if<send_datagram>(&*act)) {
                auto m = stun::message::parse(s->bytes());
                REQUIRE(m);
                CHECK(m->cls() == stun::msg_class::error);
            }
    }
    CHECK(b.a.pairs().empty());
    CHECK(b.a.stats().checks_received == 0);
}
