// The registrar's REGISTER processing (RFC 3261 10.3) with digest auth, without sockets.

#include "sip/registrar.hpp"

#include <catch2/catch.hpp>

using namespace jigasi;
using namespace jigasi::sip;
using namespace std::chrono_literals;

namespace {

struct fixture {
    registrar reg{make_config(), config::sip_unknown_policy::challenge};
    registrar::clock::time_point now{1000s};
    digest::nonce_issuer::clock::time_point wall{1'800'000'000s};

    static config::sip_registrar_config make_config() {
        config::sip_registrar_config c;
        c.realm = "test.realm";
        c.sha256 = true;
        auto& alice = c.users.emplace_back();
        alice.user = "alice";
        alice.password = "alicepw";
        auto& bob = c.users.emplace_back();
        bob.user = "bob";
        bob.ha1_md5 = digest::ha1(digest::algorithm::md5, "bob", "test.realm", "bobpw");
        auto& carol = c.users.emplace_back();
        carol.user = "carol";
        carol.password = "carolpw";
        carol.max_bindings = 2;
        return c;
    }

    /// Sends `req` without credentials, answers the first challenge of algorithm `a` like a phone.
    register_outcome register_as(register_request req, const std::string& user, const std::string& password,
                                 digest::algorithm a = digest::algorithm::sha256) {
        auto first = reg.handle(req, now, wall);
        REQUIRE(first.status == 401);
        std::optional<digest::challenge> ch;
        for (const auto& h : first.headers)
            if (auto c = digest::parse_challenge(h.substr(h.find(':') + 2)); c && c->algo == a) ch = c;
        REQUIRE(ch);
        req.authorization = {digest::authorization(*ch, user, digest::ha1(a, user, ch->realm, password),
                                                   "REGISTER", "sip:test.realm", 1, "cn")};
        req.cseq += 1;
        return reg.handle(req, now, wall);
    }
};

register_request request(std::string user, std::string contact, std::optional<unsigned> expires = std::nullopt) {
    register_request r;
    r.aor_user = std::move(user);
    r.contacts.push_back({contact, "<" + contact + ">", std::nullopt});
    r.expires = expires;
    r.call_id = "cid-" + contact;
    r.cseq = 1;
    r.source = "udp:127.0.0.1:5062";
    return r;
}

}  // namespace

TEST_CASE_METHOD(fixture, "a REGISTER without credentials is challenged with SHA-256 then MD5", "[registrar]") {
    auto out = reg.handle(request("alice", "sip:alice@127.0.0.1:5062"), now, wall);
    CHECK(out.status == 401);
    REQUIRE(out.headers.size() == 2);
    CHECK(out.headers[0].starts_with("WWW-Authenticate: Digest realm=\"test.realm\""));
    CHECK(out.headers[0].find("algorithm=SHA-256") != std::string::npos);
    CHECK(out.headers[1].find("algorithm=MD5") != std::string::npos);
    // Unknown users get exactly the same kind of answer (no enumeration).
    CHECK(reg.handle(request("mallory", "sip:m@192.0.2.9"), now, wall).status == 401);
}

TEST_CASE_METHOD(fixture, "digest registration with a password, an MD5 HA1 and both algorithms", "[registrar]") {
    auto ok = register_as(request("alice", "sip:alice@127.0.0.1:5062", 300), "alice", "alicepw");
    CHECK(ok.status == 200);
    CHECK(ok.headers == std::vector<std::string>{"Contact: <sip:alice@127.0.0.1:5062>;expires=300"});
    CHECK(register_as(request("alice", "sip:alice@10.0.0.2"), "alice", "alicepw", digest::algorithm::md5).status == 200);
    CHECK(reg.lookup("alice", now).size() == 2);
    CHECK(register_as(request("bob", "sip:bob@127.0.0.1:5064"), "bob", "bobpw", digest::algorithm::md5).status == 200);
    // bob's file entry holds only an MD5 HA1: a SHA-256 answer cannot be checked and is refused.
    CHECK(register_as(request("bob", "sip:bob@127.0.0.1:5065"), "bob", "bobpw").status == 403);
    CHECK(reg.binding_count() == 3);
    CHECK(reg.user_count() == 2);
}

TEST_CASE_METHOD(fixture, "wrong password, unknown user, someone else's AOR: 403 or silence", "[registrar]") {
    CHECK(register_as(request("alice", "sip:a@1.2.3.4"), "alice", "wrong").status == 403);
    CHECK(register_as(request("mallory", "sip:m@1.2.3.4"), "mallory", "x").status == 403);
    CHECK(register_as(request("bob", "sip:a@1.2.3.4"), "alice", "alicepw").status == 403);
    CHECK(reg.binding_count() == 0);
    reg.reconfigure(make_config(), config::sip_unknown_policy::silent);
    CHECK(register_as(request("alice", "sip:a@1.2.3.4"), "alice", "wrong").silent);
}

TEST_CASE_METHOD(fixture, "a nonce from before a restart or too old is stale, not wrong", "[registrar]") {
    auto req = request("alice", "sip:alice@127.0.0.1:5062");
    auto first = reg.handle(req, now, wall);
    auto ch = digest::parse_challenge(first.headers[0].substr(first.headers[0].find(':') + 2));
    REQUIRE(ch);
    req.authorization = {digest::authorization(*ch, "alice", digest::ha1(ch->algo, "alice", "test.realm", "alicepw"),
                                               "REGISTER", "sip:test.realm", 1, "cn")};
    auto later = reg.handle(req, now, wall + 10min);
    CHECK(later.status == 401);
    CHECK(later.headers[0].find("stale=true") != std::string::npos);
    registrar restarted(make_config(), config::sip_unknown_policy::challenge);
    CHECK(restarted.handle(req, now, wall).status == 401);  // forged to it: challenged, not refused
}

TEST_CASE_METHOD(fixture, "expiry: bounds, 423, un-REGISTER, Contact * and expiring bindings", "[registrar]") {
    CHECK(register_as(request("alice", "sip:a@1", 30), "alice", "alicepw").status == 423);
    auto clamped = register_as(request("alice", "sip:a@1", 999999), "alice", "alicepw");
    CHECK(clamped.headers == std::vector<std::string>{"Contact: <sip:a@1>;expires=3600"});
    auto dflt = register_as(request("alice", "sip:a@2"), "alice", "alicepw");
    CHECK(dflt.headers.back() == "Contact: <sip:a@1>;expires=3600");
    CHECK(dflt.headers.front() == "Contact: <sip:a@2>;expires=600");
    auto gone = register_as(request("alice", "sip:a@2", 0), "alice", "alicepw");
    CHECK(gone.headers == std::vector<std::string>{"Contact: <sip:a@1>;expires=3600"});
    CHECK(reg.expire(now + 3599s) == 0);
    CHECK(reg.lookup("alice", now + 3601s).empty());
    CHECK(reg.expire(now + 3601s) == 1);
    CHECK(reg.binding_count() == 0);

    register_as(request("alice", "sip:a@3"), "alice", "alicepw");
    register_request star = request("alice", "x", 0);
    star.contacts.clear();
    star.wildcard = true;
    CHECK(register_as(star, "alice", "alicepw").status == 200);
    CHECK(reg.binding_count() == 0);
    star.expires = 60;
    CHECK(register_as(star, "alice", "alicepw").status == 400);
}

TEST_CASE_METHOD(fixture, "binding limit drops the oldest; replayed CSeq is refused", "[registrar]") {
    register_as(request("carol", "sip:c@1"), "carol", "carolpw");
    now += 1s;
    register_as(request("carol", "sip:c@2"), "carol", "carolpw");
    now += 1s;
    register_as(request("carol", "sip:c@3"), "carol", "carolpw");
    auto list = reg.lookup("carol", now);
    REQUIRE(list.size() == 2);
    CHECK(list[0].contact_uri == "sip:c@3");
    CHECK(list[1].contact_uri == "sip:c@2");
    // Same Call-ID, CSeq not higher than the binding's: an old retransmission.
    auto again = request("carol", "sip:c@3");
    again.call_id = list[0].call_id;
    again.cseq = list[0].cseq - 1;
    CHECK(register_as(again, "carol", "carolpw").status == 500);
}

TEST_CASE_METHOD(fixture, "INVITE credentials of registrar users", "[registrar]") {
    std::string user;
    CHECK(reg.authenticate({}, "INVITE", wall, user) == auth_result::challenge);
    auto hdr = reg.challenge_headers("Proxy-Authenticate", wall, false);
    auto ch = digest::parse_challenge(hdr[1].substr(hdr[1].find(':') + 2));
    REQUIRE(ch);
    auto answer = digest::authorization(*ch, "alice", digest::ha1(ch->algo, "alice", "test.realm", "alicepw"),
                                        "INVITE", "sip:echo@test", 1, "x");
    CHECK(reg.authenticate({answer}, "INVITE", wall, user) == auth_result::ok);
    CHECK(user == "alice");
    CHECK(reg.authenticate({answer}, "BYE", wall, user) == auth_result::refused);
    CHECK(reg.authenticate({"Digest garbage"}, "INVITE", wall, user) == auth_result::challenge);
}

TEST_CASE_METHOD(fixture, "without sha256 only an MD5 challenge goes out (old libre phones)", "[registrar]") {
    auto cfg = make_config();
    cfg.sha256 = false;
    reg.reconfigure(cfg, config::sip_unknown_policy::challenge);
    auto out = reg.handle(request("alice", "sip:a@1"), now, wall);
    REQUIRE(out.headers.size() == 1);
    CHECK(out.headers[0].find("algorithm=MD5") != std::string::npos);
    CHECK(register_as(request("alice", "sip:a@1"), "alice", "alicepw", digest::algorithm::md5).status == 200);
}

TEST_CASE_METHOD(fixture, "a user removed from the config loses its bindings", "[registrar]") {
    register_as(request("alice", "sip:a@1"), "alice", "alicepw");
    register_as(request("carol", "sip:c@1"), "carol", "carolpw");
    auto cfg = make_config();
    cfg.users.erase(cfg.users.begin());
    reg.reconfigure(cfg, config::sip_unknown_policy::challenge);
    CHECK(reg.lookup("alice", now).empty());
    CHECK(reg.lookup("carol", now).size() == 1);
}
