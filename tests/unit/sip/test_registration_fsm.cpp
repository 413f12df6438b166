// The upstream registration state machine, step by step without sockets or clocks.

#include "sip/registration_fsm.hpp"

#include <catch2/catch.hpp>

using namespace jigasi;
using namespace jigasi::sip;
using namespace std::chrono_literals;

namespace {

config::sip_account_config account() {
    config::sip_account_config a;
    a.id = "trunk";
    a.user = "4930123";
    a.auth_user = "4930123";
    a.domain = "sip.test";
    a.password = "pw";
    a.registrar = "sip:sip.test";
    a.expires_s = 600;
    return a;
}

register_response challenge(std::uint16_t status, std::string nonce, const char* algo = "MD5", bool stale = false) {
    register_response r;
    r.status = status;
    std::string v = "Digest realm=\"sip.test\", nonce=\"" + nonce + "\", algorithm=" + algo + ", qop=\"auth\"";
    if (stale) v += ", stale=true";
    (status == 401 ? r.www_authenticate : r.proxy_authenticate).push_back(v);
    return r;
}

register_response ok(unsigned expires) {
    register_response r;
    r.status = 200;
    r.reason = "OK";
    r.granted_expires = expires;
    return r;
}

}  // namespace

TEST_CASE("register, answer the challenge, refresh, un-register", "[registration]") {
    registration_fsm fsm(account(), 1s, 60s, 7);
    const auto t = registration_fsm::clock::time_point{};
    auto a = fsm.start();
    REQUIRE(a.send);
    CHECK(a.send->expires == 600);
    CHECK_FALSE(a.send->authorization);
    CHECK(fsm.state() == registration_state::registering);

    a = fsm.on_response(challenge(401, "n1", "SHA-256"), t);
    REQUIRE(a.send);
    REQUIRE(a.send->authorization);
    auto cr = digest::parse_credentials(a.send->authorization->substr(15));  // after "Authorization: "
    REQUIRE(cr);
    CHECK(cr->algo == digest::algorithm::sha256);
    CHECK(cr->uri == "sip:sip.test");
    CHECK(digest::verify(*cr, digest::ha1(digest::algorithm::sha256, "4930123", "sip.test", "pw"), "REGISTER"));

    a = fsm.on_response(ok(300), t);
    CHECK(fsm.state() == registration_state::registered);
    CHECK(a.state_changed);
    REQUIRE(a.arm_timer);
    CHECK(*a.arm_timer == 150s);  // half the granted time

    a = fsm.on_timer(t + 150s);  // refresh: still registered while it is out
    REQUIRE(a.send);
    CHECK(fsm.state() == registration_state::registered);
    CHECK(fsm.on_timer(t + 151s).send == std::nullopt);  // one REGISTER at a time
    a = fsm.on_response(challenge(407, "n2"), t);
    REQUIRE(a.send);
    CHECK(a.send->authorization->starts_with("Proxy-Authorization: Digest "));
    fsm.on_response(ok(600), t);
    CHECK(fsm.state() == registration_state::registered);

    a = fsm.stop();
    REQUIRE(a.send);
    CHECK(a.send->expires == 0);
    CHECK(a.cancel_timer);
    CHECK(fsm.state() == registration_state::unregistering);
    fsm.on_response(ok(0), t);
    CHECK(fsm.state() == registration_state::idle);
}

TEST_CASE("wrong password: the same nonce twice is a failure, retried with backoff forever", "[registration]") {
    registration_fsm fsm(account(), 1s, 8s, 7);
    const auto t = registration_fsm::clock::time_point{};
    fsm.start();
    REQUIRE(fsm.on_response(challenge(401, "n1"), t).send);
    auto a = fsm.on_response(challenge(401, "n1"), t);
    CHECK_FALSE(a.send);
    CHECK(fsm.state() == registration_state::failing);
    CHECK(fsm.last_status() == "401 (credentials refused)");
    REQUIRE(a.arm_timer);
    std::chrono::milliseconds last{};
    for (int i = 0; i < 10; ++i) {  // the registrar stays away: attempts never stop, delay capped
        a = fsm.on_timer(t);
        REQUIRE(a.send);
        CHECK(fsm.state() == registration_state::registering);
        a = fsm.on_failure("timeout", t);
        REQUIRE(a.arm_timer);
        last = *a.arm_timer;
        CHECK(last <= 8s * 12 / 10);
    }
    CHECK(last >= 8s * 8 / 10);
    CHECK(fsm.failures() == 11);
    // It comes back: registered again, failures reset.
    fsm.on_timer(t);
    fsm.on_response(ok(600), t);
    CHECK(fsm.state() == registration_state::registered);
    CHECK(fsm.failures() == 0);
}

TEST_CASE("stale nonce is answered again; 423 raises expires; odd answers", "[registration]") {
    registration_fsm fsm(account(), 1s, 8s, 7);
    const auto t = registration_fsm::clock::time_point{};
    fsm.start();
    fsm.on_response(challenge(401, "n1"), t);
    CHECK(fsm.on_response(challenge(401, "n1", "MD5", true), t).send);  // stale=true: not a failure
    register_response brief;
    brief.status = 423;
    brief.min_expires = 1200;
    auto a = fsm.on_response(brief, t);
    REQUIRE(a.send);
    CHECK(a.send->expires == 1200);
    register_response no_digest;
    no_digest.status = 401;
    no_digest.www_authenticate = {"Basic realm=\"x\""};
    fsm.on_response(no_digest, t);
    CHECK(fsm.state() == registration_state::failing);
    CHECK(fsm.last_status() == "401 (no digest challenge we can answer)");
    CHECK_FALSE(fsm.on_response(ok(60), t).send);  // nothing was out: ignored
    CHECK(fsm.state() == registration_state::failing);
    fsm.on_timer(t);
    register_response forbidden;
    forbidden.status = 403;
    forbidden.reason = "Forbidden";
    fsm.on_response(forbidden, t);
    CHECK(fsm.last_status() == "403 Forbidden");
}
