#include "media/dtls/openssl.hpp"

#include <openssl/err.h>

#include <array>
#include <mutex>

namespace jigasi::media::dtls::detail {
namespace {

int datagram_write(BIO* bio, const char* data, int len) {
    auto* q = static_cast<datagram_queue*>(BIO_get_data(bio));
    if (q == nullptr || len < 0) return -1;
    if (q->datagrams.size() >= q->limit) {
        ++q->dropped;
    } else {
        const auto* p = reinterpret_cast<const std::uint8_t*>(data);
        q->datagrams.emplace_back(p, p + len);
    }
    return len;  // a datagram socket never writes partially
}

long datagram_ctrl(BIO*, int cmd, long, void*) {
    switch (cmd) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_PENDING:
    case BIO_CTRL_WPENDING: return 0;  // nothing is held back: each write is sent at once
    default: return 0;                 // MTU queries, peer addresses, timeouts: none here
    }
}

int datagram_create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
}

BIO_METHOD* datagram_method() {
    static BIO_METHOD* method = nullptr;
    static std::once_flag once;
    std::call_once(once, [] {
        // Lives as long as the process: every session's BIO refers to it.
        method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "jigasi dtls datagram");
        if (method == nullptr) return;
        BIO_meth_set_write(method, datagram_write);
        BIO_meth_set_ctrl(method, datagram_ctrl);
        BIO_meth_set_create(method, datagram_create);
    });
    return method;
}

}  // namespace

std::string openssl_error(std::string_view what) {
    std::string s(what);
    const unsigned long e = ERR_get_error();
    if (e != 0) {
        std::array<char, 256> buf{};
        ERR_error_string_n(e, buf.data(), buf.size());
        const char* reason = ERR_reason_error_string(e);
        s += ": ";
        s += reason != nullptr ? reason : buf.data();
    }
    ERR_clear_error();
    return s;
}

BIO* make_datagram_bio(datagram_queue* queue) {
    auto* method = datagram_method();
    if (method == nullptr) return nullptr;
    BIO* bio = BIO_new(method);
    if (bio != nullptr) BIO_set_data(bio, queue);
    return bio;
}

}  // namespace jigasi::media::dtls::detail
