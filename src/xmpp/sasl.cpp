// SASL client (sasl.hpp). SCRAM follows RFC 5802 §3 (algorithm), §5 (exchange), §7 (syntax) with
// the RFC 7677 SHA-256 variant; PLAIN is RFC 4616 §2, ANONYMOUS RFC 4505 §2.

#include "xmpp/sasl.hpp"

#include "core/base64.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <climits>

namespace jigasi::xmpp {

using core::base64_decode;
using core::base64_encode;
namespace {

class category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "xmpp.sasl"; }
    std::string message(int ev) const override {
        switch (static_cast<sasl_errc>(ev)) {
        case sasl_errc::no_acceptable_mechanism: return "no acceptable SASL mechanism";
        case sasl_errc::plain_needs_tls: return "PLAIN refused without TLS";
        case sasl_errc::invalid_credentials: return "invalid credentials in the configuration";
        case sasl_errc::saslprep_unsupported: return "credentials need SASLprep beyond ASCII";
        case sasl_errc::bad_base64: return "bad base64 from the server";
        case sasl_errc::malformed_message: return "malformed SCRAM message";
        case sasl_errc::nonce_mismatch: return "server nonce does not extend the client nonce";
        case sasl_errc::iteration_count_too_low: return "SCRAM iteration count too low";
        case sasl_errc::iteration_count_too_high: return "SCRAM iteration count too high";
        case sasl_errc::server_error: return "SCRAM server error";
        case sasl_errc::server_signature_mismatch: return "wrong SCRAM server signature";
        case sasl_errc::missing_server_signature: return "success without SCRAM server signature";
        case sasl_errc::unexpected_message: return "unexpected SASL message";
        case sasl_errc::crypto_failure: return "crypto failure";
        }
        return "unknown SASL error " + std::to_string(ev);
    }
};

sasl_error make_error(sasl_errc e, std::string diagnostic) {
    return {make_error_code(e), std::move(diagnostic)};
}

// Real SCRAM messages are a few hundred bytes; refuse big ones before decoding or hashing them.
constexpr std::size_t max_payload = 8192;

/// Server text for logs: printable ASCII only, bounded.
std::string excerpt(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 64)) out += c >= 0x20 && c < 0x7f ? c : '?';
    if (s.size() > 64) out += "...";
    return out;
}

/// RFC 6120 §6.4.2 and §6.3.10: "=" is data that is present but empty.
sasl_result<std::string> decode_payload(std::string_view text) {
    if (text.size() > max_payload)
        return make_error(sasl_errc::malformed_message,
                          "payload of " + std::to_string(text.size()) + " bytes");
    if (text.empty() || text == "=") return std::string{};
    auto bytes = base64_decode(text);
    if (!bytes) return make_error(sasl_errc::bad_base64, "not base64: " + excerpt(text));
    return std::move(*bytes);
}

/// RFC 5802 §7 printable: %x21-2B / %x2D-7E (visible ASCII except ',').
bool printable(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(),
                                     [](char c) { return c > 0x20 && c < 0x7f && c != ','; });
}

/// One attr-val of a SCRAM message (RFC 5802 §7): a letter, '=', a value without ','.
struct attribute {
    char name;
    std::string_view value;
};

/// Splits "a=x,b=y" into attributes; false if any part is not ALPHA "=" value.
bool split_attributes(std::string_view msg, std::vector<attribute>& out) {
    for (std::size_t start = 0;;) {
        const auto end = msg.find(',', start);
        const auto part = msg.substr(start, end == std::string_view::npos ? end : end - start);
        const bool alpha = !part.empty() && ((part[0] >= 'a' && part[0] <= 'z') ||
                                             (part[0] >= 'A' && part[0] <= 'Z'));
        if (!alpha || part.size() < 2 || part[1] != '=' || out.size() == 16) return false;
        out.push_back({part[0], part.substr(2)});
        if (end == std::string_view::npos) return true;
        start = end + 1;
    }
}

struct scram_keys {
    std::vector<std::uint8_t> client_proof;
    std::vector<std::uint8_t> server_signature;
};

/// RFC 5802 §3: SaltedPassword := Hi(password, salt, i) (= PBKDF2), ClientKey := HMAC(SaltedPassword,
/// "Client Key"), StoredKey := H(ClientKey), ClientProof := ClientKey XOR HMAC(StoredKey,
/// AuthMessage), ServerSignature := HMAC(HMAC(SaltedPassword, "Server Key"), AuthMessage).
bool compute_keys(const EVP_MD* md, std::string_view password, std::string_view salt,
                  std::uint32_t iterations, std::string_view auth_message, scram_keys& out) {
    const int n = EVP_MD_get_size(md);
    const auto un = static_cast<std::size_t>(n);
    std::array<std::uint8_t, EVP_MAX_MD_SIZE> salted{}, client_key{}, stored_key{}, client_sig{},
        server_key{}, server_sig{};
    unsigned len = 0;
    const auto hmac = [&](const std::uint8_t* key, std::string_view data, std::uint8_t* mac) {
        return HMAC(md, key, n, reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                    mac, &len) != nullptr;
    };
    const bool ok =
        PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()),
                          static_cast<int>(salt.size()), static_cast<int>(iterations), md, n,
                          salted.data()) == 1 &&
        hmac(salted.data(), "Client Key", client_key.data()) &&
        EVP_Digest(client_key.data(), un, stored_key.data(), &len, md, nullptr) == 1 &&
        hmac(stored_key.data(), auth_message, client_sig.data()) &&
        hmac(salted.data(), "Server Key", server_key.data()) &&
        hmac(server_key.data(), auth_message, server_sig.data());
    if (ok) {
        out.client_proof.resize(un);
        for (std::size_t i = 0; i < un; ++i) out.client_proof[i] = client_key[i] ^ client_sig[i];
        out.server_signature.assign(server_sig.begin(), server_sig.begin() + n);
    }
    for (auto* a : {&salted, &client_key, &stored_key, &client_sig, &server_key})
        OPENSSL_cleanse(a->data(), a->size());
    return ok;
}

/// The SASLprep'd username and password (RFC 4013; RFC 5802 §5.1 and RFC 4616 §2 ask for it).
struct credentials {
    std::string user, password;
    credentials(std::string u, std::string p) : user(std::move(u)), password(std::move(p)) {}
    credentials(credentials&&) = default;
    ~credentials() { OPENSSL_cleanse(password.data(), password.size()); }
};

sasl_result<credentials> prepare_credentials(const sasl_config& cfg) {
    auto user = saslprep(cfg.username);
    if (!user) return sasl_error{user.error().code, "username: " + user.error().diagnostic};
    auto pass = saslprep(cfg.password);
    if (!pass) return sasl_error{pass.error().code, "password: " + pass.error().diagnostic};
    // RFC 5802 §5.1: abort on an empty prepared username; RFC 4616 §2: passwd = 1*SAFE.
    if (user->empty() || pass->empty())
        return make_error(sasl_errc::invalid_credentials, "empty username or password");
    if (cfg.authzid.find('\0') != std::string::npos)
        return make_error(sasl_errc::invalid_credentials, "NUL in authzid");
    return credentials(std::move(*user), std::move(*pass));
}

}  // namespace

const std::error_category& sasl_category() noexcept {
    static const category_impl instance;
    return instance;
}

std::string_view mechanism_name(sasl_mechanism m) {
    switch (m) {
    case sasl_mechanism::scram_sha_256: return "SCRAM-SHA-256";
    case sasl_mechanism::scram_sha_1: return "SCRAM-SHA-1";
    case sasl_mechanism::plain: return "PLAIN";
    case sasl_mechanism::anonymous: return "ANONYMOUS";
    }
    return "?";
}

std::string random_nonce() {
    std::array<std::uint8_t, 24> raw{};
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) return {};
    return base64_encode(raw);  // 24 bytes: no '=' padding; base64 never contains ','
}

sasl_result<sasl_mechanism> choose_mechanism(std::span<const std::string> offered,
                                             const sasl_config& cfg, bool tls_protected) {
    // RFC 4422 §3.1: mechanism names are upper case; compare exactly.
    const auto has = [&](std::string_view n) {
        return std::find(offered.begin(), offered.end(), n) != offered.end();
    };
    if (offered.empty())
        return make_error(sasl_errc::no_acceptable_mechanism, "the server offers no mechanism");
    if (cfg.anonymous || cfg.username.empty()) {
        if (has("ANONYMOUS")) return sasl_mechanism::anonymous;
        return make_error(sasl_errc::no_acceptable_mechanism,
                          "anonymous login, but the server does not offer ANONYMOUS");
    }
    // SCRAM never reveals the password, so it needs no TLS; -PLUS variants are skipped (see
    // scram_first() on channel binding).
    for (auto m : {sasl_mechanism::scram_sha_256, sasl_mechanism::scram_sha_1})
        if (has(mechanism_name(m))) return m;
    if (has("PLAIN")) {
        if (tls_protected || cfg.allow_plain_without_tls) return sasl_mechanism::plain;
        return make_error(sasl_errc::plain_needs_tls,
                          "only PLAIN is usable and the stream is not encrypted");
    }
    std::string list;
    for (const auto& o : offered) list += (list.empty() ? "" : " ") + excerpt(o);
    return make_error(sasl_errc::no_acceptable_mechanism, "offered: " + excerpt(list));
}

sasl_result<std::string> saslprep(std::string_view s) {
    for (unsigned char c : s) {
        // Non-ASCII would need the RFC 3454 tables and NFKC (RFC 4013 §2); sending it unprepared
        // could silently derive a different SCRAM key than the server's, so refuse clearly.
        if (c >= 0x80)
            return make_error(sasl_errc::saslprep_unsupported,
                              "non-ASCII credentials are not supported");
        // RFC 3454 C.2.1 (ASCII controls) is prohibited by RFC 4013 §2.3.
        if (c < 0x20 || c == 0x7f)
            return make_error(sasl_errc::invalid_credentials, "control character in credentials");
    }
    return std::string(s);  // B.1/C.1.2 mappings and NFKC leave ASCII unchanged
}

std::string scram_escape_name(std::string_view name) {
    std::string out;
    for (char c : name) {
        if (c == ',') out += "=2C";
        else if (c == '=') out += "=3D";
        else out += c;
    }
    return out;
}

sasl_client::sasl_client(sasl_mechanism m, sasl_config cfg) : mech_(m), cfg_(std::move(cfg)) {}
sasl_client::~sasl_client() { wipe(); }
sasl_client::sasl_client(sasl_client&&) noexcept = default;
sasl_client& sasl_client::operator=(sasl_client&&) noexcept = default;

void sasl_client::wipe() {
    OPENSSL_cleanse(cfg_.password.data(), cfg_.password.size());
    cfg_.password.clear();
    server_signature_.clear();
}

sasl_error sasl_client::fail(sasl_error e) {
    if (step_ != step::failed) diagnostic_ = e.diagnostic;  // keep the cause, not a later misuse
    step_ = step::failed;
    wipe();
    return e;
}

sasl_error sasl_client::fail(sasl_errc e, std::string diagnostic) {
    return fail(make_error(e, std::move(diagnostic)));
}

sasl_result<std::string> sasl_client::initial_response() {
    if (step_ != step::start) return fail(sasl_errc::unexpected_message, "initial response twice");
    if (mech_ == sasl_mechanism::anonymous) {
        step_ = step::sent_initial;
        return std::string("=");  // RFC 4505 §2: the trace token is optional; we send none
    }
    if (mech_ != sasl_mechanism::plain) return scram_first();

    auto cred = prepare_credentials(cfg_);
    if (!cred) return fail(cred.error());
    // RFC 4616 §2: [authzid] NUL authcid NUL passwd.
    std::string message = cfg_.authzid + '\0' + cred->user + '\0' + cred->password;
    auto text = base64_encode(message);
    OPENSSL_cleanse(message.data(), message.size());
    step_ = step::sent_initial;
    return text;
}

sasl_result<std::string> sasl_client::scram_first() {
    auto cred = prepare_credentials(cfg_);  // fail before a round trip, not after
    if (!cred) return fail(cred.error());
    // RFC 5802 §6 / §7 gs2-header: "n" = the client does not support channel binding. We do not
    // use tls-unique/tls-exporter (-PLUS): the stream code would have to export keying material
    // from the TLS layer. Saying "n" (not "y") is honest: if the server offered -PLUS, "y" would
    // claim we think it did not, which a server must treat as a downgrade attack (§6). Without
    // binding, SCRAM does not detect a TLS MITM: certificate verification has to.
    gs2_header_ = cfg_.authzid.empty() ? "n,," : "n,a=" + scram_escape_name(cfg_.authzid) + ",";
    nonce_ = cfg_.client_nonce ? cfg_.client_nonce() : random_nonce();
    if (!printable(nonce_))
        return fail(sasl_errc::crypto_failure, "no usable client nonce from the random source");
    client_first_bare_ = "n=" + scram_escape_name(cred->user) + ",r=" + nonce_;
    step_ = step::sent_initial;
    return base64_encode(gs2_header_ + client_first_bare_);
}

sasl_result<std::string> sasl_client::scram_final(std::string_view server_first) {
    // RFC 5802 §7: server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count
    // ["," extensions]
    std::vector<attribute> attrs;
    if (!split_attributes(server_first, attrs))
        return fail(sasl_errc::malformed_message, "server-first: " + excerpt(server_first));
    if (attrs[0].name == 'm')  // RFC 5802 §5.1: unknown mandatory extension -> MUST fail
        return fail(sasl_errc::malformed_message, "server requires an extension (m=)");
    if (attrs.size() < 3 || attrs[0].name != 'r' || attrs[1].name != 's' || attrs[2].name != 'i')
        return fail(sasl_errc::malformed_message, "server-first needs r=,s=,i=: " +
                                                      excerpt(server_first));

    const auto nonce = attrs[0].value;
    if (!printable(nonce)) return fail(sasl_errc::malformed_message, "bad r= characters");
    // RFC 5802 §5.1: the server's nonce starts with ours and adds its own part; a server that
    // returns a different prefix (replay) or adds nothing is refused.
    if (nonce.size() <= nonce_.size() || nonce.substr(0, nonce_.size()) != nonce_)
        return fail(sasl_errc::nonce_mismatch, "r=" + excerpt(nonce));

    const auto salt = base64_decode(attrs[1].value);
    if (!salt) return fail(sasl_errc::bad_base64, "s=" + excerpt(attrs[1].value));
    if (salt->empty()) return fail(sasl_errc::malformed_message, "empty salt");

    // posit-number = %x31-39 *DIGIT
    const auto digits = attrs[2].value;
    if (digits.empty() || digits[0] < '1' || digits[0] > '9' ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return fail(sasl_errc::malformed_message, "i=" + excerpt(digits));
    std::uint64_t iterations = 0;
    for (char c : digits.substr(0, 11)) iterations = iterations * 10 + (c - '0');
    if (digits.size() > 11 || iterations > cfg_.max_iterations || iterations > INT_MAX)
        return fail(sasl_errc::iteration_count_too_high,
                    "i=" + excerpt(digits) + " above " + std::to_string(cfg_.max_iterations));
    if (iterations < cfg_.min_iterations)
        return fail(sasl_errc::iteration_count_too_low,
                    "i=" + excerpt(digits) + " below " + std::to_string(cfg_.min_iterations));
    // Further attributes are optional extensions, ignored (RFC 5802 §5.1).

    // RFC 5802 §3: AuthMessage := client-first-message-bare + "," + server-first-message + "," +
    // client-final-message-without-proof; c= carries the gs2 header so a MITM cannot change it.
    const std::string without_proof =
        "c=" + base64_encode(gs2_header_) + ",r=" + std::string(nonce);
    const std::string auth_message =
        client_first_bare_ + "," + std::string(server_first) + "," + without_proof;
    const auto* md = mech_ == sasl_mechanism::scram_sha_256 ? EVP_sha256() : EVP_sha1();
    auto cred = prepare_credentials(cfg_);
    if (!cred) return fail(cred.error());
    scram_keys keys;
    if (!compute_keys(md, cred->password, *salt, static_cast<std::uint32_t>(iterations),
                      auth_message, keys))
        return fail(sasl_errc::crypto_failure, "PBKDF2/HMAC failed");
    server_signature_ = std::move(keys.server_signature);
    step_ = step::sent_final;
    return base64_encode(without_proof + ",p=" + base64_encode(keys.client_proof));
}

std::error_code sasl_client::scram_verify(std::string_view server_final) {
    // RFC 5802 §7: server-final-message = (server-error / verifier) ["," extensions]
    std::vector<attribute> attrs;
    if (!split_attributes(server_final, attrs))
        return fail(sasl_errc::malformed_message, "server-final: " + excerpt(server_final)).code;
    if (attrs[0].name == 'e')
        return fail(sasl_errc::server_error, "e=" + excerpt(attrs[0].value)).code;
    if (attrs[0].name != 'v')
        return fail(sasl_errc::malformed_message, "server-final: " + excerpt(server_final)).code;
    const auto sig = base64_decode(attrs[0].value);
    if (!sig) return fail(sasl_errc::bad_base64, "v=" + excerpt(attrs[0].value)).code;
    // RFC 5802 §9: this is what proves the server knows the (salted) password; constant time.
    if (server_signature_.empty() || sig->size() != server_signature_.size() ||
        CRYPTO_memcmp(sig->data(), server_signature_.data(), sig->size()) != 0)
        return fail(sasl_errc::server_signature_mismatch, "v=" + excerpt(attrs[0].value)).code;
    return {};
}

sasl_result<std::string> sasl_client::on_challenge(std::string_view text) {
    const bool scram = mech_ == sasl_mechanism::scram_sha_256 || mech_ == sasl_mechanism::scram_sha_1;
    if (!scram || (step_ != step::sent_initial && step_ != step::sent_final))
        return fail(sasl_errc::unexpected_message, "challenge not expected now");
    auto data = decode_payload(text);
    if (!data) return fail(data.error());
    if (step_ == step::sent_initial) return scram_final(*data);
    // Some servers send server-final-message in a challenge and <success/> empty (RFC 6120
    // §6.3.10 allows either); the answer to it is an empty response.
    if (auto ec = scram_verify(*data)) return sasl_error{ec, diagnostic_};
    step_ = step::verified;
    return std::string{};
}

std::error_code sasl_client::on_success(std::string_view text) {
    const bool scram = mech_ == sasl_mechanism::scram_sha_256 || mech_ == sasl_mechanism::scram_sha_1;
    if (step_ == step::start || step_ == step::done || step_ == step::failed)
        return fail(sasl_errc::unexpected_message, "success not expected now").code;
    auto data = decode_payload(text);
    if (!data) return fail(data.error()).code;
    if (!scram) {
        if (!data->empty())
            return fail(sasl_errc::unexpected_message, "additional data with success").code;
    } else if (step_ == step::sent_initial || (step_ == step::sent_final && data->empty())) {
        // A <success/> the server did not earn: skipping v= would let anyone who intercepts the
        // stream (or a server with a stolen StoredKey only) impersonate the real one.
        return fail(sasl_errc::missing_server_signature, "success without v=").code;
    } else if (!data->empty()) {
        if (auto ec = scram_verify(*data)) return ec;
    }
    step_ = step::done;
    wipe();
    return {};
}

}  // namespace jigasi::xmpp
