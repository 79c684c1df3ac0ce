"""Settings for every Songda process, read from SONGDA_* variables and a .env file."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """One settings object; embedded defaults need no external service."""

    model_config = SettingsConfigDict(env_prefix="SONGDA_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = "change-me-in-production"

    # Task queue and event bus: memory:// runs in-process, redis://host:port/db in production.
    task_queue_url: str = "memory://"
    event_bus_url: str = "memory://"
    # Database connections per process (pool plus overflow), how long a checkout may wait, and the threads
    # that run memory:// tasks. Requests holding a session are at most the connections less those threads
    # and two spare, so a request that holds a connection never waits behind threads waiting for one.
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout_seconds: float = Field(default=30.0, gt=0)
    task_threads: int = Field(default=2, ge=1)

    # The court this installation serves by default (案号 court code and name).
    default_court_code: str = "京0102"
    default_court_name: str = "北京市西城区人民法院"

    # Authentication.
    token_ttl_hours: int = 12
    # Password guessing: an address may fail this often in the window, then waits 1 s, 2 s, 4 s... per try.
    login_free_failures: int = 5
    login_max_delay_seconds: int = 900
    login_window_minutes: int = 60
    # An account locks only after lockout_threshold failures from at least login_lock_addresses addresses;
    # it stays locked lockout_minutes, or until an admin lifts it when lockout_minutes is 0.
    lockout_threshold: int = 10
    login_lock_addresses: int = 3
    lockout_minutes: int = 0

    # Uploads: the court export, the zip of its documents (and what may be inside it), and how long the
    # uploads of failed or dry-run imports are kept.
    upload_max_export_mb: int = 100
    upload_max_documents_mb: int = 2048
    upload_max_zip_entries: int = 50_000
    upload_max_unzipped_mb: int = 8192
    upload_retention_days: int = 7

    # Field delivery: the map vendor (fake:// = great-circle distance times the detour factor, offline; or an
    # AMap-compatible Web Service base URL with its key), the officers' default start point (WGS-84: the
    # court), the supervisor map's tile URL template (empty = points on a plain background), upload limits.
    field_map_url: str = "fake://"
    field_map_key: str = ""
    field_detour_factor: float = 1.3
    field_start_lon: float = 116.3665
    field_start_lat: float = 39.9123
    field_tile_url: str = ""
    field_max_photo_mb: int = 20
    field_max_video_mb: int = 200
    # Route planning in time: an officer's default working hours (court time, HH:MM-HH:MM) when none are
    # set for them, the average speed that turns road metres into minutes, and the minutes a visit takes.
    field_hours: str = Field(default="08:30-17:30", pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")
    field_speed_kmh: float = Field(default=25.0, gt=0)
    field_visit_minutes: int = Field(default=10, ge=0)

    # HTTP server.
    host: str = "127.0.0.1"
    port: int = 8000
    # Address parties and courts reach this server at; proof QR codes link here.
    public_base_url: str = "http://127.0.0.1:8000"

    # Proof-of-service PDFs: a TrueType CJK font (empty = search the Debian font packages).
    proof_font_path: Path | None = None

    # Asterisk: embedded provisioning builds a private Debian sid root here; production gives a host.
    asterisk_root: Path = Path("/var/cache/songda/asterisk-root")
    asterisk_managed: bool = True
    ami_host: str = "127.0.0.1"
    ami_port: int = 5038
    ami_username: str = "songda"
    ami_secret: str = "songda-ami-secret"
    # Where the rendered manager.conf listens and whom it admits (a container's Asterisk: 0.0.0.0 and
    # the container network); the defaults keep AMI on loopback.
    ami_bind_address: str = "127.0.0.1"
    ami_permit: str = "127.0.0.1/255.255.255.255"
    asterisk_boot_timeout: float = 90.0
    # SIP/RTP/HTTP of the managed Asterisk (loopback in the embedded setup).
    sip_host: str = "127.0.0.1"
    sip_port: int = 5060
    asterisk_http_port: int = 8088
    rtp_port_start: int = 10000
    rtp_port_end: int = 20000
    # Map the host's own IPv4 addresses to 127.0.0.1 in ICE candidates (loopback-only WebRTC).
    webrtc_loopback_ice: bool = True
    # A browser phone that sends no audio for this long (tab closed or crashed, no BYE) is hung up.
    webrtc_rtp_timeout_seconds: int = 20
    # Agent SIP extensions; passwords are derived from secret_key (telephony.sip_accounts).
    agent_extensions: list[str] = Field(default_factory=lambda: [str(n) for n in range(1001, 1031)])
    # Where outbound calls go: "trunk" dials PJSIP/<number>@carrier, "test" the simulated parties.
    party_route: Literal["trunk", "test"] = "test"
    party_ring_seconds: int = 45
    trunk_host: str = "127.0.0.1"
    trunk_port: int = 5080
    trunk_username: str = ""
    trunk_password: str = ""
    trunk_caller_id: str = ""
    # Host directory where Asterisk's recordings are visible; empty = inside asterisk_root.
    recording_dir: Path | None = None
    # Mandarin clips played by the simulated parties; empty = ../shared/asr/samples/zh beside the repo.
    test_clips_dir: Path | None = None
    default_test_clip: str = "thchs30_test_01"
    # Call control: the one API process that owns AMI sets this (it originates, keeps live state and
    # call records, and publishes call events on event_bus_url for every other process).
    telephony_enabled: bool = False
    agent_answer_seconds: int = 30

    # Agent desk: how long a task stays locked to an agent without activity, the wrap-up after a call,
    # the websocket hub's timers (idle close, token re-check), and the desk's periodic sweep of expired
    # locks and wrap-ups (a periodic job: backend/desk/schedule.py).
    desk_lock_minutes: float = 10.0
    desk_wrap_up_seconds: float = 60.0
    # Well above the 20 s ping: Chromium runs a tab's timers only once a minute after 5 hidden minutes.
    desk_ws_idle_seconds: float = 150.0
    # A new websocket must send its `auth` message (the token) within this long (agent_desk/PROTOCOL.md).
    desk_ws_auth_seconds: float = 10.0
    desk_token_check_seconds: float = 5.0
    desk_sweep_seconds: float = 2.0
    desk_refresh_seconds: float = 5.0
    # An agent whose last desk tab closed goes offline after this long (a reload within it changes nothing).
    desk_presence_grace_seconds: float = 10.0

    # The delivery router's periodic pass (24-hour rule alerts, missing follow-ups, notices that fell due).
    router_pass_seconds: float = 60.0
    # Run periodic jobs in a thread of `songda serve` (embedded default); production runs `songda beat`.
    in_process_scheduler: bool = True

    # EMS court mail: the vendor adapter (fake://, ems+https://… EMS open API, kuaidi100+https://…),
    # its credentials, the sender office's phone, the price when the vendor names none (fen), how often
    # open waybills are polled, and after how many days without an event a letter is listed as silent.
    postal_gateway_url: str = "fake://"
    ems_sender_no: str = ""
    ems_authorization: str = ""
    ems_secret_key: str = "c29uZ2RhLXRlc3Qta2V5IQ=="  # base64 of the 16-byte SM4 key
    ems_user_code: str = ""
    ems_push_key: str = ""
    kuaidi100_customer: str = ""
    kuaidi100_key: str = ""
    kuaidi100_secret: str = ""
    kuaidi100_salt: str = ""
    postal_sender_phone: str = "010-12368"
    postal_default_cost_fen: int = 2200
    postal_poll_seconds: float = 1800.0
    postal_silent_days: int = 5

    # SMS and e-mail to parties (backend/messaging): the SMS adapter (fake:// or kannel+http://HOST:SENDSMS_PORT),
    # its sendsms user, the sending number; the e-mail adapter (fake:// or smtp://HOST:PORT) and sender; the
    # base URL Kannel calls with delivery reports (empty: public_base_url); how often queued messages are
    # (re)tried, the longest wait between tries of a message whose gateway is down, and how long a sender's
    # claim on a message lasts (a process that died mid-send leaves it claimed; after this it is retried).
    sms_gateway_url: str = "fake://"
    sms_username: str = "songda"
    sms_password: str = "songda-sms-secret"
    sms_sender: str = "12368"
    email_gateway_url: str = "fake://"
    email_sender: str = "songda@court.invalid"
    sms_report_base_url: str = ""
    messaging_pass_seconds: float = 15.0
    messaging_retry_max_seconds: float = 600.0
    messaging_claim_seconds: float = 300.0
    # Kannel run by `songda sms up` (bearerbox admin and smsbox ports, smsbox's sendsms port, the fake
    # SMSC's port, the admin password); production replaces the fake SMSC group with the carrier's SMPP.
    kannel_admin_port: int = 13000
    kannel_smsbox_port: int = 13001
    kannel_sendsms_port: int = 13013
    kannel_smsc_port: int = 13010
    kannel_admin_password: str = "songda-kannel-admin"
    # Where sendsms and the admin page listen, and who else may use them (Kannel's ;-separated allow list,
    # e.g. 172.*.*.* in docker-compose); a file with the carrier's smsc group (SMPP) replaces the fake SMSC.
    kannel_interface: str = "127.0.0.1"
    kannel_allow_ip: str = "127.0.0.1"
    kannel_smsc_config: Path | None = None
    # E-delivery (backend/electronic): how often planned electronic attempts are picked up and sent.
    electronic_pass_seconds: float = 30.0
    # The party portal (backend/portal): one-time codes live portal_code_minutes and allow portal_code_tries
    # wrong answers, then the number or address is locked for portal_code_lock_minutes; at most
    # portal_codes_per_address_hour codes per number or address (one per portal_code_resend_seconds) and
    # portal_codes_per_ip_hour per client address; a session lasts portal_session_minutes, a notice's link
    # portal_link_days; an unsigned e-delivery is served portal_sign_wait_minutes after the first view.
    portal_code_minutes: int = 5
    portal_code_tries: int = 5
    portal_code_lock_minutes: int = 30
    portal_codes_per_address_hour: int = 5
    portal_code_resend_seconds: int = 60
    portal_codes_per_ip_hour: int = 30
    portal_session_minutes: int = 60
    portal_link_days: int = 30
    portal_sign_wait_minutes: int = 60
    # WeChat website login (网站应用微信登录): fake:// (none: the portal offers codes only),
    # https://api.weixin.qq.com (WeChat itself), or a local server speaking the same three endpoints.
    wechat_url: str = "fake://"
    wechat_app_id: str = ""
    wechat_app_secret: str = ""

    # Speech recognition.
    vosk_model: Path = Field(default=Path("../shared/asr/models/vosk-model-small-cn-0.22"))
    # Official archive that `songda asr fetch-model` downloads into vosk_model (checked against the hash).
    vosk_model_url: str = "https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip"
    vosk_model_sha256: str = "3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba"
    vosk_model_size: int | None = 43_898_754
    # Call transcription: attempts before a transcript is marked failed; a running transcription whose
    # heartbeat is older than transcription_stale_seconds is taken over (its worker died).
    transcribe_after_call: bool = True  # queue each call's transcription once its recording is filed
    transcription_max_attempts: int = 4
    transcription_stale_seconds: float = 60.0
    transcription_retry_backoff_seconds: int = 10
    # Key phrases flagged in transcripts (JSON like backend/transcripts/key_phrases.json; empty = that file).
    key_phrases_path: Path | None = None
    # Redis broker: a task not acknowledged within this time (its worker died) is delivered again.
    # Must exceed the longest task and retry countdown.
    task_visibility_timeout_seconds: int = 3600
    task_restore_interval_seconds: int = 30

    @field_validator("data_dir", "vosk_model", "asterisk_root")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or the SQLite file inside the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'songda.sqlite3'}"

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    def ensure_dirs(self) -> None:
        """Create the data directory tree if it does not exist."""
        for path in (self.data_dir, self.documents_dir, self.evidence_dir):
            path.mkdir(parents=True, exist_ok=True)


@lru_cache
def get_settings() -> Settings:
    return Settings()
