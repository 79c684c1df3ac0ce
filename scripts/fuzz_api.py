"""Schema-driven fuzzing of a live `songda serve` with demo data, as each role (run by scripts/test.sh).

Every operation of the OpenAPI schema is exercised with generated requests (schemathesis) for a bounded
time per role; the run fails on any 5xx answer or any answer that does not match the schema. The
operations that need a running Asterisk (placing, hanging up and listening to calls) are covered by the
real-Asterisk tests instead; logout and password changes are left out so the fuzzer keeps its login.
Prints, per role: operations tested, cases generated, failures; the seed reproduces a run.
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"
ROLES = ("supervisor", "agent1", "field1", "clerk1", "admin")  # admin last: it may change other users
PASSWORD = "songda-demo-2026"
NEEDS_ASTERISK = (
    r"^/api/calls$",
    r"^/api/calls/live$",
    r"^/api/calls/\{call_id\}/hangup$",
    r"^/api/desk/calls/\{call_id\}/hangup$",
    r"^/api/desk/tasks/\{delivery_id\}/call$",
    r"^/api/wall/calls/\{call_id\}/listen$",
)
KEEPS_LOGIN = (r"^/api/auth/logout$", r"^/api/users/\{user_id\}/password$")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def songda(*args: str, env: dict[str, str]) -> None:
    subprocess.run([str(VENV_BIN / "songda"), *args], env=env, check=True, stdout=subprocess.DEVNULL)


def wait_healthy(base_url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"songda serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/api/health", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)  # poll interval while the server starts
    raise SystemExit(f"songda serve did not answer within {timeout} s")


def token_for(base_url: str, username: str) -> str:
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    request = urllib.request.Request(
        f"{base_url}/api/auth/login", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return str(json.load(answer)["token"])


def fuzz_role(base_url: str, token: str, seconds: int, seed: int) -> tuple[int, str]:
    excluded = "|".join(f"({pattern})" for pattern in (*NEEDS_ASTERISK, *KEEPS_LOGIN))  # one regex
    command = [
        str(VENV_BIN / "schemathesis"), "run", f"{base_url}/api/openapi.json",
        "-H", f"Authorization: Bearer {token}",
        "--checks", "not_a_server_error,response_schema_conformance",
        # One worker: Python 3.11's parser is not thread-safe, and hypothesis parses lambdas while generating.
        "--phases", "examples,coverage,fuzzing", "--max-time", str(seconds), "--workers", "1",
        "--suppress-health-check", "all", "--seed", str(seed), "--no-color", "--exclude-path-regex", excluded,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return result.returncode, result.stdout + result.stderr


def summary_of(output: str) -> str:
    tested = re.search(r"Tested:\s*(\d+)", output)
    cases = re.search(r"(\d+) generated", output)
    failures = re.search(r"(\d+) found (\d+) unique failures", output)
    return (
        f"operations {tested.group(1) if tested else '?'}, cases {cases.group(1) if cases else '?'}, "
        f"failures {failures.group(2) if failures else 0}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds-per-role", type=int, default=40)
    parser.add_argument("--cases", type=int, default=40, help="demo cases to seed")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="songda-fuzz-") as data_dir:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SONGDA_")},
            "SONGDA_DATA_DIR": data_dir,
            "SONGDA_IN_PROCESS_SCHEDULER": "false",
            "SONGDA_TELEPHONY_ENABLED": "false",
            "SONGDA_TRANSCRIBE_AFTER_CALL": "false",
        }
        songda("db", "upgrade", env=env)
        songda("demo", "--cases", str(options.cases), env=env)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(VENV_BIN / "songda"), "serve", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_healthy(base_url, server)
            return report(base_url, options)
        finally:
            server.terminate()
            server.wait(timeout=30)


def report(base_url: str, options: argparse.Namespace) -> int:
    failed = []
    print(f"API fuzzing (schemathesis, seed {options.seed}, {options.seconds_per_role} s per role):")
    # Every login first: the fuzzer's own guesses at /api/auth/login soon slow this address down.
    tokens = {role: token_for(base_url, role) for role in ROLES}
    for role in ROLES:
        code, output = fuzz_role(base_url, tokens[role], options.seconds_per_role, options.seed)
        print(f"  {role:<11} {summary_of(output)}")
        if code != 0:
            failed.append(role)
            print(output[-6000:], file=sys.stderr)
    print(
        "API fuzzing: "
        + (f"FAILED for {', '.join(failed)}" if failed else "0 server errors, 0 schema violations")
    )
    # The closing line test runners print (one test per role), for whoever reads the run's last lines.
    print(f"fuzzing: {len(ROLES) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
