#include "media/dtls/error.hpp"

#include <string>

namespace jigasi::media::dtls {
namespace {

class category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "dtls"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::bad_fingerprint: return "malformed fingerprint";
        case errc::unsupported_hash: return "unsupported fingerprint hash";
        case errc::fingerprint_mismatch: return "peer certificate fingerprint mismatch";
        case errc::no_peer_certificate: return "peer sent no certificate";
        case errc::handshake_failed: return "DTLS handshake failed";
        case errc::timeout: return "DTLS handshake timed out";
        case errc::too_many_retransmissions: return "DTLS handshake retransmissions exhausted";
        case errc::too_many_datagrams: return "DTLS handshake datagram limit exceeded";
        case errc::no_srtp_profile: return "no SRTP profile negotiated";
        case errc::key_export_failed: return "DTLS-SRTP key export failed";
        case errc::certificate_failed: return "certificate generation failed";
        case errc::bad_config: return "invalid DTLS configuration";
        case errc::connection_failed: return "DTLS connection failed";
        }
        return "dtls error " + std::to_string(ev);
    }
};

}  // namespace

const std::error_category& category() noexcept {
    static const category_impl instance;
    return instance;
}

}  // namespace jigasi::media::dtls
