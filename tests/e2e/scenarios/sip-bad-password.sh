# Negative test of the bench itself: alice registers with a wrong password at kamailio with digest
# auth. This scenario must FAIL with "alice could not register: ... 403 ..." (wired as an expected
# failure: tests/e2e/expect-fail sip-bad-password 'alice could not register: .*40[13]').
source "$E2E_DIR/sip/sip.sh"
start_kamailio --auth
start_baresip alice alice 15062 --password wrong-password
baresip_wait_registered alice 5
