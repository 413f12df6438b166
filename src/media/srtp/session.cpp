#include "media/srtp/session.hpp"

#include <srtp2/srtp.h>

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <utility>

namespace jigasi::media::srtp {
namespace {

// A UDP payload cannot be longer; libsrtp takes lengths as int.
constexpr std::size_t max_packet = 65535;
constexpr std::size_t rtp_header = 12;   // RFC 3550 §5.1 fixed header
constexpr std::size_t rtcp_header = 8;   // RFC 3550 §6.4.1 up to the sender's SSRC

core::error fail(errc e) { return core::error{make_error_code(e), {}}; }

/// What protect_*() reports for a libsrtp status other than ok.
core::error outbound_failure(srtp_err_status_t status) {
    switch (status) {
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
        return fail(errc::replay);  // the same sequence number twice (allow_repeat_tx off)
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err:
        return fail(errc::malformed);  // e.g. CSRCs or an extension beyond the packet
    default:
        return fail(errc::library_failure);  // key_expired (RFC 3711 §9.2), cipher failures
    }
}

bool version_2(std::span<const std::uint8_t> p) { return !p.empty() && (p[0] >> 6) == 2; }

void set_crypto(profile p, srtp_policy_t& policy) {
    switch (p) {
    case profile::aes_cm_128_hmac_sha1_80:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        return;
    case profile::aes_cm_128_hmac_sha1_32:
        // RFC 4568 §6.2.2 / RFC 5764 §4.1.2: the short tag is for SRTP only.
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        return;
    case profile::aead_aes_128_gcm:
        // RFC 7714 §14.2: 16-octet tag for both.
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
        return;
    }
}

}  // namespace

std::error_code initialize() {
    static std::once_flag once;
    static srtp_err_status_t status = srtp_err_status_ok;
    std::call_once(once, [] { status = srtp_init(); });
    if (status != srtp_err_status_ok) return make_error_code(errc::library_failure);
    return {};
}

void session::ctx_deleter::operator()(srtp_ctx_t_* ctx) const noexcept { srtp_dealloc(ctx); }

core::result<session> session::create(const session_keys& keys, const session_options& options) {
    if (auto ec = initialize()) return core::error{ec, "srtp_init failed"};
    for (const auto* k : {&keys.local, &keys.remote})
        if (k->bytes().size() != master_length(k->suite()))
            return core::error{make_error_code(errc::bad_key),
                               "master key||salt must be " +
                                   std::to_string(master_length(k->suite())) + " bytes for " +
                                   std::string(sdes_name(k->suite()))};
    if (options.replay_window < 64 || options.replay_window >= 0x8000)
        return core::error{make_error_code(errc::bad_option), "replay window must be 64..32767"};

    auto make = [&](const master_key& key, srtp_ssrc_type_t type) -> core::result<ctx_ptr> {
        srtp_policy_t policy{};
        set_crypto(key.suite(), policy);
        policy.ssrc.type = type;
        // libsrtp copies the key in srtp_create(); ours stays const, this copy is wiped.
        std::array<unsigned char, max_master_length> copy{};
        std::ranges::copy(key.bytes(), copy.begin());
        policy.key = copy.data();
        policy.window_size = options.replay_window;
        policy.allow_repeat_tx = options.allow_repeat_tx ? 1 : 0;
        srtp_t raw = nullptr;
        const auto status = srtp_create(&raw, &policy);
        OPENSSL_cleanse(copy.data(), copy.size());
        if (status != srtp_err_status_ok)
            return core::error{make_error_code(errc::library_failure),
                               "srtp_create failed with status " + std::to_string(status)};
        return ctx_ptr(raw);
    };
    auto out = make(keys.local, ssrc_any_outbound);
    if (!out) return out.error();
    auto in = make(keys.remote, ssrc_any_inbound);
    if (!in) return in.error();
    return session(std::move(*out), std::move(*in), keys.local.suite(), keys.remote.suite());
}

session::session(ctx_ptr out, ctx_ptr in, profile out_profile, profile in_profile)
    : out_(std::move(out)),
      in_(std::move(in)),
      out_profile_(out_profile),
      in_profile_(in_profile),
      rtp_overhead_(srtp::rtp_overhead(out_profile)),
      rtcp_overhead_(srtp::rtcp_overhead(out_profile)) {}

session::session(session&&) noexcept = default;
session& session::operator=(session&&) noexcept = default;
session::~session() = default;

core::result<std::size_t> session::protect_rtp(std::span<std::uint8_t> buffer, std::size_t length) {
    if (length < rtp_header || length > buffer.size() || length > max_packet ||
        !version_2(buffer))
        return fail(errc::malformed);
    // libsrtp writes the tag right after the packet (RFC 3711 §3.1): the room must be ours.
    if (buffer.size() - length < rtp_overhead_) return fail(errc::buffer_too_small);
    int len = static_cast<int>(length);
    const auto status = srtp_protect(out_.get(), buffer.data(), &len);
    if (status != srtp_err_status_ok) return outbound_failure(status);
    ++stats_.rtp_protected;
    return static_cast<std::size_t>(len);
}

core::result<std::size_t> session::protect_rtcp(std::span<std::uint8_t> buffer,
                                                std::size_t length) {
    if (length < rtcp_header || length > buffer.size() || length > max_packet ||
        !version_2(buffer))
        return fail(errc::malformed);
    if (buffer.size() - length < rtcp_overhead_) return fail(errc::buffer_too_small);
    int len = static_cast<int>(length);
    const auto status = srtp_protect_rtcp(out_.get(), buffer.data(), &len);
    if (status != srtp_err_status_ok) return outbound_failure(status);
    ++stats_.rtcp_protected;
    return static_cast<std::size_t>(len);
}

core::result<std::size_t> session::inbound_failure(int status) {
    switch (status) {
    case srtp_err_status_auth_fail:
    case srtp_err_status_cipher_fail:  // an AEAD tag that does not verify surfaces as this
        ++stats_.auth_failures;
        return fail(errc::auth_failed);
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
        ++stats_.replays;
        return fail(errc::replay);
    default:
        ++stats_.malformed;
        return fail(errc::malformed);
    }
}

core::result<std::size_t> session::unprotect_rtp(std::span<std::uint8_t> packet) {
    if (packet.size() < rtp_header + srtp::rtp_overhead(in_profile_) ||
        packet.size() > max_packet || !version_2(packet)) {
        ++stats_.malformed;
        return fail(errc::malformed);
    }
    int len = static_cast<int>(packet.size());
    const auto status = srtp_unprotect(in_.get(), packet.data(), &len);
    if (status != srtp_err_status_ok) return inbound_failure(status);
    ++stats_.rtp_unprotected;
    return static_cast<std::size_t>(len);
}

core::result<std::size_t> session::unprotect_rtcp(std::span<std::uint8_t> packet) {
    if (packet.size() < rtcp_header + srtp::rtcp_overhead(in_profile_) ||
        packet.size() > max_packet || !version_2(packet)) {
        ++stats_.malformed;
        return fail(errc::malformed);
    }
    int len = static_cast<int>(packet.size());
    const auto status = srtp_unprotect_rtcp(in_.get(), packet.data(), &len);
    if (status != srtp_err_status_ok) return inbound_failure(status);
    ++stats_.rtcp_unprotected;
    return static_cast<std::size_t>(len);
}

}  // namespace jigasi::media::srtp
