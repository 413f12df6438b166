// A real SIP transaction through the bridge: two libre stacks on 127.0.0.1, one sends OPTIONS
// (sip_requestf), the other answers 200 (sip_listen + sip_reply), over UDP and over TCP.

#include "sip/libre.hpp"
#include "sip_fixture.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

namespace asio = boost::asio;
using namespace jigasi;
using namespace std::chrono_literals;

namespace {

struct sip_peer {
    struct sip* stack = nullptr;
    sip_lsnr* lsnr = nullptr;
    sa laddr{};
    int requests = 0;
    test::sip_fixture* f = nullptr;

    void open(sip_transp tp) {
        f->expect(sip_alloc(&stack, nullptr, 16, 16, 16, "jigasi-ng-test", nullptr, nullptr) == 0);
        sa any;
        f->expect(sa_set_str(&any, "127.0.0.1", 0) == 0);
        f->expect(sip_transp_add(stack, tp, &any) == 0);
        f->expect(sip_transp_laddr(stack, &laddr, tp, nullptr) == 0);
    }
    void close() {
        lsnr = static_cast<sip_lsnr*>(mem_deref(lsnr));
        sip_close(stack, true);  // force: flush transactions lingering in Timer J/K
        stack = static_cast<struct sip*>(mem_deref(stack));
    }
};

bool on_request(const sip_msg* msg, void* arg) {
    auto* server = static_cast<sip_peer*>(arg);
    server->f->note_callback();
    if (pl_strcmp(&msg->met, "OPTIONS") != 0) return false;
    ++server->requests;
    server->f->expect(sip_reply(server->stack, msg, 200, "OK") == 0);
    return true;
}

// The UAC side of one OPTIONS, the way a coroutine awaits it (see strand_op.hpp).
struct options_ctx {
    sip::completion done;
    struct sip_request* req = nullptr;  // "struct": sip_request is also a function
    test::sip_fixture* f = nullptr;
};

void on_response(int err, const sip_msg* msg, void* arg) {
    auto* ctx = static_cast<options_ctx*>(arg);
    ctx->f->note_callback();
    if (!err && msg && msg->scode < 200) return;  // provisional
    auto done = ctx->done;
    delete ctx;  // libre cleared ctx->req before calling us and frees the request itself
    done.complete(sip::libre_error(err), msg ? int(msg->scode) : 0);  // last: may resume at once
}

}  // namespace

TEST_CASE("SIP OPTIONS between two libre stacks through the bridge", "[sip]") {
    const auto tp = GENERATE(SIP_TRANSP_UDP, SIP_TRANSP_TCP);
    INFO("transport " << sip_transp_name(tp));
    test::sip_fixture f;
    sip_peer server{}, client{};
    server.f = client.f = &f;
    f.on_strand([&] {
        server.open(tp);
        client.open(tp);
        f.expect(sip_listen(&server.lsnr, server.stack, true, on_request, &server) == 0);
    });
    REQUIRE(f.failures == 0);
    REQUIRE(sa_port(&server.laddr) != 0);
    const std::string uri = "sip:jigasi@127.0.0.1:" + std::to_string(sa_port(&server.laddr)) +
                            ";transport=" + sip_transp_param(tp);

    f.run([&]() -> asio::awaitable<void> {
        for (int i = 1; i <= 3; ++i) {  // a few in a row: reused TCP connection, fresh transactions
            auto r = co_await sip::async_on_strand(f.strand, [&, i](sip::completion done) {
                auto* ctx = new options_ctx{done, nullptr, &f};
                const int err = sip_requestf(&ctx->req, client.stack, true, "OPTIONS", uri.c_str(),
                    nullptr, nullptr, nullptr, on_response, ctx,
                    "To: <%s>\r\n"
                    "From: <sip:test@127.0.0.1>;tag=%x\r\n"
                    "Call-ID: %x@jigasi-test\r\n"
                    "CSeq: %d OPTIONS\r\n"
                    "Content-Length: 0\r\n"
                    "\r\n",
                    uri.c_str(), rand_u32(), rand_u32(), i);
                if (err) {
                    done.complete(sip::libre_error(err));
                    delete ctx;
                    return;
                }
                // Cancelled coroutine: dropping the request stops libre calling on_response.
                done.on_cancel([ctx] {
                    mem_deref(ctx->req);
                    delete ctx;
                });
            });
            CHECK_FALSE(r.ec);
            CHECK(std::any_cast<int>(r.value) == 200);
        }
    });
    CHECK(server.requests == 3);

    f.on_strand([&] {
        client.close();
        server.close();
        CHECK(f.bridge->watched_fds() == 0);
        CHECK(sip::libre_bridge::libre_timer_count() == 0);
        CHECK(f.bridge->off_strand_calls() == 0);
    });
    CHECK(f.off_strand_callbacks == 0);
    CHECK(f.failures == 0);
}
