# Bench self-test: Prosody starts with the Jitsi layout and every listener answers.
start_prosody
curl -sf -X POST -H 'Content-Type: text/xml' "http://127.0.0.1:$PROSODY_HTTP/http-bind" \
    -d "<body rid='1' to='meet.test' xml:lang='en' wait='10' hold='1' ver='1.6' xmpp:version='1.0' xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh'/>" \
    > "$E2E_OUT/bosh.xml" || fail "BOSH did not answer on /http-bind"
grep -q ANONYMOUS "$E2E_OUT/bosh.xml" || fail "meet.test does not offer SASL ANONYMOUS over BOSH"
