// Routing of outgoing INVITEs (sip/dial.hpp): accounts, registered users, direct URIs, refusals.

#include "sip/dial.hpp"

#include <catch2/catch.hpp>

using namespace jigasi;
using namespace jigasi::sip;
using namespace std::chrono_literals;

namespace {

config::sip_config make_config() {
    config::sip_config c;
    auto& a = c.accounts.emplace_back();
    a.id = "trunk";
    a.user = "gw";
    a.domain = "provider.example";
    a.password = "pw";
    a.display_name = "Jitsi";
    auto& b = c.accounts.emplace_back();
    b.id = "pbx";
    b.user = "100";
    b.auth_user = "auth100";
    b.domain = "pbx.example";
    b.password = "secret";
    b.registrar = "sip:10.0.0.5:5070";
    b.transport = config::sip_transport::tcp;
    b.srtp = true;
    auto& off = c.accounts.emplace_back();
    off.id = "off";
    off.user = "x";
    off.domain = "x.example";
    off.password = "x";
    off.enabled = false;
    auto& u = c.registrar.users.emplace_back();
    u.user = "alice";
    u.password = "alicepw";
    return c;
}

/// A registrar with alice bound at `contact`, registered from `source`.
struct fixture {
    config::sip_config cfg = make_config();
    registrar reg{cfg.registrar, config::sip_unknown_policy::challenge};
    registrar::clock::time_point now{1000s};

    void bind_alice(const std::string& contact, const std::string& source) {
        register_request r;
        r.aor_user = "alice";
        r.contacts.push_back({contact, "<" + contact + ">", std::nullopt});
        r.call_id = "cid";
        r.cseq = 1;
        r.source = source;
        const digest::nonce_issuer::clock::time_point wall{1'800'000'000s};
        auto first = reg.handle(r, now, wall);
        REQUIRE(first.status == 401);
        auto ch = digest::parse_challenge(first.headers.front().substr(first.headers.front().find(':') + 2));
        REQUIRE(ch);
        r.authorization = {digest::authorization(*ch, "alice", digest::ha1(ch->algo, "alice", ch->realm, "alicepw"),
                                                 "REGISTER", "sip:jigasi-ng", 1, "cn")};
        r.cseq = 2;
        REQUIRE(reg.handle(r, now, wall).status == 200);
    }

    dial_resolution resolve(std::string to, std::string via) {
        return resolve_dial(cfg, reg, now, "192.0.2.10", {std::move(to), std::move(via)});
    }
};

}  // namespace

TEST_CASE_METHOD(fixture, "a number through an account goes to its domain with its credentials", "[dial]") {
    auto r = resolve("+4930123", "trunk");
    REQUIRE(r.target);
    CHECK(r.target->request_uri == "sip:+4930123@provider.example");
    CHECK(r.target->from_uri == "sip:gw@provider.example");
    CHECK(r.target->from_name == "Jitsi");
    CHECK(r.target->route.empty());  // registrar = the domain: no pre-loaded route
    CHECK(r.target->auth_user == "gw");
    CHECK(r.target->password == "pw");
    CHECK_FALSE(r.target->srtp);
    CHECK(r.target->description == "account trunk");
}

TEST_CASE_METHOD(fixture, "an account with its own registrar routes calls through it, on its transport", "[dial]") {
    auto r = resolve("200", "pbx");
    REQUIRE(r.target);
    CHECK(r.target->request_uri == "sip:200@pbx.example;transport=tcp");
    CHECK(r.target->route == "sip:10.0.0.5:5070;transport=tcp;lr");
    CHECK(r.target->auth_user == "auth100");
    CHECK(r.target->contact_user == "100");
    CHECK(r.target->srtp);

    cfg.accounts[1].outbound_proxy = "sbc.example:5080";  // the outbound proxy wins over the registrar
    r = resolve("sip:conf@elsewhere.example", "pbx");
    REQUIRE(r.target);
    CHECK(r.target->request_uri == "sip:conf@elsewhere.example");
    CHECK(r.target->route == "sip:sbc.example:5080;transport=tcp;lr");
}

TEST_CASE_METHOD(fixture, "a registered user is called at the newest binding, through the flow it registered from", "[dial]") {
    bind_alice("sip:alice@10.1.1.1:5062", "udp:198.51.100.7:40001");  // behind NAT
    auto r = resolve("alice", "registrar");
    REQUIRE(r.target);
    CHECK(r.target->request_uri == "sip:alice@10.1.1.1:5062");
    CHECK(r.target->route == "sip:198.51.100.7:40001;lr");
    CHECK(r.target->from_uri == "sip:jigasi-ng@192.0.2.10");
    CHECK(r.target->auth_user.empty());

    bind_alice("sip:alice@127.0.0.1:5062", "udp:127.0.0.1:5062");  // reachable as registered
    r = resolve("sip:alice@anything", "registrar");
    REQUIRE(r.target);
    CHECK(r.target->request_uri == "sip:alice@127.0.0.1:5062");
    CHECK(r.target->route.empty());
}

TEST_CASE_METHOD(fixture, "a TCP binding keeps its transport in the route", "[dial]") {
    bind_alice("sip:alice@10.1.1.1:5062;transport=tcp", "tcp:198.51.100.7:40001");
    auto r = resolve("alice", "registrar");
    REQUIRE(r.target);
    CHECK(r.target->route == "sip:198.51.100.7:40001;transport=tcp;lr");
}

TEST_CASE_METHOD(fixture, "a direct call needs a URI", "[dial]") {
    auto r = resolve("sip:echo@203.0.113.9:5080", "");
    REQUIRE(r.target);
    CHECK(r.target->request_uri == "sip:echo@203.0.113.9:5080");
    CHECK(r.target->description == "direct");

    r = resolve("12345", "");
    CHECK_FALSE(r.target);
    CHECK(r.failure == dial_failure::bad_request);
    CHECK(r.error.find("sip: URI") != std::string::npos);
}

TEST_CASE_METHOD(fixture, "what cannot be routed is refused with the reason", "[dial]") {
    struct refusal { std::string to, via; dial_failure failure; std::string error; };
    for (const auto& c : std::vector<refusal>{
             {"", "", dial_failure::bad_request, "no destination (to)"},
             {"bob", "registrar", dial_failure::not_found, "bob is not registered"},
             {"alice", "registrar", dial_failure::not_found, "alice is not registered"},
             {"123", "nope", dial_failure::not_found, "no account nope in sip.accounts"},
             {"123", "off", dial_failure::not_found, "account off is disabled"},
             {"12 3", "trunk", dial_failure::bad_request, "not a number or user: 12 3"},
             {"a@b", "trunk", dial_failure::bad_request, "not a number or user: a@b"},
             {"sip:a@b\r\nX-Evil: 1", "", dial_failure::bad_request, "not a usable SIP URI: sip:a@b\r\nX-Evil: 1"},
             {"sip:<a@b>", "trunk", dial_failure::bad_request, "not a usable SIP URI: sip:<a@b>"},
             {"al;ice", "registrar", dial_failure::bad_request, "not a registrar user: al;ice"},
         }) {
        CAPTURE(c.to, c.via);
        auto r = resolve(c.to, c.via);
        CHECK_FALSE(r.target);
        CHECK(r.failure == c.failure);
        CHECK(r.error == c.error);
    }
    cfg.registrar.enabled = false;
    auto r = resolve("alice", "registrar");
    CHECK(r.failure == dial_failure::not_found);
    CHECK(r.error == "the registrar is off (sip.registrar.enabled)");
}
