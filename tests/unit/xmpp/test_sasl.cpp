// SASL client: the RFC 5802 §5 and RFC 7677 §3 SCRAM exchanges byte for byte, a server that cannot
// prove itself, hostile server-first messages, PLAIN/ANONYMOUS, mechanism choice, the RFC 6120 §6.5
// failure conditions, base64 (RFC 4648 §10) and the XEP-0114 §3 handshake.

#include "core/base64.hpp"
#include "xmpp/component_auth.hpp"
#include "xmpp/sasl.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace jigasi::xmpp;
using jigasi::core::base64_decode;
using jigasi::core::base64_encode;
using namespace std::string_literals;

namespace {

// RFC 5802 §5 (SCRAM-SHA-1, user "user", password "pencil").
constexpr auto sha1_client_nonce = "fyko+d2lbbFgONRv9qkxdawL";
constexpr auto sha1_client_first = "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL";
constexpr auto sha1_server_first =
    "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";
constexpr auto sha1_client_final =
    "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";
constexpr auto sha1_server_final = "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=";

// RFC 7677 §3 (SCRAM-SHA-256, same credentials).
constexpr auto sha256_client_nonce = "rOprNGfwEbeRWgbNEkqO";
constexpr auto sha256_client_first = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr auto sha256_server_first =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr auto sha256_client_final =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr auto sha256_server_final = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

sasl_config creds(std::string nonce = sha1_client_nonce) {
    sasl_config c;
    c.username = "user";
    c.password = "pencil";
    c.client_nonce = [nonce] { return nonce; };
    return c;
}

std::string b64(std::string_view s) { return base64_encode(s); }

std::string unb64(const std::string& s) {
    auto d = base64_decode(s);
    REQUIRE(d);
    return *d;
}

/// A SCRAM-SHA-1 client that has sent the RFC 5802 client-first and now gets `server_first`.
sasl_result<std::string> sha1_after(std::string_view server_first, sasl_client& c) {
    REQUIRE(c.initial_response());
    return c.on_challenge(b64(server_first));
}

sasl_client sha1_client(sasl_config cfg = creds()) {
    return sasl_client(sasl_mechanism::scram_sha_1, std::move(cfg));
}

}  // namespace

TEST_CASE("RFC 5802 §5 SCRAM-SHA-1 exchange", "[sasl]") {
    auto c = sha1_client();
    CHECK(c.name() == "SCRAM-SHA-1");
    auto first = c.initial_response();
    REQUIRE(first);
    CHECK(unb64(*first) == sha1_client_first);
    auto final_msg = c.on_challenge(b64(sha1_server_first));
    REQUIRE(final_msg);
    CHECK(unb64(*final_msg) == sha1_client_final);
    CHECK_FALSE(c.authenticated());
    CHECK(c.on_success(b64(sha1_server_final)) == std::error_code{});
    CHECK(c.authenticated());
}

TEST_CASE("RFC 7677 §3 SCRAM-SHA-256 exchange", "[sasl]") {
    sasl_client c(sasl_mechanism::scram_sha_256, creds(sha256_client_nonce));
    auto first = c.initial_response();
    REQUIRE(first);
    CHECK(unb64(*first) == sha256_client_first);
    auto final_msg = c.on_challenge(b64(sha256_server_first));
    REQUIRE(final_msg);
    CHECK(unb64(*final_msg) == sha256_client_final);

    SECTION("v= as additional data with success (RFC 6120 §6.3.10)") {
        CHECK(c.on_success(b64(sha256_server_final)) == std::error_code{});
        CHECK(c.authenticated());
    }
    SECTION("v= in a challenge, then an empty success") {
        auto empty = c.on_challenge(b64(sha256_server_final));
        REQUIRE(empty);
        CHECK(*empty == "");
        CHECK_FALSE(c.authenticated());
        CHECK(c.on_success("") == std::error_code{});
        CHECK(c.authenticated());
    }
}

TEST_CASE("SCRAM refuses a server that cannot prove itself", "[sasl]") {
    auto c = sha1_client();
    REQUIRE(sha1_after(sha1_server_first, c));

    SECTION("wrong v= (last signature character changed)") {
        CHECK(c.on_success(b64("v=rmF9pqV8S7suAoZWja4dJRkFsKA=")) ==
              sasl_errc::server_signature_mismatch);
    }
    SECTION("the SHA-256 signature of the other vector") {
        CHECK(c.on_success(b64(sha256_server_final)) == sasl_errc::server_signature_mismatch);
    }
    SECTION("v= in a challenge is checked too") {
        auto r = c.on_challenge(b64("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA="));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == sasl_errc::server_signature_mismatch);
    }
    SECTION("success without additional data") {
        CHECK(c.on_success("") == sasl_errc::missing_server_signature);
        CHECK(c.on_success("=") == sasl_errc::unexpected_message);  // failed for good
    }
    SECTION("e= server error") {
        CHECK(c.on_success(b64("e=invalid-proof")) == sasl_errc::server_error);
        CHECK(c.diagnostic() == "e=invalid-proof");
    }
    SECTION("v= that is not base64") {
        CHECK(c.on_success(b64("v=!!!!")) == sasl_errc::bad_base64);
    }
    SECTION("neither v= nor e=") {
        CHECK(c.on_success(b64("x=1")) == sasl_errc::malformed_message);
    }
    CHECK_FALSE(c.authenticated());
}

TEST_CASE("SCRAM success before client-final is refused", "[sasl]") {
    auto c = sha1_client();
    REQUIRE(c.initial_response());
    CHECK(c.on_success("") == sasl_errc::missing_server_signature);
    CHECK_FALSE(c.authenticated());
}

TEST_CASE("SCRAM rejects hostile server-first messages", "[sasl]") {
    auto c = sha1_client();
    const auto expect = [&](std::string_view server_first, sasl_errc e) {
        auto r = sha1_after(server_first, c);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == e);
        CHECK(c.diagnostic() == r.error().diagnostic);
        CHECK_FALSE(c.on_challenge(b64(sha1_server_first)));  // no second chance
    };
    SECTION("nonce with another prefix") {
        expect("r=fyko+d2lbbFgONRv9qkxdawX3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
               sasl_errc::nonce_mismatch);
    }
    SECTION("nonce without a server part") {
        expect("r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096", sasl_errc::nonce_mismatch);
    }
    SECTION("shorter nonce") {
        expect("r=fyko,s=QSXCR+Q6sek8bf92,i=4096", sasl_errc::nonce_mismatch);
    }
    SECTION("iteration count one below 4096") {
        expect("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4095",
               sasl_errc::iteration_count_too_low);
        CHECK(c.diagnostic() == "i=4095 below 4096");
    }
    SECTION("iteration count above the cap") {
        expect("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=1000001",
               sasl_errc::iteration_count_too_high);
    }
    SECTION("iteration count beyond 64 bits") {
        expect("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,"
               "i=999999999999999999999999",
               sasl_errc::iteration_count_too_high);
    }
    SECTION("i=0") {
        expect("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=0",
               sasl_errc::malformed_message);
    }
    SECTION("i=-1") {
        expect("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=-1",
               sasl_errc::malformed_message);
    }
    SECTION("attributes out of order") {
        expect("s=QSXCR+Q6sek8bf92,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,i=4096",
               sasl_errc::malformed_message);
    }
    SECTION("no iteration count") {
        expect("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92",
               sasl_errc::malformed_message);
    }
    SECTION("mandatory extension m=") {
        expect("m=x,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
               sasl_errc::malformed_message);
    }
    SECTION("salt that is not base64") {
        expect("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf9,i=4096",
               sasl_errc::bad_base64);
    }
    SECTION("empty salt") {
        expect("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=,i=4096",
               sasl_errc::malformed_message);
    }
    SECTION("not attributes") {
        expect("hello", sasl_errc::malformed_message);
    }
    SECTION("empty") { expect("", sasl_errc::malformed_message); }
    SECTION("e= instead of server-first") {
        expect("e=other-error", sasl_errc::malformed_message);
    }
    SECTION("challenge that is not base64") {
        REQUIRE(c.initial_response());
        auto r = c.on_challenge("cj1m$$$=");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == sasl_errc::bad_base64);
    }
    SECTION("oversized challenge") {
        REQUIRE(c.initial_response());
        auto r = c.on_challenge(std::string(16384, 'A'));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == sasl_errc::malformed_message);
    }
}

TEST_CASE("SCRAM extensions after i= are ignored", "[sasl]") {
    auto c = sha1_client();
    // Not the RFC server-first any more, so the proof differs; the exchange must still proceed.
    auto r = sha1_after(std::string(sha1_server_first) + ",x=ext", c);
    REQUIRE(r);
    CHECK(unb64(*r).starts_with("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p="));
}

TEST_CASE("SCRAM iteration limits are configurable", "[sasl]") {
    auto cfg = creds();
    cfg.min_iterations = 8192;
    auto c = sha1_client(cfg);
    auto r = sha1_after(sha1_server_first, c);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == sasl_errc::iteration_count_too_low);

    cfg = creds();
    cfg.max_iterations = 4095;
    auto d = sha1_client(cfg);
    r = sha1_after(sha1_server_first, d);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == sasl_errc::iteration_count_too_high);
}

TEST_CASE("SCRAM escapes the username and carries the authzid in gs2", "[sasl]") {
    CHECK(scram_escape_name("a,b=c") == "a=2Cb=3Dc");
    CHECK(scram_escape_name("plain") == "plain");

    auto cfg = creds();
    cfg.username = "us,er=";
    cfg.authzid = "ad,min";
    auto c = sha1_client(cfg);
    auto first = c.initial_response();
    REQUIRE(first);
    CHECK(unb64(*first) == "n,a=ad=2Cmin,n=us=2Cer=3D,r=fyko+d2lbbFgONRv9qkxdawL");
    // c= is base64 of the gs2 header (`printf 'n,a=ad=2Cmin,' | base64`).
    auto final_msg = c.on_challenge(b64(sha1_server_first));
    REQUIRE(final_msg);
    CHECK(unb64(*final_msg).starts_with("c=bixhPWFkPTJDbWluLA==,r="));
}

TEST_CASE("SASLprep and credential checks", "[sasl]") {
    CHECK(*saslprep("pencil") == "pencil");
    CHECK(*saslprep("p a=s,s!~") == "p a=s,s!~");
    CHECK(saslprep("p\x01" "w").error().code == sasl_errc::invalid_credentials);
    CHECK(saslprep("p\x7f").error().code == sasl_errc::invalid_credentials);
    CHECK(saslprep("p\xc3\xa4ss").error().code == sasl_errc::saslprep_unsupported);  // "päss"

    auto cfg = creds();
    cfg.password = "";
    auto c = sha1_client(cfg);
    CHECK(c.initial_response().error().code == sasl_errc::invalid_credentials);

    cfg = creds();
    cfg.username = "\xe2\x85\xa8";  // U+2168 ROMAN NUMERAL NINE: NFKC would make it "IX"
    auto d = sha1_client(cfg);
    CHECK(d.initial_response().error().code == sasl_errc::saslprep_unsupported);

    cfg = creds();
    cfg.client_nonce = [] { return "a,b"s; };  // ',' cannot be in a nonce (RFC 5802 §7)
    auto e = sha1_client(cfg);
    CHECK(e.initial_response().error().code == sasl_errc::crypto_failure);
}

TEST_CASE("SCRAM default nonces are random", "[sasl]") {
    sasl_config cfg;
    cfg.username = "user";
    cfg.password = "pencil";
    auto a = sasl_client(sasl_mechanism::scram_sha_256, cfg).initial_response();
    auto b = sasl_client(sasl_mechanism::scram_sha_256, cfg).initial_response();
    REQUIRE(a);
    REQUIRE(b);
    const auto fa = unb64(*a), fb = unb64(*b);
    CHECK(fa.starts_with("n,,n=user,r="));
    CHECK(fa.size() == std::string_view("n,,n=user,r=").size() + 32);
    CHECK(fa != fb);
    CHECK(random_nonce().size() == 32);
}

TEST_CASE("PLAIN", "[sasl]") {
    auto cfg = creds();
    cfg.password = "pass";
    sasl_client c(sasl_mechanism::plain, cfg);
    // `printf '\0user\0pass' | base64`
    CHECK(*c.initial_response() == "AHVzZXIAcGFzcw==");
    CHECK(unb64("AHVzZXIAcGFzcw==") == "\0user\0pass"s);
    CHECK_FALSE(c.on_challenge(b64("x")));  // PLAIN has no challenges
    CHECK_FALSE(c.authenticated());

    sasl_client d(sasl_mechanism::plain, cfg);
    REQUIRE(d.initial_response());
    CHECK(d.on_success("") == std::error_code{});
    CHECK(d.authenticated());
    CHECK(d.on_success("") == sasl_errc::unexpected_message);

    cfg.authzid = "admin";
    sasl_client e(sasl_mechanism::plain, cfg);
    CHECK(*e.initial_response() == "YWRtaW4AdXNlcgBwYXNz");  // printf 'admin\0user\0pass' | base64
    CHECK(e.initial_response().error().code == sasl_errc::unexpected_message);
}

TEST_CASE("ANONYMOUS", "[sasl]") {
    sasl_client c(sasl_mechanism::anonymous, sasl_config{});
    CHECK(c.name() == "ANONYMOUS");
    CHECK(*c.initial_response() == "=");  // RFC 6120 §6.4.2: empty initial response
    CHECK(c.on_success("=") == std::error_code{});
    CHECK(c.authenticated());
}

TEST_CASE("mechanism choice", "[sasl]") {
    const auto pick = [](std::vector<std::string> offered, const sasl_config& cfg, bool tls) {
        return choose_mechanism(offered, cfg, tls);
    };
    const auto cfg = creds();
    const std::vector<std::string> all{"PLAIN", "ANONYMOUS", "SCRAM-SHA-1", "SCRAM-SHA-256-PLUS",
                                       "SCRAM-SHA-256"};
    CHECK(*pick(all, cfg, false) == sasl_mechanism::scram_sha_256);
    CHECK(*pick({"PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS"}, cfg, false) ==
          sasl_mechanism::scram_sha_1);
    CHECK(*pick({"PLAIN", "ANONYMOUS"}, cfg, true) == sasl_mechanism::plain);
    CHECK(pick({"PLAIN", "ANONYMOUS"}, cfg, false).error().code == sasl_errc::plain_needs_tls);
    CHECK(pick({"scram-sha-1"}, cfg, true).error().code == sasl_errc::no_acceptable_mechanism);

    auto lax = creds();
    lax.allow_plain_without_tls = true;
    CHECK(*pick({"PLAIN"}, lax, false) == sasl_mechanism::plain);

    // Credentials never fall back to ANONYMOUS; only channel binding is not enough.
    CHECK(pick({"ANONYMOUS"}, cfg, true).error().code == sasl_errc::no_acceptable_mechanism);
    CHECK(pick({"SCRAM-SHA-256-PLUS"}, cfg, true).error().code ==
          sasl_errc::no_acceptable_mechanism);
    CHECK(pick({}, cfg, true).error().code == sasl_errc::no_acceptable_mechanism);

    CHECK(*pick(all, sasl_config{}, false) == sasl_mechanism::anonymous);
    auto anon = creds();
    anon.anonymous = true;
    CHECK(*pick(all, anon, true) == sasl_mechanism::anonymous);
    CHECK(pick({"SCRAM-SHA-256", "PLAIN"}, anon, true).error().code ==
          sasl_errc::no_acceptable_mechanism);
}

TEST_CASE("SASL failure conditions (RFC 6120 §6.5)", "[sasl]") {
    CHECK(parse_sasl_failure("not-authorized") == sasl_failure::not_authorized);
    CHECK(describe(sasl_failure::not_authorized) == "wrong username or password (not-authorized)");
    CHECK(parse_sasl_failure("aborted") == sasl_failure::aborted);
    CHECK(parse_sasl_failure("temporary-auth-failure") == sasl_failure::temporary_auth_failure);
    CHECK(parse_sasl_failure("mechanism-too-weak") == sasl_failure::mechanism_too_weak);
    CHECK(parse_sasl_failure("account-disabled") == sasl_failure::account_disabled);
    CHECK(parse_sasl_failure("bogus") == sasl_failure::unknown);
    CHECK(parse_sasl_failure("") == sasl_failure::unknown);
    CHECK(describe(sasl_failure::unknown) == "unknown SASL failure condition");
    CHECK(is_transient(sasl_failure::temporary_auth_failure));
    CHECK_FALSE(is_transient(sasl_failure::not_authorized));
    CHECK(make_error_code(sasl_errc::nonce_mismatch).message() ==
          "server nonce does not extend the client nonce");
}

TEST_CASE("base64 (RFC 4648 §10)", "[sasl]") {
    const std::vector<std::pair<std::string, std::string>> v{
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, enc] : v) {
        CHECK(base64_encode(plain) == enc);
        CHECK(base64_decode(enc) == plain);
    }
    for (const char* bad : {"Zg=", "Zg=a", "Z===", "====", "Zm9v\n", "Zm 9", "Zm9vY=Fy", "Zm9-"})
        CHECK_FALSE(base64_decode(bad));
}

TEST_CASE("XEP-0114 §3 handshake", "[sasl]") {
    // printf '%s' '3BF96D32sesame' | sha1sum  (the XEP's example id and secret)
    CHECK(component_handshake("3BF96D32", "sesame") == "7a98dc4c9e92493d7fd66a25364c862637789c45");
    // printf '%s' 'idsecret' | sha1sum
    CHECK(component_handshake("id", "secret") == "2555325ab8349486fb4f5bb190bf753b87a5bbc8");
    CHECK(verify_component_handshake("id", "secret", "2555325ab8349486fb4f5bb190bf753b87a5bbc8"));
    CHECK(verify_component_handshake("id", "secret", "2555325AB8349486FB4F5BB190BF753B87A5BBC8"));
    CHECK_FALSE(verify_component_handshake("id", "secret", "2555325ab8349486fb4f5bb190bf753b87a5bbc9"));
    CHECK_FALSE(verify_component_handshake("id2", "secret", "2555325ab8349486fb4f5bb190bf753b87a5bbc8"));
    CHECK_FALSE(verify_component_handshake("id", "secret", ""));
}
