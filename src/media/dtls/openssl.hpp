#pragma once
// OpenSSL plumbing for the DTLS layer: owning pointers and the datagram BIO. Internal to
// media/dtls (namespace detail).

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace jigasi::media::dtls::detail {

struct openssl_free {
    void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); }
    void operator()(SSL* p) const noexcept { SSL_free(p); }
    void operator()(X509* p) const noexcept { X509_free(p); }
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
    void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};
using ssl_ctx_ptr = std::unique_ptr<SSL_CTX, openssl_free>;
using ssl_ptr = std::unique_ptr<SSL, openssl_free>;
using x509_ptr = std::unique_ptr<X509, openssl_free>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_free>;
using bn_ptr = std::unique_ptr<BIGNUM, openssl_free>;

/// "<what>: <reason of the first queued OpenSSL error>"; empties the thread's error queue.
std::string openssl_error(std::string_view what);

/// Where the datagram BIO puts what OpenSSL sends. Bounded: a caller that stops draining loses
/// datagrams, as a full socket buffer would.
struct datagram_queue {
    std::deque<std::vector<std::uint8_t>> datagrams;
    std::size_t limit = 64;
    std::size_t dropped = 0;
};

/// A write BIO that turns every BIO_write into one datagram in `queue`. OpenSSL's DTLS packs a
/// flight's records into a buffering BIO in front of this one and flushes it before the next
/// record would pass the MTU (SSL_set_mtu), so each write is one datagram; a memory BIO would
/// merge them into one byte stream. Reports no pending bytes of its own and answers no MTU query.
BIO* make_datagram_bio(datagram_queue* queue);

}  // namespace jigasi::media::dtls::detail
