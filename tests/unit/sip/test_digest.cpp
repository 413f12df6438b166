// Digest authentication: RFC 2617 and RFC 7616 test vectors, header parsing (also hostile input),
// and the registrar's stateless nonces.

#include "sip/digest.hpp"

#include <catch2/catch.hpp>

#include <array>

using namespace jigasi::sip::digest;
using namespace std::chrono_literals;

TEST_CASE("RFC 2617 3.5 example (MD5, qop=auth)", "[digest]") {
    const auto h1 = ha1(algorithm::md5, "Mufasa", "testrealm@host.com", "Circle Of Life");
    CHECK(h1 == "939e7578ed9e3c518a452acee763bce9");
    CHECK(response(algorithm::md5, h1, "dcd98b7102dd2f0e8b11d0f600bfb0c093", "GET", "/dir/index.html", true,
                   "00000001", "0a4f113b") == "6629fae49393a05397450978507c4ef1");
}

TEST_CASE("RFC 7616 3.9.1 example, MD5 and SHA-256", "[digest]") {
    const char* nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    const char* cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    const auto md5 = ha1(algorithm::md5, "Mufasa", "http-auth@example.org", "Circle of Life");
    CHECK(response(algorithm::md5, md5, nonce, "GET", "/dir/index.html", true, "00000001", cnonce) ==
          "8ca523f5e9506fed4657c9700eebdbec");
    const auto sha = ha1(algorithm::sha256, "Mufasa", "http-auth@example.org", "Circle of Life");
    CHECK(response(algorithm::sha256, sha, nonce, "GET", "/dir/index.html", true, "00000001", cnonce) ==
          "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

TEST_CASE("challenges: what we can answer and what we cannot", "[digest]") {
    auto c = parse_challenge(R"(Digest realm="sip.test", nonce="abc", qop="auth,auth-int", algorithm=SHA-256, opaque="o\"1", stale=TRUE)");
    REQUIRE(c);
    CHECK(c->realm == "sip.test");
    CHECK(c->nonce == "abc");
    CHECK(c->opaque == "o\"1");
    CHECK(c->algo == algorithm::sha256);
    CHECK(c->qop_auth);
    CHECK(c->stale);
    auto plain = parse_challenge("digest realm=\"x\",nonce=\"n\"");  // Kamailio/Asterisk style, RFC 2069
    REQUIRE(plain);
    CHECK(plain->algo == algorithm::md5);
    CHECK_FALSE(plain->qop_auth);
    CHECK_FALSE(parse_challenge("Basic realm=\"x\""));
    CHECK_FALSE(parse_challenge("Digest realm=\"x\""));                                 // no nonce
    CHECK_FALSE(parse_challenge("Digest realm=\"x\", nonce=\"n\", algorithm=SHA-512-256"));
    CHECK_FALSE(parse_challenge("Digest realm=\"x\", nonce=\"n\", qop=\"auth-int\""));
    CHECK_FALSE(parse_challenge("Digest realm=\"x, nonce=\"n\""));                      // unterminated
    CHECK_FALSE(parse_challenge("Digest =x"));
    CHECK_FALSE(parse_challenge(""));
    std::string many = "Digest nonce=\"n\"";
    for (int i = 0; i < 40; ++i) many += ", p" + std::to_string(i) + "=1";
    CHECK_FALSE(parse_challenge(many));  // bounded work on hostile input
}

TEST_CASE("client answer verifies on the server side, for both algorithms", "[digest]") {
    for (auto algo : {algorithm::md5, algorithm::sha256}) {
        for (bool qop : {false, true}) {
            challenge c{"sip.test", "n0nce", "op", algo, qop, false};
            const auto h1 = ha1(algo, "alice", "sip.test", "s3cret");
            const auto header = authorization(c, "alice", h1, "REGISTER", "sip:sip.test", 1, "c1");
            auto cr = parse_credentials(header);
            REQUIRE(cr);
            CHECK(cr->username == "alice");
            CHECK(cr->uri == "sip:sip.test");
            CHECK(cr->opaque == "op");
            CHECK(cr->qop_auth == qop);
            CHECK(verify(*cr, h1, "REGISTER"));
            CHECK_FALSE(verify(*cr, h1, "INVITE"));  // the method is part of the hash
            CHECK_FALSE(verify(*cr, ha1(algo, "alice", "sip.test", "wrong"), "REGISTER"));
        }
    }
}

TEST_CASE("malformed credentials are refused, not trusted", "[digest]") {
    CHECK_FALSE(parse_credentials("Digest username=\"a\", nonce=\"n\", uri=\"u\""));  // no response
    CHECK_FALSE(parse_credentials("Digest username=\"a\", nonce=\"n\", uri=\"u\", response=\"r\", qop=auth"));
    CHECK_FALSE(parse_credentials(
        "Digest username=\"a\", nonce=\"n\", uri=\"u\", response=\"r\", qop=auth, cnonce=\"c\", nc=1"));
    CHECK_FALSE(parse_credentials("Digest username=\"a\", nonce=\"n\", uri=\"u\", response=\"r\", algorithm=MD5-sess"));
    CHECK(parse_credentials("Digest username=\"a\", nonce=\"n\", uri=\"u\", response=\"r\""));
}

TEST_CASE("nonces: fresh, stale after their lifetime or a restart, forged", "[digest]") {
    const std::array<std::uint8_t, 4> key{1, 2, 3, 4}, other{4, 3, 2, 1};
    nonce_issuer issuer(key, 300s), restarted(other, 300s);
    const auto t0 = nonce_issuer::clock::time_point(1'700'000'000s);
    const auto n = issuer.issue(t0);
    CHECK(n.size() == 48);
    CHECK(issuer.check(n, t0 + 299s) == nonce_issuer::verdict::fresh);
    CHECK(issuer.check(n, t0 + 301s) == nonce_issuer::verdict::stale);
    CHECK(issuer.check(n, t0 - 60s) == nonce_issuer::verdict::stale);  // from the future
    CHECK(restarted.check(n, t0) == nonce_issuer::verdict::forged);
    std::string tampered = n;
    tampered[15] = tampered[15] == '0' ? '1' : '0';  // move the time, keep the MAC
    CHECK(issuer.check(tampered, t0) == nonce_issuer::verdict::forged);
    CHECK(issuer.check("short", t0) == nonce_issuer::verdict::forged);
    CHECK(issuer.check(std::string(48, 'z'), t0) == nonce_issuer::verdict::forged);
    CHECK(random_hex(8).size() == 16);
    CHECK(random_hex(8) != random_hex(8));
}
