"""The Asterisk configuration rendered from settings (no Asterisk needed except where marked)."""

import re

import pytest

from backend.config import Settings
from dialplans.render import CONFIG_FILES, NOLOAD_MODULES, host_ipv4_addresses, render_config, render_template
from telephony import asterisk_root, provisioning
from telephony.sip_accounts import agent_sip_accounts, agent_sip_password
from tests.telephony.conftest import AsteriskUnderTest


def render(**overrides: object) -> dict[str, str]:
    settings = Settings(**overrides)  # type: ignore[arg-type]
    return render_config(
        settings=settings, accounts=agent_sip_accounts(settings=settings), host_addresses=["192.0.2.7"]
    )


def section(text: str, name: str, type_: str) -> str:
    """The body of the section `[name]` (or `[name](template)`) whose type is `type_`."""
    for match in re.finditer(rf"^\[{re.escape(name)}\](?:\([^)]*\))?\n((?:[^\[].*\n?)*)", text, re.MULTILINE):
        if f"type = {type_}" in match.group(1) or (type_ == "endpoint" and "(songda-" in match.group(0)):
            return match.group(1)
    raise AssertionError(f"no [{name}] {type_} section")


def test_every_file_is_rendered_without_leftover_placeholders() -> None:
    files = render()
    assert set(files) == set(CONFIG_FILES)
    for name, text in files.items():
        assert "{{" not in text and "}}" not in text, name
    assert "${SONGDA_CALL_ID}" in files["extensions.conf"]  # Asterisk's own syntax passes through


def test_a_missing_template_value_is_an_error() -> None:
    with pytest.raises(KeyError):
        render_template("http.conf", http_bind="127.0.0.1")


def test_agent_passwords_are_derived_from_the_secret_key() -> None:
    one = Settings(secret_key="court-a")
    other = Settings(secret_key="court-b")
    assert agent_sip_password("1001", settings=one) != agent_sip_password("1002", settings=one)
    assert agent_sip_password("1001", settings=one) != agent_sip_password("1001", settings=other)
    assert agent_sip_password("1001", settings=one) == agent_sip_password(
        "1001", settings=Settings(secret_key="court-a")
    )
    assert len(agent_sip_password("1001", settings=one)) == 24


def test_pjsip_has_ulaw_agents_webrtc_twins_and_transports() -> None:
    pjsip = render(secret_key="court-a", agent_extensions=["1001", "1002"])["pjsip.conf"]
    assert "protocol = udp\nbind = 127.0.0.1:5060" in pjsip
    assert "protocol = ws" in pjsip
    agent_template = pjsip.split("[songda-agent-endpoint](!)")[1].split("\n\n")[0]
    assert "allow = ulaw\n" in agent_template and "disallow = all" in agent_template
    webrtc_template = pjsip.split("[songda-webrtc-endpoint](!)")[1].split("\n\n")[0]
    assert {"webrtc = yes", "dtls_auto_generate_cert = yes", "allow = opus,ulaw", "rtp_timeout = 20"} <= set(
        webrtc_template.splitlines()
    )
    for extension in ("1001", "1002"):
        password = agent_sip_password(extension, settings=Settings(secret_key="court-a"))
        assert f"[{extension}](songda-agent-endpoint)" in pjsip
        assert f"[web{extension}](songda-webrtc-endpoint)" in pjsip
        assert f"username = {extension}\npassword = {password}" in pjsip
        assert f"username = web{extension}\npassword = {password}" in pjsip
    assert "[1003]" not in pjsip


def test_party_route_test_dials_simulated_parties_and_has_no_carrier_identify() -> None:
    files = render(party_route="test")
    assert "Dial(Local/${EXTEN}@songda-test-party," in files["extensions.conf"]
    assert "type = identify" not in files["pjsip.conf"]


def test_party_route_trunk_dials_the_carrier_with_its_credentials() -> None:
    files = render(
        party_route="trunk",
        trunk_host="198.51.100.9",
        trunk_port=5062,
        trunk_username="court-trunk",
        trunk_password="s3cret",
        trunk_caller_id="01012368",
    )
    pjsip, extensions = files["pjsip.conf"], files["extensions.conf"]
    assert "Dial(PJSIP/${EXTEN}@carrier," in extensions
    assert "Set(CALLERID(num)=01012368)" in extensions
    assert "contact = sip:198.51.100.9:5062" in pjsip
    assert "type = identify\nendpoint = carrier\nmatch = 198.51.100.9" in pjsip
    assert "outbound_auth = carrier-auth" in pjsip
    assert "username = court-trunk\npassword = s3cret" in pjsip


def test_outbound_context_records_three_files_and_reports_the_dial_result() -> None:
    extensions = render()["extensions.conf"]
    outbound = extensions.split("[songda-outbound]")[1].split("\n[")[0]
    assert (
        "MixMonitor(${SONGDA_REC}-mix.wav,r(${SONGDA_REC}-agent.wav)t(${SONGDA_REC}-party.wav))" in outbound
    )
    assert "SONGDA_REC=${SONGDA_RECORDING_DIR}/${SONGDA_CALL_ID}" in outbound
    assert "SONGDA_RECORDING_DIR = /var/spool/asterisk/recording/songda" in extensions
    assert "hangup_handler_push)=songda-dial-end,s,1" in outbound
    assert "UserEvent(SongdaDialEnd,CallId: ${SONGDA_CALL_ID}" in extensions


def test_test_party_numbers() -> None:
    extensions = render(default_test_clip="thchs30_test_02")["extensions.conf"]
    assert "exten => 19900000486,1,Hangup(17)" in extensions
    assert "exten => 19900000480,1,Ringing()" in extensions
    assert "exten => 19900000403,1,Hangup(21)" in extensions
    assert "exten => 19900000404,1,Hangup(1)" in extensions
    assert "exten => 19900000200,1,Answer()" in extensions
    assert (
        'Playback(custom/${IF($["${SONGDA_TEST_CLIP}" = ""]?thchs30_test_02:${SONGDA_TEST_CLIP})})'
        in extensions
    )


def test_manager_http_rtp_and_modules_follow_settings() -> None:
    files = render(
        ami_username="ops", ami_secret="pw-1", ami_port=5039, rtp_port_start=12000, rtp_port_end=12999
    )
    assert "[ops]\nsecret = pw-1" in files["manager.conf"]
    assert "port = 5039\nbindaddr = 127.0.0.1" in files["manager.conf"]
    assert "bindaddr = 127.0.0.1\nbindport = 8088" in files["http.conf"]
    assert "rtpstart = 12000\nrtpend = 12999" in files["rtp.conf"]
    assert "[ice_host_candidates]\n192.0.2.7 => 127.0.0.1" in files["rtp.conf"]
    assert "192.0.2.7" not in render(webrtc_loopback_ice=False)["rtp.conf"]
    for module in ("chan_console.so", "chan_mobile.so", "chan_dahdi.so", "res_hep_pjsip.so"):
        assert module in NOLOAD_MODULES and f"noload => {module}" in files["modules.conf"]


def test_host_addresses_exclude_loopback() -> None:
    assert all(not address.startswith("127.") for address in host_ipv4_addresses())


def test_recording_paths_map_a_call_id_into_the_root(tmp_path: object) -> None:
    settings = Settings(asterisk_root="/srv/pbx")  # type: ignore[arg-type]
    paths = provisioning.recording_paths("ab" * 16, settings=settings)
    base = f"/srv/pbx/var/spool/asterisk/recording/songda/{'ab' * 16}"
    assert (str(paths.mix), str(paths.agent), str(paths.party)) == (
        f"{base}-mix.wav", f"{base}-agent.wav", f"{base}-party.wav",
    )  # fmt: skip


@pytest.mark.asterisk
def test_running_asterisk_loaded_the_rendered_config(asterisk: AsteriskUnderTest) -> None:
    root = asterisk.settings.asterisk_root
    assert (root / asterisk_root.READY_MARKER).exists()
    endpoint = asterisk_root.asterisk_cli(root, "pjsip show endpoint web1001")
    assert re.search(r"webrtc\s+:\s+(yes|true)", endpoint)
    assert "/ws => Asterisk HTTP WebSocket" in asterisk_root.asterisk_cli(root, "http show status")
    assert "songda-outbound" in asterisk_root.asterisk_cli(root, "dialplan show songda-outbound")
    assert set(asterisk.clip_names) >= {"thchs30_test_01", "thchs30_test_04"}
    for name in asterisk.clip_names:
        assert (root / provisioning.SOUNDS_DIR_IN_ROOT / f"{name}.wav").exists()


def test_ami_stays_on_loopback_unless_a_container_network_is_admitted() -> None:
    embedded = render()["manager.conf"]
    assert "bindaddr = 127.0.0.1" in embedded and "permit = 127.0.0.1/255.255.255.255" in embedded
    container = render(ami_bind_address="0.0.0.0", ami_permit="172.16.0.0/255.240.0.0")["manager.conf"]
    assert "bindaddr = 0.0.0.0" in container and "permit = 172.16.0.0/255.240.0.0" in container
    assert "deny = 0.0.0.0/0.0.0.0" in container
